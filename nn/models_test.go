package nn

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

type ltKey struct {
	key   string
	shape []int
}

// ltGeneratorKeys is the state_dict of the official
// ResnetGenerator(3, 3, ngf=64, norm_layer=InstanceNorm2d, n_blocks=9),
// written out by hand from models/networks.py.
func ltGeneratorKeys(dropout bool) []ltKey {
	conv := func(i string, out, in, k int) []ltKey {
		return []ltKey{{"model." + i + ".weight", []int{out, in, k, k}}, {"model." + i + ".bias", []int{out}}}
	}
	convT := func(i string, in, out int) []ltKey {
		return []ltKey{{"model." + i + ".weight", []int{in, out, 3, 3}}, {"model." + i + ".bias", []int{out}}}
	}
	var keys []ltKey
	keys = append(keys, conv("1", 64, 3, 7)...)
	keys = append(keys, conv("4", 128, 64, 3)...)
	keys = append(keys, conv("7", 256, 128, 3)...)
	second := "5"
	if dropout {
		second = "6"
	}
	for b := 10; b <= 18; b++ {
		keys = append(keys, conv(fmt.Sprint(b)+".conv_block.1", 256, 256, 3)...)
		keys = append(keys, conv(fmt.Sprint(b)+".conv_block."+second, 256, 256, 3)...)
	}
	keys = append(keys, convT("19", 256, 128)...)
	keys = append(keys, convT("22", 128, 64)...)
	keys = append(keys, conv("26", 3, 64, 7)...)
	return keys
}

func ltCheckKeys(t *testing.T, got []NamedParam, want []ltKey) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d parameters, want %d", len(got), len(want))
	}
	for i := 0; i < min(len(got), len(want)); i++ {
		g, w := got[i], want[i]
		if g.Key != w.key || fmt.Sprint(g.Param.Value.Shape) != fmt.Sprint(w.shape) {
			t.Errorf("parameter %d: %s %v, want %s %v", i, g.Key, g.Param.Value.Shape, w.key, w.shape)
		}
		if !strings.HasSuffix(g.Key, "."+g.Param.Name) {
			t.Errorf("parameter %s has Name %q", g.Key, g.Param.Name)
		}
	}
}

func TestGeneratorStateDictKeys(t *testing.T) {
	for _, dropout := range []bool{false, true} {
		g := NewResnetGenerator(GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 64, NBlocks: 9, Dropout: dropout})
		ltCheckKeys(t, g.Params(), ltGeneratorKeys(dropout))
		if n := len(g.Layers()); n != 28 {
			t.Errorf("%d top-level layers, want 28 (model.0 … model.27)", n)
		}
	}
	// Other channel counts and block counts move the tail's indices.
	g := NewResnetGenerator(GeneratorConfig{InputNC: 1, OutputNC: 2, NGF: 8, NBlocks: 6})
	ps := g.Params()
	last := ps[len(ps)-2]
	if last.Key != "model.23.weight" || fmt.Sprint(last.Param.Value.Shape) != "[2 8 7 7]" {
		t.Errorf("6 blocks: last weight %s %v, want model.23.weight [2 8 7 7]", last.Key, last.Param.Value.Shape)
	}
	if ps[0].Key != "model.1.weight" || fmt.Sprint(ps[0].Param.Value.Shape) != "[8 1 7 7]" {
		t.Errorf("first weight %s %v, want model.1.weight [8 1 7 7]", ps[0].Key, ps[0].Param.Value.Shape)
	}
}

func TestDiscriminatorStateDictKeys(t *testing.T) {
	d := NewNLayerDiscriminator(DiscriminatorConfig{InputNC: 3, NDF: 64, NLayers: 3})
	ltCheckKeys(t, d.Params(), []ltKey{
		{"model.0.weight", []int{64, 3, 4, 4}}, {"model.0.bias", []int{64}},
		{"model.2.weight", []int{128, 64, 4, 4}}, {"model.2.bias", []int{128}},
		{"model.5.weight", []int{256, 128, 4, 4}}, {"model.5.bias", []int{256}},
		{"model.8.weight", []int{512, 256, 4, 4}}, {"model.8.bias", []int{512}},
		{"model.11.weight", []int{1, 512, 4, 4}}, {"model.11.bias", []int{1}},
	})
	// n_layers 5 caps the multiplier at 8.
	d5 := NewNLayerDiscriminator(DiscriminatorConfig{InputNC: 3, NDF: 4, NLayers: 5})
	ps := d5.Params()
	if got := ps[len(ps)-2]; got.Key != "model.17.weight" || fmt.Sprint(got.Param.Value.Shape) != "[1 32 4 4]" {
		t.Errorf("n_layers 5: last weight %s %v, want model.17.weight [1 32 4 4]", got.Key, got.Param.Value.Shape)
	}
}

func ltGenerator(cfg GeneratorConfig, seed uint64) *Generator {
	g := NewResnetGenerator(cfg)
	gcInitModel(g.Params(), rand.New(rand.NewPCG(seed, 1)))
	return g
}

func TestGeneratorInputErrors(t *testing.T) {
	g := ltGenerator(GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 2, NBlocks: 1}, 1)
	for _, c := range []struct {
		x    *Tensor
		want string
	}{
		{nil, "4-D"},
		{NewTensor(3, 8, 8), "4-D"},
		{NewTensor(0, 3, 8, 8), "batch size 0"},
		{NewTensor(1, 4, 8, 8), "4 channels"},
		{NewTensor(1, 3, 10, 8), "multiples of 4"},
		{NewTensor(1, 3, 8, 14), "multiples of 4"},
		{NewTensor(1, 3, 4, 8), "at least 8"},
		{&Tensor{Shape: []int{1, 3, 8, 8}, Data: make([]float32, 10)}, "holds 10 values"},
	} {
		y, err := g.Forward(c.x)
		if err == nil || y != nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Forward(%v): (%v, %v), want an error containing %q", c.x, y, err, c.want)
		}
	}
}

func TestModelsShapesAndPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	g := ltGenerator(GeneratorConfig{InputNC: 3, OutputNC: 2, NGF: 3, NBlocks: 2}, 2)
	x := gcRand(rng, 0.5, 2, 3, 12, 16)
	x0 := x.Clone()
	var calls []string
	y, err := g.ForwardSteps(x, func(done, total int) error { calls = append(calls, fmt.Sprint(done, "/", total)); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(y.Shape) != "[2 2 12 16]" {
		t.Fatalf("generator output %v, want [2 2 12 16]", y.Shape)
	}
	if len(calls) != 21 || calls[0] != "1/21" || calls[20] != "21/21" {
		t.Errorf("progress calls %v, want 1/21 … 21/21", calls)
	}
	ltClose(t, "Forward leaves its input alone", x, x0, 0)
	for _, v := range y.Data {
		if !(v > -1 && v < 1) {
			t.Fatalf("generator output %g outside (-1, 1)", v)
		}
	}
	// A step that fails stops the pass there and its error comes back.
	stop := fmt.Errorf("cancelled")
	calls = nil
	if y, err := g.ForwardSteps(x, func(done, total int) error {
		calls = append(calls, fmt.Sprint(done))
		if done == 5 {
			return stop
		}
		return nil
	}); err != stop || y != nil || len(calls) != 5 {
		t.Errorf("ForwardSteps stopped at step 5 gave (%v, %v) after %d steps, want (nil, %v) after 5", y, err, len(calls), stop)
	}
	// The training path computes the same function, and keeps its output.
	yt, _ := g.ForwardTrain(x)
	ltClose(t, "ForwardTrain = Forward", yt, y, 1e-6)
	ltClose(t, "ForwardTrain leaves its input alone", x, x0, 0)
	// Batch items are independent: image 1 alone gives the same output.
	x1 := FromData(append([]float32(nil), x.Data[3*12*16:]...), 1, 3, 12, 16)
	y1, _ := g.Forward(x1)
	ltClose(t, "batch item", y1, FromData(y.Data[2*12*16:], 1, 2, 12, 16), 1e-6)
	// Freezing changes nothing in the results.
	g.Freeze()
	yf, _ := g.Forward(x)
	ltClose(t, "frozen", yf, y, 1e-6)

	// PatchGAN: 32x40 -> 16x20 -> 8x10 -> 4x5 -> 3x4 -> 2x3 patch scores.
	d := NewNLayerDiscriminator(DiscriminatorConfig{InputNC: 2, NDF: 4, NLayers: 3})
	gcInitModel(d.Params(), rng)
	xd := gcRand(rng, 0.5, 2, 2, 32, 40)
	sd := d.Forward(xd)
	if fmt.Sprint(sd.Shape) != "[2 1 2 3]" {
		t.Fatalf("discriminator output %v, want [2 1 2 3]", sd.Shape)
	}
	if oh, ow := d.OutSize(32, 40); oh != 2 || ow != 3 {
		t.Errorf("OutSize(32, 40) = %d, %d, want 2, 3", oh, ow)
	}
	st, _ := d.ForwardTrain(xd)
	ltClose(t, "discriminator ForwardTrain = Forward", st, sd, 1e-6)
	for _, bad := range []*Tensor{NewTensor(1, 2, 12, 16), NewTensor(1, 3, 32, 40), NewTensor(2, 32, 40)} {
		if err := d.CheckInput(bad); err == nil {
			t.Errorf("discriminator CheckInput(%v) accepted it", bad.Shape)
		}
	}
}

// Several forward passes of one model may await their backward (CycleGAN
// runs G_B three times per step): each tape gives the gradient of its own
// pass, and the parameter gradients add up.
func TestTapesAreIndependent(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	g := ltGenerator(GeneratorConfig{InputNC: 2, OutputNC: 2, NGF: 2, NBlocks: 1}, 3)
	xa, xb := gcRand(rng, 0.5, 1, 2, 8, 12), gcRand(rng, 0.5, 1, 2, 8, 12)
	ra, rb := gcRand(rng, 1, 1, 2, 8, 12), gcRand(rng, 1, 1, 2, 8, 12)
	grads := func() []*Tensor {
		var out []*Tensor
		for _, p := range g.Params() {
			out = append(out, p.Param.Grad.Clone())
		}
		return out
	}
	// Separately.
	g.ZeroGrad()
	_, ta := g.ForwardTrain(xa)
	dxa := g.Backward(ta, ra)
	ga := grads()
	g.ZeroGrad()
	for _, p := range g.Params() {
		for _, v := range p.Param.Grad.Data {
			if v != 0 {
				t.Fatalf("ZeroGrad left %s non-zero", p.Key)
			}
		}
	}
	_, tb := g.ForwardTrain(xb)
	dxb := g.Backward(tb, rb)
	gb := grads()
	// Interleaved: both forwards first, backward in the other order.
	g.ZeroGrad()
	_, ta = g.ForwardTrain(xa)
	_, tb = g.ForwardTrain(xb)
	ltClose(t, "dx b", g.Backward(tb, rb), dxb, 0)
	ltClose(t, "dx a", g.Backward(ta, ra), dxa, 0)
	for i, p := range g.Params() {
		sum := ga[i].Clone()
		addInto(sum.Data, gb[i].Data)
		ltClose(t, p.Key, p.Param.Grad, sum, 1e-5*max(1, gcMaxAbs(sum)))
	}
}

// Inference keeps no activation longer than needed. After every top-level
// layer (from the progress callback, after a GC), the live heap beyond what
// existed before may hold the input, the current activation and the output
// of the layer before (for the in-place layers it is the same tensor), and a
// little runtime noise; keeping every activation would need several times that.
// Storage of consumed activations that went to the scratch pool for the next
// layers to reuse (scratch_pool.go) is not an activation: it is counted apart
// and must stay well below what keeping every activation would take (it
// holds about one free buffer per activation size, plus the transposed
// convolutions' column buffers; at most 32 MB each, 256 MB in all).
func TestGeneratorInferenceFreesActivations(t *testing.T) {
	cfg := GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 8, NBlocks: 2}
	g := ltGenerator(cfg, 4)
	const h, w = 64, 64
	x := gcRand(rand.New(rand.NewPCG(1, 2)), 0.5, 1, 3, h, w)
	// The largest activation: ngf channels of the padded (h+6)x(w+6) plane.
	largest := uint64(cfg.NGF * (h + 6) * (w + 6) * 4)
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base, pooled0 := int64(ms.HeapAlloc), scratchBytes()
	var worst, poolGrowth int64
	step := func(done, total int) error {
		runtime.GC()
		runtime.GC() // the second empties sync.Pool's victim cache (kernel scratch)
		runtime.ReadMemStats(&ms)
		grown := scratchBytes() - pooled0
		poolGrowth = max(poolGrowth, grown)
		worst = max(worst, int64(ms.HeapAlloc)-base-grown)
		return nil
	}
	if _, err := g.ForwardSteps(x, step); err != nil {
		t.Fatal(err)
	}
	// Sum of every activation, what a tape would keep.
	_, tape := g.ForwardTrain(x)
	var all uint64
	for _, a := range tape.acts {
		all += uint64(len(a.Data) * 4)
	}
	limit := int64(2*largest + 64<<10)
	t.Logf("live heap after a layer at most %d bytes (+ %d pooled for reuse); largest activation %d, all activations %d", worst, poolGrowth, largest, all)
	if poolGrowth > int64(all)*3/4 {
		t.Errorf("the scratch pool grew by %d bytes during inference, want ≤ %d (¾ of what a tape holds)", poolGrowth, all*3/4)
	}
	if worst > limit {
		t.Errorf("inference held %d bytes between layers, want ≤ %d (2 × largest activation + 64 KiB); a tape holds %d", worst, limit, all)
	}
	if int64(all) < 3*limit {
		t.Errorf("test is too weak: all activations (%d) hardly exceed the limit (%d)", all, limit)
	}
}
