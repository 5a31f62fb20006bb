package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cyclegan-go/cyclegan/weights"
)

// zooServer serves the small fixture checkpoints under the names of
// pretrained models, plus a truncated response.
func zooServer(t *testing.T) *httptest.Server {
	zipPth, err := os.ReadFile("../testdata/checkpoints/zip_ngf4_b2.pth")
	if err != nil {
		t.Fatal(err)
	}
	legacyPth, err := os.ReadFile("../testdata/checkpoints/legacy_ngf4_b2.pth")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/pretrained/horse2zebra.pth":
			w.Write(zipPth)
		case "/pretrained/style_monet.pth":
			w.Write(legacyPth)
		case "/pretrained/zebra2horse.pth": // the connection drops half-way
			w.Header().Set("Content-Length", strconv.Itoa(len(zipPth)))
			w.Write(zipPth[:len(zipPth)/2])
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestZooDownloadsAndImports(t *testing.T) {
	srv := zooServer(t)
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if err := zoo(&stdout, &stderr, []string{"--base", srv.URL + "/pretrained", "--dir", dir, "horse2zebra"}); err != nil {
		t.Fatal(err)
	}
	f, err := weights.ReadFile(filepath.Join(dir, "horse2zebra.cgw"))
	if err != nil {
		t.Fatal(err)
	}
	g := f.Meta.Generators[0]
	if f.Meta.Name != "horse2zebra" || g.From != "horse" || g.To != "zebra" || f.Meta.Storage != weights.DefaultStorage.String() ||
		f.Meta.Provenance.Source != "imported" || !strings.Contains(f.Meta.Provenance.License, srv.URL) {
		t.Errorf("metadata %+v", f.Meta)
	}
	if !strings.Contains(stderr.String(), "downloading horse2zebra") {
		t.Errorf("no progress bar on stderr: %q", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "pretrained", "horse2zebra.pth")); err != nil {
		t.Errorf("checkpoint not kept: %v", err)
	}

	// A second run reuses the checkpoint; the environment variable sets the base URL.
	t.Setenv("CYCLEGAN_ZOO_URL", srv.URL+"/pretrained")
	stdout.Reset()
	if err := zoo(&stdout, &stderr, []string{"--dir", dir, "--dtype", "f32", "style_monet"}); err != nil {
		t.Fatal(err)
	}
	f, err = weights.ReadFile(filepath.Join(dir, "style_monet.cgw"))
	if err != nil {
		t.Fatal(err)
	}
	if g := f.Meta.Generators[0]; g.From != "photo" || g.To != "monet" || f.Meta.Storage != "f32" {
		t.Errorf("style_monet: %+v", f.Meta)
	}
	if err := zoo(&stdout, &stderr, []string{"--dir", dir, "style_monet"}); err != nil || !strings.Contains(stdout.String(), "already downloaded") {
		t.Errorf("second run: %v, %q", err, stdout.String())
	}
}

func TestZooFailuresLeaveNothing(t *testing.T) {
	srv := zooServer(t)
	for _, tc := range []struct{ model, want string }{
		{"apple2orange", "404"},
		{"zebra2horse", "unexpected EOF"},
		{"horse2cat", "unknown model"},
	} {
		dir := t.TempDir()
		var out bytes.Buffer
		err := zoo(&out, &out, []string{"--base", srv.URL + "/pretrained", "--dir", dir, tc.model})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error with %q", tc.model, err, tc.want)
		}
		filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				t.Errorf("%s: file left behind: %s", tc.model, path)
			}
			return nil
		})
	}
}

func TestZooDomains(t *testing.T) {
	for model, want := range map[string]string{
		"horse2zebra": "horse>zebra", "summer2winter_yosemite": "summer>winter", "cityscapes_photo2label": "photo>label",
		"iphone2dslr_flower": "iphone>dslr", "style_vangogh": "photo>vangogh", "map2sat": "map>sat",
	} {
		if a, b := zooDomains(model); a+">"+b != want {
			t.Errorf("%s: %s>%s, want %s", model, a, b, want)
		}
	}
	for _, m := range zooModels {
		if a, b := zooDomains(m); a == "" || b == "" {
			t.Errorf("%s has no domain names", m)
		}
	}
}
