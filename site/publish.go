package site

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/cyclegan-go/cyclegan/translate"
	"github.com/cyclegan-go/cyclegan/weights"
	"github.com/cyclegan-go/cyclegan/weights/atomicfile"
)

// weightFileName is the rule for the names of published weight files. The
// name becomes a URL and a file name on any host, so it keeps to a safe
// set of characters and always ends in .cgw (served as a download, never
// as a page).
var weightFileName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\.cgw$`)

// weightFileNameRule says weightFileName in words, for error messages.
const weightFileNameRule = "a published weight file's name must be 1 to 64 letters (A-Z, a-z), digits, '.', '_' or '-', " +
	"starting with a letter or digit, then .cgw (e.g. summer2winter.cgw)"

// Publish adds the weight file src to the built site in dir: it checks
// that src is a valid weight file with a safe name (weightFileNameRule),
// copies it to dir/models/, and records it in models.json (size, SHA-256,
// directions) under name (default: the file name without extension),
// replacing a model of the same name; the service worker's cache version
// is restamped so visitors pick up the new model. All or nothing: if any
// step fails, the site is left as it was.
func Publish(dir, src, name string) (Model, error) {
	if fi, err := os.Stat(filepath.Join(dir, "index.html")); err != nil || fi.IsDir() {
		return Model{}, fmt.Errorf("%s is not a built site (no index.html; build one with `cyclegan site -o %s`)", dir, dir)
	}
	base := filepath.Base(src)
	if !weightFileName.MatchString(base) {
		return Model{}, fmt.Errorf("%s: %s; rename the file", src, weightFileNameRule)
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return Model{}, err
	}
	f, err := weights.Read(bytes.NewReader(data))
	if err != nil {
		return Model{}, fmt.Errorf("%s: %w", src, err)
	}
	if _, err := translate.New(f); err != nil {
		return Model{}, fmt.Errorf("%s: %w", src, err)
	}
	if name == "" {
		name = strings.TrimSuffix(base, filepath.Ext(base))
	}
	sum := sha256.Sum256(data)
	e := Model{Name: name, File: ModelsDir + "/" + base, Bytes: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), Labels: map[string]string{}}
	for _, d := range translate.Directions(&f.Meta) {
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
	m.Put(e)
	list, err := m.encode()
	if err != nil {
		return Model{}, err
	}
	sw, err := stampServiceWorker(dir, m, map[string][]byte{e.File: data, ManifestName: list})
	if err != nil {
		return Model{}, err
	}

	modelsDir := filepath.Join(dir, ModelsDir)
	_, err = os.Stat(modelsDir)
	createdModelsDir := errors.Is(err, fs.ErrNotExist)
	if err := os.MkdirAll(modelsDir, 0o755); err != nil {
		return Model{}, err
	}
	err = replaceAll([]fileChange{
		{filepath.Join(modelsDir, base), data},
		{filepath.Join(dir, ManifestName), list},
		{filepath.Join(dir, swName), sw},
	})
	if err != nil {
		if createdModelsDir {
			os.Remove(modelsDir)
		}
		return Model{}, err
	}
	return e, nil
}

// StampServiceWorker rewrites the VERSION line of dir/sw.js with a hash of
// every file it caches, so a changed site installs a fresh cache.
func StampServiceWorker(dir string) error {
	m, err := ReadManifest(dir)
	if err != nil {
		return err
	}
	sw, err := stampServiceWorker(dir, m, nil)
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(filepath.Join(dir, swName), sw)
}

// stampServiceWorker returns dir/sw.js with its VERSION line set to a hash
// of every file it caches: the page's files and the models m lists. pending
// holds, by path within the site, the content of files not yet written.
func stampServiceWorker(dir string, m *Manifest, pending map[string][]byte) ([]byte, error) {
	swPath := filepath.Join(dir, swName)
	sw, err := os.ReadFile(swPath)
	if err != nil {
		return nil, err
	}
	files := []string{"index.html", "bootstrap.js", "app.js", "pool.js", "live.js", "worker.js", WasmExecName, WasmName, "styles.css",
		"manifest.webmanifest", "icon.svg", "icon-maskable.svg", ManifestName}
	for _, e := range m.Models {
		files = append(files, e.File)
	}
	h := sha256.New()
	for _, name := range files {
		io.WriteString(h, name+"\x00")
		if b, ok := pending[name]; ok {
			h.Write(b)
			continue
		}
		fh, err := os.Open(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			return nil, fmt.Errorf("stamping the service worker: %w", err)
		}
		_, err = io.Copy(h, fh)
		fh.Close()
		if err != nil {
			return nil, err
		}
	}
	version := hex.EncodeToString(h.Sum(nil))[:16]
	lines := strings.Split(string(sw), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "const VERSION = ") {
			lines[i] = fmt.Sprintf("const VERSION = '%s'; // hash of the cached files, stamped by cyclegan site/publish", version)
			return []byte(strings.Join(lines, "\n")), nil
		}
	}
	return nil, fmt.Errorf("%s has no `const VERSION = ` line to stamp", swPath)
}
