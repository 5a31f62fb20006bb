package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// pass is one training pass of g on x: its output, the input gradient for
// the output gradient dy, and the weight gradients, all copied.
func pinPass(g *Generator, x, dy *Tensor) (y, dx []float32, grads [][]float32) {
	g.ZeroGrad()
	out, tape := g.ForwardTrain(x)
	d := g.Backward(tape, dy)
	y, dx = append([]float32(nil), out.Data...), append([]float32(nil), d.Data...)
	tape.Release()
	for _, p := range g.Params() {
		grads = append(grads, append([]float32(nil), p.Param.Grad.Data...))
	}
	return
}

func sameBitsAll(a, b [][]float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameFloats(a[i], b[i]) {
			return false
		}
	}
	return true
}

// TestPinWeights checks the contract of PinWeights on a generator with
// every kind of convolution (strided, padded, the few-channel row-cut last
// layer, the sub-pixel transposed convolution): pinned passes give the
// unpinned results bit for bit; while pinned the packings are kept (a
// weight changed without unpinning is not seen, which shows they are not
// made again); and unpinning and pinning again drops them, so the new
// weights are used.
func TestPinWeights(t *testing.T) {
	g := NewResnetGenerator(GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 8, NBlocks: 2})
	r := rand.New(rand.NewPCG(5, 6))
	for _, p := range g.Params() {
		for i := range p.Param.Value.Data {
			p.Param.Value.Data[i] = float32(r.NormFloat64() * 0.05)
		}
	}
	x, dy := NewTensor(1, 3, 32, 40), NewTensor(1, 3, 32, 40)
	for i := range x.Data {
		x.Data[i], dy.Data[i] = float32(r.Float64()*2-1), float32(r.NormFloat64())
	}
	y0, dx0, g0 := pinPass(g, x, dy)

	g.PinWeights(true)
	var y, dx []float32
	var gr [][]float32
	for i := 0; i < 2; i++ {
		y, dx, gr = pinPass(g, x, dy)
		if !sameFloats(y, y0) || !sameFloats(dx, dx0) || !sameBitsAll(gr, g0) {
			t.Fatalf("pinned pass %d differs from the unpinned one", i)
		}
	}

	// Change every convolution weight (not the biases, which are not
	// packed) while pinned: the kept packings still hold the old ones, so
	// the output stays as it was. (The input gradient does not: the first
	// convolution's, with 3 channels, is not kept; TestPinConvGradient
	// checks the kept ones.)
	for _, p := range g.Params() {
		if len(p.Param.Value.Shape) == 4 {
			for i, v := range p.Param.Value.Data {
				p.Param.Value.Data[i] = v*1.5 + 0.01
			}
		}
	}
	y, _, _ = pinPass(g, x, dy)
	if !sameFloats(y, y0) {
		t.Fatalf("pinned weights were packed again: a weight changed while pinned changed the output (max |Δy| %g)", maxDiff(y, y0))
	}

	// Unpin: the new weights are used, pinned again or not.
	g.PinWeights(false)
	y1, dx1, g1 := pinPass(g, x, dy)
	if sameFloats(y1, y0) {
		t.Fatal("the unpinned pass still uses the old weights")
	}
	g.PinWeights(true)
	y, dx, gr = pinPass(g, x, dy)
	if !sameFloats(y, y1) || !sameFloats(dx, dx1) || !sameBitsAll(gr, g1) {
		t.Fatalf("pinned again, the pass differs from the unpinned one with the new weights (max |Δy| %g, |Δdx| %g)", maxDiff(y, y1), maxDiff(dx, dx1))
	}
	g.PinWeights(false)
}

func maxDiff(a, b []float32) float64 {
	var m float64
	for i := range a {
		m = math.Max(m, math.Abs(float64(a[i]-b[i])))
	}
	return m
}

// TestPinConvGradient checks the kept packing of the input-gradient
// product (stride 1, and strided) the same way: while pinned, a changed
// weight is not seen; after unpinning and pinning again it is.
func TestPinConvGradient(t *testing.T) {
	for _, stride := range []int{1, 2} {
		l := NewConv2d(8, 16, 3, stride, 1, true)
		r := rand.New(rand.NewPCG(7, 8))
		for i := range l.Weight.Value.Data {
			l.Weight.Value.Data[i] = float32(r.NormFloat64() * 0.1)
		}
		x := NewTensor(1, 8, 12, 12)
		for i := range x.Data {
			x.Data[i] = float32(r.Float64()*2 - 1)
		}
		oh, ow := l.OutSize(12, 12)
		dy := NewTensor(1, 16, oh, ow)
		for i := range dy.Data {
			dy.Data[i] = float32(r.NormFloat64())
		}
		dxOf := func() []float32 { return append([]float32(nil), l.backward(x, dy, convGrads{input: true}).Data...) }
		l.pin(true)
		dx0 := dxOf()
		for i := range l.Weight.Value.Data {
			l.Weight.Value.Data[i] *= 2
		}
		if dx := dxOf(); !sameFloats(dx, dx0) {
			t.Errorf("stride %d: the pinned packing was made again (max |Δdx| %g)", stride, maxDiff(dx, dx0))
		}
		l.pin(false)
		dx1 := dxOf()
		l.pin(true)
		if dx := dxOf(); sameFloats(dx1, dx0) || !sameFloats(dx, dx1) {
			t.Errorf("stride %d: after pinning again the gradient is not the new weights' (max |Δ| to the unpinned %g)", stride, maxDiff(dx, dx1))
		}
	}
}
