package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cyclegan-go/cyclegan/trainer/data"
	"github.com/cyclegan-go/cyclegan/trainer/gallery"
	"github.com/cyclegan-go/cyclegan/weights"
)

// train -> files of the run -> export -> translate, through the commands.
func TestTrainExportTranslate(t *testing.T) {
	root := t.TempDir()
	args := twoEpochRun(t, root, "e2e")
	if err := runTrain(append(args, "--save_latest_freq", "3")); err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(root, "ck", "e2e")
	for _, f := range []string{"e2e.cgw", "loss_log.jsonl", "loss.png", "samples/epoch_001.png", "samples/epoch_002.png"} {
		if st, err := os.Stat(filepath.Join(run, f)); err != nil || st.Size() == 0 {
			t.Errorf("run file %s: %v", f, err)
		}
	}
	// The sample sheet: six labelled columns of square cells, one row per
	// held-out pair, anyone may read it.
	sw, sh, err := data.Probe(filepath.Join(run, "samples", "epoch_001.png"))
	if err != nil {
		t.Fatal(err)
	}
	cell := (sw - 2*gallery.Margin - 5*gallery.Gap) / 6
	rows := (sh - 2*gallery.Margin - gallery.Header + gallery.Gap) / (cell + gallery.Gap)
	if w, h := gallery.SheetSize(6, rows, cell); rows < 1 || w != sw || h != sh {
		t.Errorf("sample sheet %dx%d is not a 6-column sheet of %d-pixel cells (%dx%d for %d rows)", sw, sh, cell, w, h, rows)
	}
	if st, err := os.Stat(filepath.Join(run, "samples", "epoch_001.png")); err != nil {
		t.Error(err)
	} else if st.Mode().Perm() != 0o644 {
		t.Errorf("sample sheet mode %v, want 0644", st.Mode().Perm())
	}
	log, _ := os.ReadFile(filepath.Join(run, "loss_log.jsonl"))
	if !strings.Contains(string(log), `"cycle_A"`) {
		t.Errorf("loss log: %s", log)
	}
	wf, err := weights.ReadFile(filepath.Join(run, "e2e.cgw"))
	if err != nil || len(wf.Meta.Generators) != 2 || wf.Meta.Provenance.Iterations != 8 {
		t.Fatalf("exported file: %+v %v", wf, err)
	}
	if s := wf.Meta.TrainingScale; s == nil || *s != (weights.TrainingScale{Preprocess: "resize_and_crop", LoadSize: 36, CropSize: 32}) {
		t.Errorf("exported training scale %+v, want the run's resize_and_crop, 36, 32", s)
	}
	out := filepath.Join(root, "g.cgw")
	if err := runExport([]string{run, "-o", out, "--dtype", "f32"}); err != nil {
		t.Fatal(err)
	}
	if wf, err := weights.ReadFile(out); err != nil || wf.Meta.Storage != "f32" {
		t.Fatalf("export f32: %v", err)
	}

	// An odd-sized photo keeps its size.
	in := filepath.Join(root, "photos")
	writeImages(t, in, 2, 37, 29, 5)
	if err := runTranslate([]string{"-w", out, "--direction", "BtoA", in, "-o", filepath.Join(root, "outs")}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"im0_BtoA.png", "im1_BtoA.png"} { // named with the direction in a folder given by -o
		w, h, err := data.Probe(filepath.Join(root, "outs", n))
		if err != nil || w != 37 || h != 29 {
			t.Errorf("output %s: %dx%d %v", n, w, h, err)
		}
	}
	one := filepath.Join(in, "im0.png")
	before, _ := os.ReadFile(one)
	if err := runTranslate([]string{"-w", out, one, "-o", one}); err == nil || !strings.Contains(err.Error(), "overwrite") {
		t.Errorf("translating onto the input: %v", err)
	}
	if err := runTranslate([]string{"-w", out, one, "-o", filepath.Join(root, "x.jpg"), "--max_size", "16"}); err != nil {
		t.Fatal(err)
	}
	if w, h, err := data.Probe(filepath.Join(root, "x.jpg")); err != nil || max(w, h) != 16 {
		t.Errorf("--max_size 16: %dx%d %v", w, h, err)
	}
	after, _ := os.ReadFile(one)
	if string(before) != string(after) {
		t.Error("input changed")
	}
}
