package site

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cyclegan-go/cyclegan/weights"
)

// fakeSite writes the static files plus stand-ins for the build outputs.
func fakeSite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	entries, _ := Static.ReadDir(".")
	for _, e := range entries {
		b, _ := Static.ReadFile(e.Name())
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wasm := append([]byte("\x00asm\x01\x00\x00\x00"), bytes.Repeat([]byte("go wasm body "), 500)...)
	os.WriteFile(filepath.Join(dir, WasmName), wasm, 0o644)
	os.WriteFile(filepath.Join(dir, WasmExecName), []byte("// wasm_exec"), 0o644)
	if err := WriteManifest(dir, &Manifest{Models: []Model{}}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func writeModel(t *testing.T, dir, name string, seed uint64, keys ...string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := weights.WriteFile(path, TinyModel("tiny", 4, 1, seed, keys...)); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestServerTypesCompressionAndCaching(t *testing.T) {
	dir := fakeSite(t)
	srv := httptest.NewServer(Handler(dir))
	defer srv.Close()
	get := func(path string, hdr map[string]string) *http.Response {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		// A bare transport, so Go does not add and undo gzip itself.
		resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	for path, want := range map[string]string{
		"/":                     "text/html; charset=utf-8",
		"/cyclegan.wasm":        "application/wasm",
		"/app.js":               "text/javascript; charset=utf-8",
		"/models.json":          "application/json",
		"/manifest.webmanifest": "application/manifest+json",
		"/icon.svg":             "image/svg+xml",
	} {
		resp := get(path, nil)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != want {
			t.Errorf("%s: %d %q, want 200 %q", path, resp.StatusCode, resp.Header.Get("Content-Type"), want)
		}
		if resp.Header.Get("Cache-Control") != "no-cache" || resp.Header.Get("ETag") == "" {
			t.Errorf("%s: cache headers %q etag %q", path, resp.Header.Get("Cache-Control"), resp.Header.Get("ETag"))
		}
	}
	// gzip when asked, and the content survives it.
	resp := get("/cyclegan.wasm", map[string]string{"Accept-Encoding": "gzip, br"})
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("wasm not gzipped: %v", resp.Header)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(zr)
	want, _ := os.ReadFile(filepath.Join(dir, WasmName))
	if !bytes.Equal(got, want) {
		t.Error("gzipped wasm differs from the file")
	}
	if plain := get("/cyclegan.wasm", nil); plain.Header.Get("Content-Encoding") != "" {
		t.Error("gzip sent to a client that did not ask for it")
	}
	// Revalidation.
	etag := get("/app.js", nil).Header.Get("ETag")
	if r := get("/app.js", map[string]string{"If-None-Match": etag}); r.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: status %d, want 304", r.StatusCode)
	}
	// The page's header policy must leave connect-src open: bootstrap.js
	// narrows it to this site plus the ?model= origin. Everything else gets
	// the worker policy.
	if !strings.Contains(get("/", nil).Header.Get("Content-Security-Policy"), "connect-src *") {
		t.Error("the page's header CSP closes connect-src, which would break ?model= links")
	}
	if !strings.Contains(get("/worker.js", nil).Header.Get("Content-Security-Policy"), "'wasm-unsafe-eval'") {
		t.Error("worker.js lacks the worker policy")
	}
	if get("/models.json", nil).Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Error("models.json is not shareable with other origins")
	}
	if get("/app.js", nil).Header.Get("Access-Control-Allow-Origin") != "" {
		t.Error("app.js is shared with other origins")
	}
	for _, p := range []string{"/nope.js", "/../site_test.go", "/.hidden", "/models/"} {
		if r := get(p, nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", p, r.StatusCode)
		}
	}
}

func TestPublishAddsModelAndRestampsCache(t *testing.T) {
	dir := fakeSite(t)
	if err := StampServiceWorker(dir); err != nil {
		t.Fatal(err)
	}
	sw0, _ := os.ReadFile(filepath.Join(dir, "sw.js"))
	src := writeModel(t, t.TempDir(), "summer2winter.cgw", 1, "G_A", "G_B")
	e, err := Publish(dir, src, "")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(src)
	sum := sha256.Sum256(data)
	if e.Name != "summer2winter" || e.File != "models/summer2winter.cgw" || e.Bytes != int64(len(data)) || e.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("entry %+v", e)
	}
	if strings.Join(e.Directions, ",") != "AtoB,BtoA" || e.Labels["AtoB"] != "summer → winter" {
		t.Errorf("directions %v labels %v", e.Directions, e.Labels)
	}
	copied, _ := os.ReadFile(filepath.Join(dir, "models", "summer2winter.cgw"))
	if !bytes.Equal(copied, data) {
		t.Error("weight file not copied intact")
	}
	m, err := ReadManifest(dir)
	if err != nil || len(m.Models) != 1 || m.Models[0].SHA256 != e.SHA256 {
		t.Fatalf("manifest %+v, %v", m, err)
	}
	sw1, _ := os.ReadFile(filepath.Join(dir, "sw.js"))
	if bytes.Equal(sw0, sw1) {
		t.Error("publishing did not change the service worker's cache version")
	}
	// Republishing new weights under the same name replaces the entry.
	src2 := writeModel(t, t.TempDir(), "summer2winter.cgw", 2, "G_A")
	e2, err := Publish(dir, src2, "")
	if err != nil {
		t.Fatal(err)
	}
	m, _ = ReadManifest(dir)
	if len(m.Models) != 1 || m.Models[0].SHA256 != e2.SHA256 || e2.SHA256 == e.SHA256 || len(e2.Directions) != 1 {
		t.Errorf("after republishing: %+v", m.Models)
	}
	// Another name for the same file name is refused (it would overwrite).
	if _, err := Publish(dir, src2, "other"); err == nil {
		t.Error("publishing a second model over the same file was accepted")
	}
}

func TestPublishRefusesBadInput(t *testing.T) {
	dir := fakeSite(t)
	before, _ := os.ReadFile(filepath.Join(dir, ManifestName))
	tmp := t.TempDir()
	notWeights := filepath.Join(tmp, "notes.cgw")
	os.WriteFile(notWeights, []byte("hello, this is not a weight file at all"), 0o644)
	src := writeModel(t, tmp, "m.cgw", 3, "G_A")
	b, _ := os.ReadFile(src)
	b[len(b)/2] ^= 0xff
	corrupt := filepath.Join(tmp, "corrupt.cgw")
	os.WriteFile(corrupt, b, 0o644)
	for _, c := range []struct{ file, want string }{
		{notWeights, "not a CycleGAN weight file"},
		{corrupt, "checksum"},
		{filepath.Join(tmp, "missing.cgw"), "no such file"},
	} {
		_, err := Publish(dir, c.file, "")
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), filepath.Base(c.file)) {
			t.Errorf("%s: error %v, want one naming the file and saying %q", c.file, err, c.want)
		}
	}
	after, _ := os.ReadFile(filepath.Join(dir, ManifestName))
	if !bytes.Equal(before, after) {
		t.Error("a refused publish changed models.json")
	}
	if ents, _ := os.ReadDir(filepath.Join(dir, ModelsDir)); len(ents) != 0 {
		t.Errorf("a refused publish left files: %v", ents)
	}
	if _, err := Publish(t.TempDir(), src, ""); err == nil || !strings.Contains(err.Error(), "not a built site") {
		t.Errorf("publish into a non-site: %v", err)
	}
}

func TestBuildRefusesToReplaceOtherFolders(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "thesis.tex"), []byte("precious"), 0o644)
	err := Build(BuildOptions{Out: dir, Module: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "not a built site") {
		t.Fatalf("Build over a non-site folder: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "thesis.tex")); string(b) != "precious" {
		t.Error("the folder was touched")
	}
}
