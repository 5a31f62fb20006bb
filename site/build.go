package site

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// BuildOptions says where a site is built from and to.
type BuildOptions struct {
	Out    string    // the folder to (re)create, e.g. "dist"
	Models string    // a folder of weight files to publish; "" or missing: none
	Module string    // the module root holding ./wasm (default: found from the working directory)
	Go     string    // the go command (default "go"); its toolchain builds the .wasm and supplies wasm_exec.js
	Log    io.Writer // progress messages (default: none)
}

// WasmGoExperiment is added to GOEXPERIMENT for the browser build:
// encoding/json v1 (the weight file's metadata parser) is ~1 MB smaller in
// a .wasm than the v2-based default of Go 1.27.
const WasmGoExperiment = "nojsonv2"

// Build writes a complete static site to opts.Out: the page, cyclegan.wasm
// (GOOS=js GOARCH=wasm, -trimpath -ldflags="-s -w"), wasm_exec.js from the
// same toolchain, models.json and the weight files in opts.Models. It
// builds into a temporary folder beside Out and swaps it in at the end; an
// existing Out is replaced only if it is a built site.
func Build(opts BuildOptions) error {
	if opts.Out == "" {
		return errors.New("site: no output folder")
	}
	if opts.Go == "" {
		opts.Go = "go"
	}
	logf := func(format string, args ...any) {
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, format+"\n", args...)
		}
	}
	if opts.Module == "" {
		root, err := ModuleRoot()
		if err != nil {
			return err
		}
		opts.Module = root
	}
	if err := checkReplaceable(opts.Out); err != nil {
		return err
	}
	out, err := filepath.Abs(opts.Out)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(out), "."+filepath.Base(out)+".build-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}

	logf("building %s (GOOS=js GOARCH=wasm)", WasmName)
	if err := BuildWasm(opts.Go, opts.Module, filepath.Join(tmp, WasmName)); err != nil {
		return err
	}
	goroot, err := goEnv(opts.Go, opts.Module, "GOROOT")
	if err != nil {
		return err
	}
	execJS, err := os.ReadFile(filepath.Join(goroot, "lib", "wasm", WasmExecName))
	if err != nil {
		return fmt.Errorf("site: the Go toolchain has no wasm_exec.js: %w", err)
	}
	if err := os.WriteFile(filepath.Join(tmp, WasmExecName), execJS, 0o644); err != nil {
		return err
	}
	if err := fs.WalkDir(Static, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := Static.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(tmp, path), b, 0o644)
	}); err != nil {
		return err
	}
	if err := WriteManifest(tmp, &Manifest{Models: []Model{}}); err != nil {
		return err
	}
	if opts.Models != "" {
		files, err := weightFiles(opts.Models)
		if err != nil {
			return err
		}
		for _, f := range files {
			e, err := Publish(tmp, f, "")
			if err != nil {
				return err
			}
			logf("model %s: %s (%d bytes, %s)", e.Name, e.File, e.Bytes, strings.Join(e.Directions, ", "))
		}
	}
	if err := StampServiceWorker(tmp); err != nil {
		return err
	}
	// Swap the new site in.
	if _, err := os.Stat(out); err == nil {
		old := tmp + ".old"
		if err := os.Rename(out, old); err != nil {
			return err
		}
		defer os.RemoveAll(old)
	}
	if err := os.Rename(tmp, out); err != nil {
		return err
	}
	logf("site written to %s", opts.Out)
	return nil
}

// BuildWasm builds the browser program in module/wasm to out with the given
// go command.
func BuildWasm(goCmd, module, out string) error {
	cmd := exec.Command(goCmd, "build", "-trimpath", "-ldflags=-s -w", "-o", out, "./wasm")
	cmd.Dir = module
	cmd.Env = wasmEnv()
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("site: building the wasm program failed: %v\n%s", err, stderr.String())
	}
	return nil
}

// wasmEnv is the environment of the browser build.
func wasmEnv() []string {
	exp := os.Getenv("GOEXPERIMENT")
	if !strings.Contains(exp, WasmGoExperiment) {
		if exp != "" {
			exp += ","
		}
		exp += WasmGoExperiment
	}
	return append(os.Environ(), "GOOS=js", "GOARCH=wasm", "GOEXPERIMENT="+exp)
}

func goEnv(goCmd, module, name string) (string, error) {
	cmd := exec.Command(goCmd, "env", name)
	cmd.Dir = module
	cmd.Env = wasmEnv()
	b, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("site: go env %s: %w", name, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// ModuleRoot finds the folder holding go.mod, from the working directory up.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "wasm")); err == nil {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("site: cannot find the source tree (a folder with go.mod and wasm/); run from inside the repository")
		}
		dir = parent
	}
}

// checkReplaceable refuses to replace a folder that is not a built site.
func checkReplaceable(out string) error {
	entries, err := os.ReadDir(out)
	if errors.Is(err, os.ErrNotExist) || (err == nil && len(entries) == 0) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, name := range []string{"index.html", WasmName} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			return fmt.Errorf("site: %s exists and is not a built site (no %s); refusing to replace it", out, name)
		}
	}
	return nil
}

// OrderFile, in a models folder, names weight files (one per line, # for
// comments) that the page lists first, in that order; the first is the
// page's default model. Files it does not name follow in name order.
const OrderFile = "order.txt"

// weightFiles lists the weight files in dir (files starting with the
// weight-file magic), those named in dir/order.txt first; other files except
// hidden ones and notes are errors.
func weightFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") {
			continue
		}
		switch strings.ToLower(filepath.Ext(name)) {
		case ".md", ".txt", ".json":
			continue
		}
		files = append(files, filepath.Join(dir, name))
	}
	return orderFiles(dir, files)
}

// orderFiles moves the files named in dir/order.txt to the front, in its
// order. A name there that is not a weight file in dir is an error.
func orderFiles(dir string, files []string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(dir, OrderFile))
	if errors.Is(err, os.ErrNotExist) {
		return files, nil
	}
	if err != nil {
		return nil, err
	}
	rest := slices.Clone(files)
	var first []string
	for _, line := range strings.Split(string(b), "\n") {
		name := strings.TrimSpace(line)
		if name == "" || strings.HasPrefix(name, "#") {
			continue
		}
		i := slices.Index(rest, filepath.Join(dir, name))
		if i < 0 {
			return nil, fmt.Errorf("site: %s names %q, which is not a weight file in %s (or is named twice)", filepath.Join(dir, OrderFile), name, dir)
		}
		first = append(first, rest[i])
		rest = slices.Delete(rest, i, i+1)
	}
	return append(first, rest...), nil
}
