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

// WasmGoExperiment is added to GOEXPERIMENT for the browser build. No
// package of that build imports encoding/json now (weights parses its
// metadata itself), so today it changes only runtime.Version(); should one
// import it again, v1 is much smaller in a .wasm than Go 1.27's v2-based
// default (docs/PERF.md, "Size of cyclegan.wasm").
const WasmGoExperiment = "nojsonv2"

// Build writes a complete static site to opts.Out: the page, cyclegan.wasm
// (GOOS=js GOARCH=wasm, -trimpath -ldflags="-s -w"), wasm_exec.js from the
// same toolchain, models.json and the weight files in opts.Models. It
// builds into a temporary folder beside Out and swaps it in at the end; an
// existing Out is replaced only if it is a built site.
func Build(opts BuildOptions) error {
	if err := opts.fillDefaults(); err != nil {
		return err
	}
	if err := checkReplaceable(opts.Out); err != nil {
		return err
	}
	out, tmp, err := newBuildDir(opts.Out)
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := writeProgram(opts, tmp); err != nil {
		return err
	}
	if err := writePage(tmp); err != nil {
		return err
	}
	if err := writeModels(opts, tmp); err != nil {
		return err
	}
	if err := StampServiceWorker(tmp); err != nil {
		return err
	}
	if err := swapIn(tmp, out); err != nil {
		return err
	}
	opts.logf("site written to %s", opts.Out)
	return nil
}

// fillDefaults checks opts and fills in the go command and the module root.
func (opts *BuildOptions) fillDefaults() error {
	if opts.Out == "" {
		return errors.New("site: no output folder")
	}
	if opts.Go == "" {
		opts.Go = "go"
	}
	if opts.Module == "" {
		root, err := ModuleRoot()
		if err != nil {
			return err
		}
		opts.Module = root
	}
	return nil
}

// logf writes one progress line to opts.Log, if set.
func (opts *BuildOptions) logf(format string, args ...any) {
	if opts.Log != nil {
		fmt.Fprintf(opts.Log, format+"\n", args...)
	}
}

// newBuildDir makes the temporary folder the site is built in, beside out
// (so that the final rename stays on one file system). It returns out as
// an absolute path and the folder.
func newBuildDir(out string) (absOut, tmp string, err error) {
	if absOut, err = filepath.Abs(out); err != nil {
		return "", "", err
	}
	if err := os.MkdirAll(filepath.Dir(absOut), 0o755); err != nil {
		return "", "", err
	}
	tmp, err = os.MkdirTemp(filepath.Dir(absOut), "."+filepath.Base(absOut)+".build-*")
	if err != nil {
		return "", "", err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return "", "", err
	}
	return absOut, tmp, nil
}

// writeProgram builds cyclegan.wasm into dir and copies beside it the
// wasm_exec.js of the same toolchain (the two must match).
func writeProgram(opts BuildOptions, dir string) error {
	opts.logf("building %s (GOOS=js GOARCH=wasm)", WasmName)
	if err := BuildWasm(opts.Go, opts.Module, filepath.Join(dir, WasmName)); err != nil {
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
	return os.WriteFile(filepath.Join(dir, WasmExecName), execJS, 0o644)
}

// writePage copies the page's own files (Static: HTML, scripts, styles,
// icons, the service worker) into dir.
func writePage(dir string) error {
	return fs.WalkDir(Static, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := Static.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, path), b, 0o644)
	})
}

// writeModels writes models.json into dir and publishes each weight file
// of opts.Models (in the order of its order.txt) into it.
func writeModels(opts BuildOptions, dir string) error {
	if err := WriteManifest(dir, &Manifest{Models: []Model{}}); err != nil {
		return err
	}
	if opts.Models == "" {
		return nil
	}
	files, err := weightFiles(opts.Models)
	if err != nil {
		return err
	}
	for _, f := range files {
		e, err := Publish(dir, f, "")
		if err != nil {
			return err
		}
		opts.logf("model %s: %s (%d bytes, %s)", e.Name, e.File, e.Bytes, strings.Join(e.Directions, ", "))
	}
	return nil
}

// swapIn renames the built folder tmp to out, replacing (and then
// removing) the site that was there.
func swapIn(tmp, out string) error {
	if _, err := os.Stat(out); err == nil {
		old := tmp + ".old"
		if err := os.Rename(out, old); err != nil {
			return err
		}
		defer os.RemoveAll(old)
	}
	return os.Rename(tmp, out)
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
