package train

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/cyclegan-go/cyclegan/nn"
)

// phaseSpread feeds a constant image (a different value per channel) to each
// of g's transposed convolutions and returns the largest difference, over
// output channels, between the four sub-pixel phases inside the border: 0
// for an upsampling without checkerboard.
func phaseSpread(g *nn.Generator) float64 {
	worst := 0.0
	for _, l := range g.Layers() {
		ct, ok := l.(*nn.ConvTranspose2d)
		if !ok {
			continue
		}
		x := nn.NewTensor(1, ct.InC, 6, 6)
		for c := range ct.InC {
			for i := range 36 {
				x.Data[c*36+i] = float32(c%5) - 1.7
			}
		}
		y := ct.Forward(x) // (1, OutC, 12, 12)
		for o := range ct.OutC {
			plane := y.Data[o*144 : o*144+144]
			lo, hi := math.Inf(1), math.Inf(-1)
			for oy := 2; oy < 10; oy++ { // away from the last row and column, where the input ends
				for ox := 2; ox < 10; ox++ {
					v := float64(plane[oy*12+ox])
					lo, hi = min(lo, v), max(hi, v)
				}
			}
			worst = max(worst, hi-lo)
		}
	}
	return worst
}

func TestInitUpsampleBilinear(t *testing.T) {
	build := func(init string) *Model {
		o := Defaults()
		o.NGF, o.NDF, o.NetG, o.InitUpsample = 4, 8, "resnet_2blocks", init
		m, err := NewModel(&o, rand.New(rand.NewPCG(3, 4)))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	normal, bilinear := build("normal"), build("bilinear")

	// The official init paints a checkerboard on a flat input; the bilinear one does not.
	if s := phaseSpread(normal.GA); s < 1e-3 {
		t.Fatalf("normal init: phase spread %g, want a visible checkerboard", s)
	}
	for name, g := range map[string]*nn.Generator{"G_A": bilinear.GA, "G_B": bilinear.GB} {
		if s := phaseSpread(g); s > 1e-6 {
			t.Errorf("bilinear init, %s: phase spread %g, want 0", name, s)
		}
	}

	// Every other weight is drawn exactly as by the official init, and the
	// transposed convolutions keep the centre tap it drew.
	for n, pair := range [][2][]nn.NamedParam{
		{normal.GA.Params(), bilinear.GA.Params()}, {normal.GB.Params(), bilinear.GB.Params()},
		{normal.DA.Params(), bilinear.DA.Params()}, {normal.DB.Params(), bilinear.DB.Params()},
	} {
		changed := 0
		for i, p := range pair[0] {
			a, b := p.Param.Value.Data, pair[1][i].Param.Value.Data
			if slices.Equal(a, b) {
				continue
			}
			changed++
			if n > 1 {
				t.Errorf("%s %s: discriminator weights differ", NetNames[n], p.Key)
			}
			for j := 4; j < len(a); j += 9 {
				if a[j] != b[j] {
					t.Fatalf("%s %s: centre tap %d changed from %g to %g", NetNames[n], p.Key, j/9, a[j], b[j])
				}
			}
		}
		if n <= 1 && changed != 2 {
			t.Errorf("%s: %d tensors differ from the official init, want 2 (the transposed convolutions' weights)", NetNames[n], changed)
		}
	}
}

func TestInitUpsampleValidated(t *testing.T) {
	o := Defaults()
	o.DirA, o.DirB = "a", "b"
	if err := o.Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	o.InitUpsample = "nearest"
	if err := o.Validate(); err == nil {
		t.Fatal("--init_upsample nearest: no error")
	}
}

func TestBalanceUpsample(t *testing.T) {
	o := Defaults()
	o.NGF, o.NDF, o.NetG = 4, 8, "resnet_1blocks"
	m, err := NewModel(&o, rand.New(rand.NewPCG(5, 6)))
	if err != nil {
		t.Fatal(err)
	}
	if s := phaseSpread(m.GA); s < 1e-3 {
		t.Fatalf("before balancing: phase spread %g, want a visible checkerboard", s)
	}
	balanceUpsample(m.GA)
	if s := phaseSpread(m.GA); s > 1e-6 {
		t.Fatalf("after balancing: phase spread %g, want 0", s)
	}
	// A projection: balancing again changes nothing, and a bilinear kernel
	// (already balanced) is left as it is.
	before := slices.Clone(m.GA.Params()[0].Param.Value.Data)
	ct := upsampleLayers(m.GA)[0]
	snapshot := slices.Clone(ct.Weight.Value.Data)
	balanceUpsample(m.GA)
	for i, v := range ct.Weight.Value.Data {
		if math.Abs(float64(v-snapshot[i])) > 1e-7 {
			t.Fatalf("balancing twice moved tap %d: %g -> %g", i, snapshot[i], v)
		}
	}
	if !slices.Equal(before, m.GA.Params()[0].Param.Value.Data) {
		t.Fatal("balancing changed a layer that is not a transposed convolution")
	}
	initUpsampleBilinear(m.GA)
	snapshot = slices.Clone(ct.Weight.Value.Data)
	balanceUpsample(m.GA)
	for i, v := range ct.Weight.Value.Data {
		if math.Abs(float64(v-snapshot[i])) > 1e-7 {
			t.Fatalf("balancing moved tap %d of a bilinear kernel: %g -> %g", i, snapshot[i], v)
		}
	}
}

// randomImage is a 1×3×size×size batch of uniform values in [-1, 1), the
// range of the training images.
func randomImage(r *rand.Rand, size int) *nn.Tensor {
	x := nn.NewTensor(1, 3, size, size)
	for i := range x.Data {
		x.Data[i] = float32(r.Float64()*2 - 1)
	}
	return x
}

// TestStepKeepsUpsampleBalanced trains a few steps with --balance_upsample
// and checks that the generators' upsampling stays checkerboard-free while
// the weights do move; without the option the phases drift apart.
func TestStepKeepsUpsampleBalanced(t *testing.T) {
	build := func(balance bool) *Model {
		o := Defaults()
		o.NGF, o.NDF, o.NetG, o.InitUpsample, o.BalanceUpsample = 4, 8, "resnet_1blocks", "bilinear", balance
		m, err := NewModel(&o, rand.New(rand.NewPCG(7, 8)))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	train := func(m *Model) {
		rng := rand.New(rand.NewPCG(9, 10))
		for range 3 {
			if _, _, err := m.Step(randomImage(rng, 32), randomImage(rng, 32), 0.01, rng); err != nil {
				t.Fatal(err)
			}
		}
	}
	start, free, balanced := build(true), build(false), build(true)
	train(free)
	train(balanced)
	for i, p := range start.GA.Params() {
		if strings.HasSuffix(p.Key, ".weight") && slices.Equal(p.Param.Value.Data, balanced.GA.Params()[i].Param.Value.Data) {
			t.Errorf("balanced training: G_A %s did not move", p.Key)
		}
	}
	if s := phaseSpread(free.GA); s < 1e-4 {
		t.Fatalf("free training: phase spread %g, want the phases to drift apart", s)
	}
	for name, g := range map[string]*nn.Generator{"G_A": balanced.GA, "G_B": balanced.GB} {
		if s := phaseSpread(g); s > 1e-5 {
			t.Errorf("balanced training, %s: phase spread %g, want 0", name, s)
		}
	}
}
