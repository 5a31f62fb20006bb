package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cyclegan-go/cyclegan/trainer/train"
	"github.com/cyclegan-go/cyclegan/weights"
)

// export --average N writes the mean of the N newest checkpoints'
// generators, says so in the file's notes, and refuses, writing nothing,
// when the run kept fewer checkpoints.
func TestExportAverage(t *testing.T) {
	root := t.TempDir()
	args := twoEpochRun(t, root, "avg")
	if err := runTrain(append(args, "--keep_checkpoints", "5", "--no_export")); err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(root, "ck", "avg")
	ck := &train.Checkpoints{Dir: run}
	steps, err := ck.List()
	if err != nil || len(steps) != 5 {
		t.Fatalf("run kept %v (%v), want 5 checkpoints", steps, err)
	}
	// The expected mean, from the newest three files.
	var want [][]float32
	for _, n := range steps[:3] {
		st, _, err := ck.Read(n)
		if err != nil {
			t.Fatal(err)
		}
		for i, a := range st.Nets["G_A"] {
			if len(want) <= i {
				want = append(want, make([]float32, len(a.Data)))
			}
			for j, v := range a.Data {
				want[i][j] += v / 3
			}
		}
	}

	out := filepath.Join(root, "avg.cgw")
	if err := runExport([]string{run, "-o", out, "--dtype", "f32", "--average", "3", "--name", "published"}); err != nil {
		t.Fatal(err)
	}
	g, meta, err := loadGeneratorMeta(out, "G_A")
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for i, p := range g.Params() {
		for j, v := range p.Param.Value.Data {
			worst = max(worst, math.Abs(float64(v-want[i][j])))
		}
	}
	if worst > 1e-6 {
		t.Errorf("exported G_A differs from the mean of the 3 newest checkpoints by up to %g", worst)
	}
	wf, err := weights.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if notes := wf.Meta.Provenance.Notes; !strings.Contains(notes, "averaged over 3 checkpoints") {
		t.Errorf("notes do not say the weights are averaged: %q", notes)
	}
	if wf.Meta.Name != "published" {
		t.Errorf("export --name published wrote the name %q", wf.Meta.Name)
	}
	if meta.Key != "G_A" || meta.From != "A" || meta.To != "B" {
		t.Errorf("generator metadata: %+v", meta)
	}

	// The plain export is the newest checkpoint, which differs from the mean.
	latest := filepath.Join(root, "latest.cgw")
	if err := runExport([]string{run, "-o", latest, "--dtype", "f32"}); err != nil {
		t.Fatal(err)
	}
	gl, err := loadGenerator(latest, "G_A")
	if err != nil {
		t.Fatal(err)
	}
	if gl.Params()[0].Param.Value.Data[0] == g.Params()[0].Param.Value.Data[0] {
		t.Error("the averaged export equals the latest checkpoint")
	}
	if wl, err := weights.ReadFile(latest); err != nil {
		t.Error(err)
	} else if wl.Meta.Name != "avg" {
		t.Errorf("without --name the file took the name %q, want the run's name avg", wl.Meta.Name)
	}

	// The run's 8 steps are two epochs of 4; the decay is the second one,
	// whose 4 checkpoints follow the one made at the end of the first.
	decay := filepath.Join(root, "decay.cgw")
	if err := runExport([]string{run, "-o", decay, "--average", "decay"}); err != nil {
		t.Fatal(err)
	}
	if wf, err := weights.ReadFile(decay); err != nil {
		t.Errorf("--average decay: %v", err)
	} else if !strings.Contains(wf.Meta.Provenance.Notes, "averaged over 4 checkpoints (state_000000005.ckpt to state_000000008.ckpt)") {
		t.Errorf("--average decay: notes %q", wf.Meta.Provenance.Notes)
	}

	for _, bad := range []struct{ average, complaint string }{{"6", "--keep_checkpoints 6"}, {"0", "want a number"}, {"last", "want a number"}} {
		missing := filepath.Join(root, "bad.cgw")
		if err := runExport([]string{run, "-o", missing, "--average", bad.average}); err == nil || !strings.Contains(err.Error(), bad.complaint) {
			t.Errorf("--average %s with 5 checkpoints: %v", bad.average, err)
		}
		if _, err := os.Stat(missing); !os.IsNotExist(err) {
			t.Errorf("a failed export left %s: %v", missing, err)
		}
	}
}
