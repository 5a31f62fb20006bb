package site

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/cyclegan-go/cyclegan/wasm/translate"
	"github.com/cyclegan-go/cyclegan/weights"
	"github.com/cyclegan-go/cyclegan/weights/atomicfile"
)

// Publish adds the weight file src to the built site in dir: it checks
// that src is a valid weight file, copies it to dir/models/, and records
// it in models.json (size, SHA-256, directions) under name (default: the
// file name without extension), replacing a model of the same name. Each
// step is atomic, and the service worker's cache version is restamped so
// visitors pick up the new model.
func Publish(dir, src, name string) (Model, error) {
	if fi, err := os.Stat(filepath.Join(dir, "index.html")); err != nil || fi.IsDir() {
		return Model{}, fmt.Errorf("%s is not a built site (no index.html; build one with `cyclegan site -o %s`)", dir, dir)
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return Model{}, err
	}
	f, err := weights.Read(bytes.NewReader(data))
	if err != nil {
		return Model{}, fmt.Errorf("%s: %w", src, err)
	}
	if _, err := translate.NewModel(f); err != nil {
		return Model{}, fmt.Errorf("%s: %w", src, err)
	}
	base := filepath.Base(src)
	if name == "" {
		name = strings.TrimSuffix(base, filepath.Ext(base))
	}
	sum := sha256.Sum256(data)
	e := Model{Name: name, File: ModelsDir + "/" + base, Bytes: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), Labels: map[string]string{}}
	for _, d := range translate.Directions(f) {
		e.Directions = append(e.Directions, d.ID)
		e.Labels[d.ID] = d.Label
	}
	m, err := ReadManifest(dir)
	if err != nil {
		return Model{}, err
	}
	for _, o := range m.Models {
		if o.File == e.File && o.Name != e.Name {
			return Model{}, fmt.Errorf("%s: the site already has %s as model %q; rename the file or publish it with --name %q", src, e.File, o.Name, o.Name)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, ModelsDir), 0o755); err != nil {
		return Model{}, err
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, ModelsDir, base), data); err != nil {
		return Model{}, err
	}
	m.Put(e)
	if err := WriteManifest(dir, m); err != nil {
		return Model{}, err
	}
	return e, StampServiceWorker(dir)
}

// StampServiceWorker rewrites the VERSION line of dir/sw.js with a hash of
// every file it caches, so a changed site installs a fresh cache.
func StampServiceWorker(dir string) error {
	swPath := filepath.Join(dir, swName)
	sw, err := os.ReadFile(swPath)
	if err != nil {
		return err
	}
	m, err := ReadManifest(dir)
	if err != nil {
		return err
	}
	files := []string{"index.html", "bootstrap.js", "app.js", "worker.js", WasmExecName, WasmName, "styles.css",
		"manifest.webmanifest", "icon.svg", "icon-maskable.svg", ManifestName}
	for _, e := range m.Models {
		files = append(files, e.File)
	}
	h := sha256.New()
	for _, name := range files {
		fh, err := os.Open(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			return fmt.Errorf("stamping the service worker: %w", err)
		}
		io.WriteString(h, name+"\x00")
		_, err = io.Copy(h, fh)
		fh.Close()
		if err != nil {
			return err
		}
	}
	version := hex.EncodeToString(h.Sum(nil))[:16]
	lines := strings.Split(string(sw), "\n")
	found := false
	for i, l := range lines {
		if strings.HasPrefix(l, "const VERSION = ") {
			lines[i] = fmt.Sprintf("const VERSION = '%s'; // hash of the cached files, stamped by cyclegan site/publish", version)
			found = true
			break
		}
	}
	if !found {
		return fmt.Errorf("%s has no `const VERSION = ` line to stamp", swPath)
	}
	return atomicfile.WriteBytes(swPath, []byte(strings.Join(lines, "\n")))
}
