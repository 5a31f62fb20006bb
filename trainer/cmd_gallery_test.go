package main

import (
	"bytes"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cyclegan-go/cyclegan/nn"
	"github.com/cyclegan-go/cyclegan/trainer/gallery"
	"github.com/cyclegan-go/cyclegan/weights"
)

// writeTinyModel writes a weight file with two tiny random generators
// between the domains "Sunny" and "Sunset".
func writeTinyModel(t *testing.T, path string) {
	t.Helper()
	cfg := nn.GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 2, NBlocks: 1}
	f := &weights.File{Meta: weights.Meta{Name: "tiny", Storage: "f32", Provenance: weights.Provenance{Source: "trained"}}}
	f.AddGenerator("G_A", "Sunny", "Sunset", nn.NewResnetGenerator(cfg))
	f.AddGenerator("G_B", "Sunset", "Sunny", nn.NewResnetGenerator(cfg))
	if err := weights.WriteFile(path, f); err != nil {
		t.Fatal(err)
	}
}

// readPNG decodes a PNG file.
func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// runGalleryQuietly runs `cyclegan gallery args` and returns its error and
// what it wrote to stderr.
func runGalleryQuietly(args ...string) (string, error) {
	var stderr bytes.Buffer
	err := renderGallery(io.Discard, &stderr, args)
	return stderr.String(), err
}

func TestGallerySynthetic(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "tiny.cgw")
	writeTinyModel(t, model)
	out := filepath.Join(dir, "sheets", "synthetic.png") // the folder is made
	if msg, err := runGalleryQuietly("-w", model, "-w", model, "--synthetic", "2", "--size", "32", "-o", out); err != nil {
		t.Fatalf("%v\n%s", err, msg)
	}
	m := readPNG(t, out)
	if st, err := os.Stat(out); err != nil {
		t.Error(err)
	} else if st.Mode().Perm() != 0o644 {
		t.Errorf("%s: mode %v; want a file anyone may read (0644)", out, st.Mode().Perm())
	}
	w, h := gallery.SheetSize(3, 2, 32)
	if m.Bounds() != image.Rect(0, 0, w, h) {
		t.Fatalf("sheet is %v, want %dx%d (3 columns, 2 rows of 32)", m.Bounds(), w, h)
	}
	// The first column holds the synthetic scenes with seeds 1 and 2.
	for row := 0; row < 2; row++ {
		scene := gallery.Scene(32, 32, uint64(row+1))
		r := gallery.CellRect(row, 0, 32)
		for _, p := range []image.Point{{3, 3}, {16, 30}} {
			got, want := m.At(r.Min.X+p.X, r.Min.Y+p.Y), scene.At(p.X, p.Y)
			if rgbOf(got) != rgbOf(want) {
				t.Errorf("row %d, original at %v: %v, want the scene's %v", row, p, got, want)
			}
		}
	}

	// --colors writes a palette PNG.
	if msg, err := runGalleryQuietly("-w", model, "--synthetic", "1", "--size", "32", "--colors", "16", "-o", out); err != nil {
		t.Fatalf("%v\n%s", err, msg)
	}
	if p, ok := readPNG(t, out).(*image.Paletted); !ok || len(p.Palette) > 16 {
		t.Errorf("--colors 16: got %T, want a palette image of at most 16 colours", readPNG(t, out))
	}
}

func rgbOf(c interface{ RGBA() (r, g, b, a uint32) }) [3]uint32 {
	r, g, b, _ := c.RGBA()
	return [3]uint32{r, g, b}
}

func TestGalleryPhotosFromAList(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "tiny.cgw")
	writeTinyModel(t, model)
	photos := filepath.Join(dir, "shine")
	os.MkdirAll(photos, 0o755)
	for i := 1; i <= 3; i++ {
		var buf bytes.Buffer
		png.Encode(&buf, gallery.Scene(48, 40, uint64(i)))
		os.WriteFile(filepath.Join(photos, "p"+strconv.Itoa(i)+".png"), buf.Bytes(), 0o644)
	}
	os.WriteFile(filepath.Join(photos, "broken.png"), []byte("not a PNG"), 0o644)
	list := filepath.Join(dir, "list.txt")
	os.WriteFile(list, []byte("# held out\np1.png\nbroken.png\nmissing.png\np3.png\n"), 0o644)

	out := filepath.Join(dir, "photos.png")
	msg, err := runGalleryQuietly("-w", model, "-a", photos, "--list", list, "--size", "32", "--direction", "BtoA", "-o", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, msg)
	}
	// p1 and p3 make the rows; the broken and the missing photo are named
	// in warnings and skipped.
	w, h := gallery.SheetSize(2, 2, 32)
	if b := readPNG(t, out).Bounds(); b != image.Rect(0, 0, w, h) {
		t.Errorf("sheet is %v, want %dx%d (2 columns, 2 rows)", b, w, h)
	}
	for _, name := range []string{"broken.png", "missing.png"} {
		if !strings.Contains(msg, name) {
			t.Errorf("no warning names %s:\n%s", name, msg)
		}
	}

	// --holdout finds the list named after the folder; --max caps the rows.
	holdout := filepath.Join(dir, "holdout")
	os.MkdirAll(holdout, 0o755)
	os.WriteFile(filepath.Join(holdout, "shine.txt"), []byte("p1.png\np2.png\np3.png\n"), 0o644)
	if msg, err := runGalleryQuietly("-w", model, "-a", photos, "--holdout", holdout, "--max", "2", "--size", "32", "-o", out); err != nil {
		t.Fatalf("%v\n%s", err, msg)
	}
	if b := readPNG(t, out).Bounds(); b != image.Rect(0, 0, w, h) {
		t.Errorf("--max 2: sheet is %v, want %dx%d", b, w, h)
	}
	// Without a list every photo of the folder is used.
	if msg, err := runGalleryQuietly("-w", model, "-a", photos, "--size", "32", "-o", out); err != nil {
		t.Fatalf("%v\n%s", err, msg)
	}
	if _, h3 := gallery.SheetSize(2, 3, 32); readPNG(t, out).Bounds().Dy() != h3 {
		t.Errorf("the whole folder: sheet is %v, want 3 rows", readPNG(t, out).Bounds())
	}
}

func TestGalleryErrors(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "tiny.cgw")
	writeTinyModel(t, model)
	photos := filepath.Join(dir, "shine")
	os.MkdirAll(photos, 0o755)
	onlyMissing := filepath.Join(dir, "missing.txt")
	os.WriteFile(onlyMissing, []byte("gone.png\n"), 0o644)
	out := filepath.Join(dir, "out.png")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-w", filepath.Join(dir, "nope.cgw"), "--synthetic", "1", "-o", out}, "nope.cgw"},
		{[]string{"--synthetic", "1", "-o", out}, "need at least one -w"},
		{[]string{"-w", model, "--synthetic", "1"}, "need -o"},
		{[]string{"-w", model, "--synthetic", "1", "-o", filepath.Join(dir, "out.jpg")}, "ending in .png"},
		{[]string{"-w", model, "-o", out}, "either --synthetic N or -a DIR"},
		{[]string{"-w", model, "--synthetic", "1", "-a", photos, "-o", out}, "either --synthetic N or -a DIR"},
		{[]string{"-w", model, "--synthetic", "1", "--size", "30", "-o", out}, "--size 30"},
		{[]string{"-w", model, "--synthetic", "1", "--direction", "up", "-o", out}, `--direction "up"`},
		{[]string{"-w", model, "--synthetic", "1", "--colors", "300", "-o", out}, "--colors 300"},
		{[]string{"-w", model, "--synthetic", "1", "--list", onlyMissing, "-o", out}, "do not apply to --synthetic"},
		{[]string{"-w", model, "-a", photos, "--list", onlyMissing, "-o", out}, "none of the 1 photos listed in " + onlyMissing},
		{[]string{"-w", model, "-a", photos, "--holdout", dir, "-o", out}, filepath.Join(dir, "shine.txt")},
		{[]string{"-w", model, "-a", photos, "-o", out}, "image folder " + photos},
		{[]string{"-w", model, "-a", filepath.Join(dir, "nowhere"), "--list", onlyMissing, "-o", out}, "nowhere"},
	} {
		_, err := runGalleryQuietly(tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("gallery %v: error %v, want one containing %q", tc.args, err, tc.want)
		}
	}
	// Nothing was written, not even a temporary file.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !e.IsDir() && e.Name() != "tiny.cgw" && e.Name() != "missing.txt" {
			t.Errorf("a failed gallery left %s behind", e.Name())
		}
	}
}
