package main

import (
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/cyclegan-go/cyclegan/nn"
	"github.com/cyclegan-go/cyclegan/trainer/eval"
	"github.com/cyclegan-go/cyclegan/translate"
	"github.com/cyclegan-go/cyclegan/weights"
)

// writePhotos writes n noisy PNGs of the given mean colour into dir.
func writePhotos(t *testing.T, dir string, n int, seed uint64, mean [3]float64) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	for i := range n {
		img := image.NewNRGBA(image.Rect(0, 0, 40, 34))
		for y := 0; y < 34; y++ {
			for x := 0; x < 40; x++ {
				var c [3]uint8
				for k := range c {
					c[k] = uint8(min(max(255*mean[k]+30*rng.NormFloat64(), 0), 255))
				}
				img.SetNRGBA(x, y, color.NRGBA{c[0], c[1], c[2], 255})
			}
		}
		f, err := os.Create(filepath.Join(dir, "p"+string(rune('a'+i))+".png"))
		if err != nil {
			t.Fatal(err)
		}
		png.Encode(f, img)
		f.Close()
	}
}

func readReport(t *testing.T, path string) evalReport {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r evalReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestEvalSets(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	writePhotos(t, a, 4, 1, [3]float64{0.3, 0.5, 0.7})
	writePhotos(t, b, 5, 2, [3]float64{0.7, 0.5, 0.3})
	out := filepath.Join(dir, "r.json")
	if err := runEval([]string{"--sets", "--size", "32", "--nhoods", "16", "--json", out, a, a}); err != nil {
		t.Fatal(err)
	}
	if r := readReport(t, out); r.BaseAvg != 0 || r.NA != 4 {
		t.Errorf("a folder against itself: %+v, want distance 0 over 4 photos", r)
	}
	if err := runEval([]string{"--sets", "--size", "32", "--nhoods", "16", "--json", out, a, b}); err != nil {
		t.Fatal(err)
	}
	if r := readReport(t, out); r.BaseAvg < 100 || r.NB != 5 || len(r.Res) != 2 {
		t.Errorf("opposite colours: %+v, want a large distance over levels 32, 16", r)
	}
	// A list restricts the folder to the photos it names.
	list := filepath.Join(dir, "a.txt")
	os.WriteFile(list, []byte("# two of them\npa.png\npc.png\n"), 0o644)
	if err := runEval([]string{"--sets", "--size", "32", "--list_a", list, "--json", out, a, b}); err != nil {
		t.Fatal(err)
	}
	if r := readReport(t, out); r.NA != 2 {
		t.Errorf("with a list of 2: %d photos", r.NA)
	}
	for _, bad := range [][]string{
		{"--sets", a},                    // one folder
		{"--sets", "--size", "48", a, b}, // not a power of two
		{"-w", "x.cgw", "-a", a},         // no -b
		{"--sets", a, filepath.Join(dir, "missing")},
	} {
		if err := runEval(bad); err == nil {
			t.Errorf("eval %v: no error", bad)
		}
	}
}

// writeGreyModel writes dir/m.cgw: generators G_A (a → b) and G_B of
// all-zero weights (ngf 2, one block), which output grey (0.5).
func writeGreyModel(t *testing.T, dir string) string {
	t.Helper()
	cfg := nn.GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 2, NBlocks: 1}
	f := &weights.File{Meta: weights.Meta{Name: "test", Storage: "f32", Provenance: weights.Provenance{Source: "trained"}}}
	f.AddGenerator("G_A", "a", "b", nn.NewResnetGenerator(cfg))
	f.AddGenerator("G_B", "b", "a", nn.NewResnetGenerator(cfg))
	wf := filepath.Join(dir, "m.cgw")
	if err := weights.WriteFile(wf, f); err != nil {
		t.Fatal(err)
	}
	return wf
}

// Generators with all-zero weights output grey (0.5): the cycle error is
// then exactly the mean distance of the photos from 0.5.
func TestEvalWeightsCycleError(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	writePhotos(t, a, 3, 1, [3]float64{0.3, 0.5, 0.7})
	writePhotos(t, b, 3, 2, [3]float64{0.7, 0.5, 0.3})
	wf := writeGreyModel(t, dir)
	out := filepath.Join(dir, "r.json")
	if err := runEval([]string{"-w", wf, "-a", a, "-b", b, "--size", "32", "--nhoods", "16", "--json", out}); err != nil {
		t.Fatal(err)
	}
	r := readReport(t, out)
	set, _, err := eval.LoadSet(a, nil, 32, nil)
	if err != nil {
		t.Fatal(err)
	}
	var want float64
	for _, m := range set {
		for _, v := range m.Pix {
			want += math.Abs(float64(v) - 0.5)
		}
	}
	want /= float64(len(set) * 3 * 32 * 32)
	if r.CycleError == nil || math.Abs(*r.CycleError-want) > 1e-6 {
		t.Errorf("cycle error %v, want %v", r.CycleError, want)
	}
	if r.BaseAvg <= 0 || r.TransAvg <= 0 || math.Abs(r.Ratio-r.TransAvg/r.BaseAvg) > 1e-9 {
		t.Errorf("distances %v, %v, ratio %v", r.TransAvg, r.BaseAvg, r.Ratio)
	}
	if err := runEval([]string{"-w", wf, "-a", a, "-b", b, "--direction", "sideways"}); err == nil {
		t.Error("bad direction: no error")
	}
}

// translateEvalImage maps [0, 1] to [-1, 1] and back without rounding: a
// generator whose weights are all zero outputs tanh(0), 0.5 in image units,
// and a bias b on its last convolution gives (tanh(b)+1)/2, at any size (18
// is padded to 20 and cropped back), for colour and grey generators alike.
func TestTranslateEvalImageMapsRanges(t *testing.T) {
	for _, cfg := range []nn.GeneratorConfig{{InputNC: 3, OutputNC: 3, NGF: 2, NBlocks: 1}, {InputNC: 1, OutputNC: 1, NGF: 2, NBlocks: 1}} {
		for _, bias := range []float32{0, 0.5} {
			g := nn.NewResnetGenerator(cfg)
			ps := g.Params()
			for i := range ps[len(ps)-1].Param.Value.Data {
				ps[len(ps)-1].Param.Value.Data[i] = bias
			}
			f := &weights.File{Meta: weights.Meta{Storage: "f32", Provenance: weights.Provenance{Source: "trained"}}}
			f.AddGenerator("G_A", "a", "b", g)
			m, err := translate.New(f)
			if err != nil {
				t.Fatal(err)
			}
			tr, _ := m.Translator("AtoB")
			in := eval.NewImage(18, 18)
			for i := range in.Pix {
				in.Pix[i] = float32(i%7) / 6
			}
			out, err := translateEvalImage(tr, in)
			if err != nil {
				t.Fatal(err)
			}
			want := (math.Tanh(float64(bias)) + 1) / 2
			if out.W != 18 || out.H != 18 || len(out.Pix) != 3*18*18 {
				t.Fatalf("%+v: output %dx%d with %d values", cfg, out.W, out.H, len(out.Pix))
			}
			for i, v := range out.Pix {
				if math.Abs(float64(v)-want) > 1e-5 {
					t.Fatalf("%+v bias %v: value %d = %v, want %v", cfg, bias, i, v, want)
				}
			}
		}
	}
}
