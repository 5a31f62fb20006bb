package main

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/cyclegan-go/cyclegan/nn"
	"github.com/cyclegan-go/cyclegan/translate"
	"github.com/cyclegan-go/cyclegan/weights"
)

// writeModel writes a weight file of random generators of config cfg under
// the given keys, translating Sunny ↔ Sunset.
func writeModel(t *testing.T, path string, cfg nn.GeneratorConfig, keys ...string) {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	f := &weights.File{Meta: weights.Meta{Name: "m", Storage: "f32", Provenance: weights.Provenance{Source: "trained"}}}
	for _, k := range keys {
		g := nn.NewResnetGenerator(cfg)
		nn.InitNormal(g.Params(), 0.05, rng)
		from, to := "Sunny", "Sunset"
		if k == "G_B" {
			from, to = to, from
		}
		f.AddGenerator(k, from, to, g)
	}
	if err := weights.WriteFile(path, f); err != nil {
		t.Fatal(err)
	}
}

// writePNGSize writes a w×h PNG of a smooth pattern (small on disk).
func writePNGSize(t *testing.T, path string, w, h int) {
	t.Helper()
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = byte(i/4%w + i%4*60)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// runCmd runs `cyclegan args...` as a child process and returns its
// stdout, stderr and exit status.
func runCmd(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	c := helperCmd(args...)
	var o, e bytes.Buffer
	c.Stdout, c.Stderr = &o, &e
	err := c.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		code = exit.ExitCode()
	default:
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

var tinyRGB = nn.GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 4, NBlocks: 1}

func TestUsageStreamsAndStatus(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := runMain(nil, &out, &errOut); code != 2 || out.Len() != 0 || !strings.Contains(errOut.String(), "usage: cyclegan COMMAND") {
		t.Errorf("no arguments: status %d, stdout %q, stderr %q; want 2 and the usage on stderr", code, out.String(), errOut.String())
	}
	out.Reset()
	errOut.Reset()
	if code := runMain([]string{"--help"}, &out, &errOut); code != 0 || errOut.Len() != 0 || !strings.Contains(out.String(), "usage: cyclegan COMMAND") {
		t.Errorf("--help: status %d, stdout %q, stderr %q; want 0 and the usage on stdout", code, out.String(), errOut.String())
	}
	dir := t.TempDir()
	model := filepath.Join(dir, "m.cgw")
	writeModel(t, model, tinyRGB, "G_A", "G_B")
	stdout, stderr, code := runCmd(t, "translate", "-w", model, "--help")
	if code != 0 || stderr != "" || !strings.Contains(stdout, "usage: cyclegan translate") {
		t.Errorf("translate --help: status %d, stdout %q, stderr %q; want 0 and the usage on stdout", code, stdout, stderr)
	}
	for _, want := range []string{"--direction AtoB   Sunny → Sunset", "--direction BtoA   Sunset → Sunny"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("translate -w FILE --help does not name the directions by their domains (%q missing):\n%s", want, stdout)
		}
	}
}

func TestTranslateOutputNames(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.cgw")
	writeModel(t, model, tinyRGB, "G_A", "G_B")
	photo := filepath.Join(dir, "photo.png")
	writePNGSize(t, photo, 20, 16)

	// An image format it cannot write is an error, not a folder.
	_, stderr, code := runCmd(t, "translate", "-w", model, "-o", filepath.Join(dir, "x.gif"), photo)
	if code != 1 || !strings.Contains(stderr, "cannot write GIF") {
		t.Errorf("-o x.gif: status %d, %q; want an error", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.gif")); err == nil {
		t.Error("-o x.gif made something named x.gif")
	}
	// Both directions into one folder: two outputs, neither overwritten.
	outDir := filepath.Join(dir, "out")
	for _, d := range []string{"AtoB", "BtoA", "Sunset → Sunny"} {
		if _, stderr, code := runCmd(t, "translate", "-w", model, "--direction", d, "-o", outDir, photo); code != 0 {
			t.Fatalf("--direction %s: status %d: %s", d, code, stderr)
		}
	}
	entries, _ := os.ReadDir(outDir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "photo_AtoB.png photo_BtoA.png" {
		t.Errorf("outputs %v, want photo_AtoB.png and photo_BtoA.png", names)
	}
}

func TestTranslateRefusesWhatTheFileLacks(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "a.cgw")
	writeModel(t, model, tinyRGB, "G_A")
	photo := filepath.Join(dir, "photo.png")
	writePNGSize(t, photo, 20, 16)
	_, stderr, code := runCmd(t, "translate", "-w", model, "--direction", "BtoA", "-o", filepath.Join(dir, "y.png"), photo)
	if code != 1 || !strings.Contains(stderr, "this file translates Sunny → Sunset only") {
		t.Errorf("BtoA with a G_A-only file: status %d, %q; want a refusal naming what the file has", code, stderr)
	}
}

// 3 → 1 and 1 → 3 generators translate (grey out, grey in) in translate,
// eval and gallery alike, instead of panicking.
func TestGreyGeneratorsEverywhere(t *testing.T) {
	dir := t.TempDir()
	photos := filepath.Join(dir, "photos")
	os.MkdirAll(photos, 0o755)
	for _, n := range []string{"a.png", "b.png"} {
		writePNGSize(t, filepath.Join(photos, n), 40, 36)
	}
	for _, cfg := range []nn.GeneratorConfig{{InputNC: 3, OutputNC: 1, NGF: 4, NBlocks: 1}, {InputNC: 1, OutputNC: 3, NGF: 4, NBlocks: 1}} {
		model := filepath.Join(dir, "grey.cgw")
		writeModel(t, model, cfg, "G_A", "G_B")
		out := filepath.Join(dir, "grey-out.png")
		if _, stderr, code := runCmd(t, "translate", "-w", model, "-o", out, filepath.Join(photos, "a.png")); code != 0 {
			t.Errorf("%d → %d translate: status %d: %s", cfg.InputNC, cfg.OutputNC, code, stderr)
		}
		if _, stderr, code := runCmd(t, "eval", "-w", model, "-a", photos, "-b", photos, "--size", "32"); code != 0 {
			t.Errorf("%d → %d eval: status %d: %s", cfg.InputNC, cfg.OutputNC, code, stderr)
		}
		if _, stderr, code := runCmd(t, "gallery", "-w", model, "--synthetic", "1", "--size", "32", "-o", filepath.Join(dir, "sheet.png")); code != 0 {
			t.Errorf("%d → %d gallery: status %d: %s", cfg.InputNC, cfg.OutputNC, code, stderr)
		}
	}
}

// Thin photos and photos too large for the memory limit are refused from
// their header, with one message that names the sizes and what to change.
func TestTranslateSizeLimits(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.cgw")
	writeModel(t, model, nn.GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 16, NBlocks: 1}, "G_A")
	thin := filepath.Join(dir, "thin.png")
	writePNGSize(t, thin, 3000, 12)
	_, stderr, code := runCmd(t, "translate", "-w", model, "-o", filepath.Join(dir, "t.png"), thin)
	want := translate.CheckFit(3000, 12, 1024).Error()
	if code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("a 3000×12 photo: status %d, %q; want %q", code, stderr, want)
	}
	big := filepath.Join(dir, "big.png")
	writePNGSize(t, big, 4000, 3000)
	_, stderr, code = runCmd(t, "translate", "-w", model, "--max_size", "0", "-o", filepath.Join(dir, "b.png"), big)
	if code != 1 || !strings.Contains(stderr, "over the 2.0 GB limit") || !strings.Contains(stderr, "a long side of") {
		t.Errorf("a 12 MP photo at full size: status %d, %q; want a refusal naming the limit and a size that fits", code, stderr)
	}
}

// The memory estimate the limit uses is an upper bound of the real peak:
// measured as the child process's peak resident set size.
func TestTranslatePeakMemoryWithinEstimate(t *testing.T) {
	dir := t.TempDir()
	cfg := nn.GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 16, NBlocks: 6}
	model := filepath.Join(dir, "m.cgw")
	writeModel(t, model, cfg, "G_A")
	photo := filepath.Join(dir, "p.png")
	const w, h = 800, 600
	writePNGSize(t, photo, w, h)
	c := helperCmd("translate", "-w", model, "--max_size", "0", "-o", filepath.Join(dir, "o.png"), photo)
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	peak := c.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10 // KB on Linux
	est := translate.PeakBytes(cfg, w, h)
	t.Logf("%dx%d, ngf 16 / 6 blocks: peak RSS %d MB, estimate %d MB", w, h, peak>>20, est>>20)
	if peak > est {
		t.Errorf("peak RSS %d MB is over the estimate %d MB the memory limit relies on", peak>>20, est>>20)
	}
}
