package weights

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cyclegan-go/cyclegan/nn"
)

// TestArchMatchesNetwork checks that Arch.Tensors lists exactly the
// parameters of nn's generator, in order, for several configurations.
func TestArchMatchesNetwork(t *testing.T) {
	for _, a := range []Arch{NewArch(3, 3, 4, 2, false), NewArch(1, 3, 6, 3, true), NewArch(3, 1, 8, 0, false), NewArch(3, 3, 64, 9, false)} {
		g := nn.NewResnetGenerator(a.GeneratorConfig)
		params := g.Params()
		specs := a.Tensors()
		if len(params) != len(specs) {
			t.Fatalf("%+v: %d params, %d specs", a, len(params), len(specs))
		}
		for i, p := range params {
			if p.Key != specs[i].Name || !slices.Equal(p.Param.Value.Shape, specs[i].Shape) {
				t.Fatalf("%+v: param %d is %s%v, spec %s%v", a, i, p.Key, p.Param.Value.Shape, specs[i].Name, specs[i].Shape)
			}
		}
		if ArchOf(g.Config()) != a {
			t.Fatalf("ArchOf(g.Config()) = %+v, want %+v", ArchOf(g.Config()), a)
		}
	}
}

func TestGeneratorRoundTrip(t *testing.T) {
	cfg := nn.GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 4, NBlocks: 1}
	g := nn.NewResnetGenerator(cfg)
	nn.InitNormal(g.Params(), 0.02, rand.New(rand.NewPCG(1, 2)))
	f := &File{Meta: Meta{Storage: "f32", Provenance: Provenance{Source: "trained"}}}
	f.AddGenerator("G_A", "a", "b", g)
	var buf bytes.Buffer
	if err := Write(&buf, f); err != nil {
		t.Fatal(err)
	}
	r, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	g2, err := r.Generator(0)
	if err != nil {
		t.Fatal(err)
	}
	x := nn.NewTensor(1, 3, 16, 16)
	for i := range x.Data {
		x.Data[i] = float32(i%7)/3 - 1
	}
	y1, err := g.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	y2, _ := g2.Forward(x)
	for i := range y1.Data {
		if y1.Data[i] != y2.Data[i] {
			t.Fatalf("output %d differs: %v vs %v", i, y1.Data[i], y2.Data[i])
		}
	}
	if _, err := r.Generator(1); err == nil {
		t.Fatal("generator 1 of a one-generator file")
	}
}
