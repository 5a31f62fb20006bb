package browsertest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cyclegan-go/cyclegan/site"
	"github.com/cyclegan-go/cyclegan/translate"
	"github.com/cyclegan-go/cyclegan/weights"
)

// The command and the page go through one translate path (package
// translate): the same photo and weights give the same pixels, within one
// level, at odd sizes, and the same error for a photo too small to
// translate.

func TestCommandAndPageGiveTheSamePixels(t *testing.T) {
	dir := builtSite(t)
	exe := cyclegan(t)
	b := newBrowser(t)
	srv := serve(t, dir)
	b.open(t, srv.URL+"/")
	sizes := [][2]int{{9, 8}, {13, 11}, {37, 21}, {8, 45}, {101, 67}}
	work := t.TempDir()
	args := []string{"translate", "-w", modelPath, "--direction", "BtoA", "--max_size", "0", "-o", filepath.Join(work, "out")}
	for i, sz := range sizes {
		in := filepath.Join(work, "in", "photo"+string(rune('a'+i))+".png")
		os.MkdirAll(filepath.Dir(in), 0o755)
		os.Rename(writePNG(t, synthetic(sz[0], sz[1])), in)
		args = append(args, in)
	}
	// One run of the command for every size: the generator is loaded once.
	if out, err := exec.Command(exe, args...).CombinedOutput(); err != nil {
		t.Fatalf("cyclegan translate: %v\n%s", err, out)
	}
	for i, sz := range sizes {
		img := synthetic(sz[0], sz[1])
		cli := readNRGBA(t, filepath.Join(work, "out", "photo"+string(rune('a'+i))+"_BtoA.png"))
		if b := cli.Bounds(); b.Dx() != sz[0] || b.Dy() != sz[1] {
			t.Fatalf("%dx%d: the command wrote %dx%d", sz[0], sz[1], b.Dx(), b.Dy())
		}
		compare(t, "page vs command at "+fmt.Sprintf("%dx%d", sz[0], sz[1]), translateInPage(t, b, img, "BtoA"), cli.Pix)
	}
}

// At the model's scale (the default of both) a model that records its
// training scale gives the same pixels in the page and the command too:
// photos larger than the scale run scaled down and carried up, a smaller
// one at its own size.
func TestCommandAndPageGiveTheSamePixelsAtTheModelsScale(t *testing.T) {
	dir := builtSite(t)
	exe := cyclegan(t)
	work := t.TempDir()
	scaled := filepath.Join(work, "scaled.cgw")
	f := site.TinyModel("scaled", 4, 2, 9, "G_A")
	f.Meta.TrainingScale = &weights.TrainingScale{Preprocess: "scale_width_and_crop", LoadSize: 48, CropSize: 32}
	if err := weights.WriteFile(scaled, f); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	srv := serve(t, dir)
	b.open(t, srv.URL+"/")
	b.do(t, chromedp.SetUploadFiles("#model-file", []string{scaled}))
	sizes := [][2]int{{101, 67}, {150, 97}, {49, 200}, {37, 21}}
	args := []string{"translate", "-w", scaled, "--max_size", "0", "-o", filepath.Join(work, "out")}
	for i, sz := range sizes {
		in := filepath.Join(work, "in", "photo"+string(rune('a'+i))+".png")
		os.MkdirAll(filepath.Dir(in), 0o755)
		os.Rename(writePNG(t, synthetic(sz[0], sz[1])), in)
		args = append(args, in)
	}
	out, err := exec.Command(exe, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("cyclegan translate: %v\n%s", err, out)
	}
	if n := strings.Count(string(out), "at the model's scale"); n != 3 {
		t.Fatalf("the command ran %d photos of 4 at the model's scale, want 3 (the 37×21 one at full resolution):\n%s", n, out)
	}
	for i, sz := range sizes {
		cli := readNRGBA(t, filepath.Join(work, "out", "photo"+string(rune('a'+i))+"_AtoB.png"))
		compare(t, fmt.Sprintf("page vs command at the model's scale, %dx%d", sz[0], sz[1]), translateModelInPage(t, b, synthetic(sz[0], sz[1]), "scaled.cgw", "AtoB"), cli.Pix)
	}
}

func TestCommandAndPageRefuseATinyPhotoAlike(t *testing.T) {
	dir := builtSite(t)
	exe := cyclegan(t)
	b := newBrowser(t)
	srv := serve(t, dir)
	b.open(t, srv.URL+"/")
	want := translate.CheckSize(5, 7).Error() // "image too small to translate: it is 5×7 pixels and needs at least 8 on each side"
	photo := writePNG(t, synthetic(5, 7))
	out, err := exec.Command(exe, "translate", "-w", modelPath, "-o", filepath.Join(t.TempDir(), "x.png"), photo).CombinedOutput()
	if err == nil || !strings.Contains(string(out), want) {
		t.Errorf("cyclegan translate of a 5×7 photo: %v, output %q; want an error containing %q", err, out, want)
	}
	b.do(t, chromedp.SetUploadFiles("#file", []string{photo}))
	if s := b.waitError(t); !strings.Contains(s, want) {
		t.Errorf("the page shows %q for a 5×7 photo; want it to contain %q", s, want)
	}
}

// A photo too thin to translate once scaled to the page's limit (1024) is
// refused with the command's message, which names both sizes.
func TestCommandAndPageRefuseAThinPhotoAlike(t *testing.T) {
	dir := builtSite(t)
	exe := cyclegan(t)
	b := newBrowser(t)
	srv := serve(t, dir)
	b.open(t, srv.URL+"/")
	want := translate.CheckFit(3000, 12, 1024).Error() // "... it is 3000×12 pixels, 1024×4 after scaling its long side to 1024, ..."
	photo := writePNG(t, synthetic(3000, 12))
	out, err := exec.Command(exe, "translate", "-w", modelPath, "--max_size", "1024", "-o", filepath.Join(t.TempDir(), "x.png"), photo).CombinedOutput()
	if err == nil || !strings.Contains(string(out), want) {
		t.Errorf("cyclegan translate of a 3000×12 photo: %v, output %q; want an error containing %q", err, out, want)
	}
	b.do(t, chromedp.SetUploadFiles("#file", []string{photo}))
	if s := b.waitError(t); !strings.Contains(s, want) {
		t.Errorf("the page shows %q for a 3000×12 photo; want it to contain %q", s, want)
	}
}
