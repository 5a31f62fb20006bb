package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cyclegan-go/cyclegan/nn"
	"github.com/cyclegan-go/cyclegan/trainer/data"
	"github.com/cyclegan-go/cyclegan/weights"
)

func TestImportAndInfoCommands(t *testing.T) {
	dir := t.TempDir()
	a := "../testdata/checkpoints/zip_ngf4_b2.pth"
	b := "../testdata/checkpoints/legacy_ngf4_b2.pth"
	out := filepath.Join(dir, "ab.cgw")
	if err := runImport([]string{"-a", a, "-b", b, "-o", out, "--dtype", "f16", "--from", "shine", "--to", "sunrise"}); err != nil {
		t.Fatal(err)
	}
	f, err := weights.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Meta.Generators) != 2 || f.Meta.Storage != "f16" || f.Meta.Name != "ab" || f.Meta.Generators[1].From != "sunrise" {
		t.Fatalf("metadata %+v", f.Meta)
	}
	single := filepath.Join(dir, "one.cgw")
	if err := runImport([]string{"../testdata/checkpoints/zip_ngf8_b1_dropout.pth", "-o", single, "--training_scale", "resize_and_crop:286:256"}); err != nil {
		t.Fatal(err)
	}
	if g, err := weights.ReadFile(single); err != nil || g.Meta.TrainingScale == nil || g.Meta.TrainingScale.LoadSize != 286 || f.Meta.TrainingScale != nil {
		t.Errorf("--training_scale: %v recorded (%v); without it: %v", g.Meta.TrainingScale, err, f.Meta.TrainingScale)
	}
	if err := runImport([]string{"../testdata/checkpoints/zip_ngf8_b1_dropout.pth", "-o", filepath.Join(dir, "bad.cgw"), "--training_scale", "resize_and_crop:256:286"}); err == nil || !strings.Contains(err.Error(), "--training_scale") {
		t.Errorf("a crop larger than the load: %v, want a refusal naming --training_scale", err)
	}

	var buf bytes.Buffer
	if err := info(&buf, []string{out, single, "../testdata/checkpoints/legacy_ngf4_b3_dropout_stale.pth"}); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	for _, want := range []string{"CycleGAN weight file", "storage:     f16", "G_B  sunrise -> shine", "tensors:     40",
		"storage:     int8", "dropout layout", "PyTorch checkpoint (legacy serialisation)", "ngf 4, 3 blocks", "importable:  24 tensors"} {
		if !strings.Contains(s, want) {
			t.Errorf("info output lacks %q:\n%s", want, s)
		}
	}

	buf.Reset()
	err = info(&buf, []string{"../testdata/checkpoints/evil_os_system_legacy.pth"})
	if err == nil || !strings.Contains(err.Error(), "posix.system") || buf.Len() != 0 {
		t.Errorf("evil checkpoint: %v\n%s", err, buf.String())
	}
	if err := runImport([]string{"../testdata/checkpoints/evil_os_system_zip.pth", "-o", filepath.Join(dir, "evil.cgw")}); err == nil {
		t.Error("evil checkpoint imported")
	}
	if _, err := os.Stat(filepath.Join(dir, "evil.cgw")); err == nil {
		t.Error("a refused import left a file")
	}
}

// An imported official checkpoint can be tried at once: `translate -w` on the
// imported file gives the pixels of the imported generator's forward pass.
func TestTranslateImportedCheckpoint(t *testing.T) {
	dir := t.TempDir()
	wf := filepath.Join(dir, "imported.cgw")
	if err := runImport([]string{"../testdata/checkpoints/zip_ngf4_b2.pth", "-o", wf, "--dtype", "f32"}); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "in")
	writeImages(t, in, 1, 32, 24, 9)
	out := filepath.Join(dir, "out.png")
	if err := runTranslate([]string{"-w", wf, "-o", out, filepath.Join(in, "im0.png")}); err != nil {
		t.Fatal(err)
	}
	g, err := loadGenerator(wf, "G_A")
	if err != nil {
		t.Fatal(err)
	}
	src, err := data.Load(filepath.Join(in, "im0.png"))
	if err != nil {
		t.Fatal(err)
	}
	x := nn.NewTensor(1, 3, src.H, src.W)
	src.WriteCHW(x.Data)
	y, err := g.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	want := data.FromCHW(y.Data, src.W, src.H)
	got, err := data.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if got.W != want.W || got.H != want.H {
		t.Fatalf("output is %dx%d, want %dx%d", got.W, got.H, want.W, want.H)
	}
	for i := range want.Pix {
		if d := int(got.Pix[i]) - int(want.Pix[i]); d < -1 || d > 1 {
			t.Fatalf("pixel value %d: translate gave %d, the imported generator %d", i, got.Pix[i], want.Pix[i])
		}
	}
}
