package main

import (
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cyclegan-go/cyclegan/nn"
	"github.com/cyclegan-go/cyclegan/weights"
)

// randomGenerator is a generator of the tinyArgs architecture with every
// parameter (biases too) drawn at random, so that a copy is recognisable.
func randomGenerator(seed uint64, ngf int) *nn.Generator {
	g := nn.NewResnetGenerator(nn.GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: ngf, NBlocks: 1})
	r := rand.New(rand.NewPCG(seed, 1))
	for _, p := range g.Params() {
		for i := range p.Param.Value.Data {
			p.Param.Value.Data[i] = float32(r.NormFloat64() * 0.1)
		}
	}
	return g
}

// sameParams reports whether two generators hold identical weights.
func sameParams(a, b *nn.Generator) bool {
	pa, pb := a.Params(), b.Params()
	if len(pa) != len(pb) {
		return false
	}
	for i := range pa {
		x, y := pa[i].Param.Value.Data, pb[i].Param.Value.Data
		if len(x) != len(y) {
			return false
		}
		for j := range x {
			if x[j] != y[j] {
				return false
			}
		}
	}
	return true
}

// --init_g, --init_g_a and --init_g_b start the generators from a weight file.
// With --lr 1e-30 (far below half a float32 step of any weight here) training leaves the weights where they started, so the exported
// file must hold exactly the initial generators.
func TestInitGeneratorsFromWeightFile(t *testing.T) {
	root := t.TempDir()
	writeImages(t, filepath.Join(root, "data", "trainA"), 2, 36, 36, 1)
	writeImages(t, filepath.Join(root, "data", "trainB"), 2, 36, 36, 2)
	ga, gb := randomGenerator(1, 4), randomGenerator(2, 4)
	init := filepath.Join(root, "init.cgw")
	f := &weights.File{Meta: weights.Meta{Name: "init", Storage: "f32"}}
	f.AddGenerator("G_A", "a", "b", ga)
	f.AddGenerator("G_B", "b", "a", gb)
	if err := weights.WriteFile(init, f); err != nil {
		t.Fatal(err)
	}

	trainWith := func(name string, extra ...string) (gotA, gotB *nn.Generator) {
		t.Helper()
		args := tinyArgs(root, name)
		for i, a := range args {
			if a == "--n_epochs" {
				args[i+1] = "1"
			}
			if a == "--n_epochs_decay" {
				args[i+1] = "0"
			}
		}
		args = append(args, append([]string{"--lr", "1e-30", "--export_dtype", "f32"}, extra...)...)
		if err := runTrain(args); err != nil {
			t.Fatalf("train %v: %v", extra, err)
		}
		out, err := weights.ReadFile(filepath.Join(root, "ck", name, name+".cgw"))
		if err != nil {
			t.Fatal(err)
		}
		a, err := out.Generator(out.Meta.Generator("G_A"))
		if err != nil {
			t.Fatal(err)
		}
		b, err := out.Generator(out.Meta.Generator("G_B"))
		if err != nil {
			t.Fatal(err)
		}
		return a, b
	}

	a, b := trainWith("both", "--init_g", init)
	if !sameParams(a, ga) || !sameParams(b, gb) {
		t.Errorf("--init_g: exported generators differ from the initial file (G_A same %v, G_B same %v)", sameParams(a, ga), sameParams(b, gb))
	}
	a, b = trainWith("onlyA", "--init_g_a", init)
	if !sameParams(a, ga) || sameParams(b, gb) {
		t.Errorf("--init_g_a: G_A from file %v (want true), G_B from file %v (want false)", sameParams(a, ga), sameParams(b, gb))
	}
	a, b = trainWith("onlyB", "--init_g_b", init)
	if sameParams(a, ga) || !sameParams(b, gb) {
		t.Errorf("--init_g_b: G_A from file %v (want false), G_B from file %v (want true)", sameParams(a, ga), sameParams(b, gb))
	}

	// A file whose architecture disagrees with the options is refused by name.
	wrong := filepath.Join(root, "wrong.cgw")
	wf := &weights.File{Meta: weights.Meta{Name: "wrong", Storage: "f32"}}
	wf.AddGenerator("G_A", "a", "b", randomGenerator(3, 8))
	if err := weights.WriteFile(wrong, wf); err != nil {
		t.Fatal(err)
	}
	args := append(tinyArgs(root, "wrong"), "--init_g_a", wrong)
	if err := runTrain(args); err == nil || !strings.Contains(err.Error(), "wrong.cgw") {
		t.Errorf("mismatched --init_g_a: got %v, want an error naming the file", err)
	}
}
