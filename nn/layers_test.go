package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Forward of each layer against a direct, loop-by-definition reference
// (PyTorch fixtures are compared in pytorch_test.go), and the layers'
// bookkeeping: shapes, accumulation of gradients, inputs left untouched.

// ltConvRef is Conv2d by definition: y[co,oy,ox] = b[co] + Σ w[co,ci,ky,kx]·x[ci, oy·s−p+ky, ox·s−p+kx].
func ltConvRef(x *Tensor, l *Conv2d) *Tensor {
	g := l.Geom
	n, cin, h, w := x.N(), x.C(), x.H(), x.W()
	oh, ow := g.OutSize(h, w)
	y := NewTensor(n, l.OutC, oh, ow)
	wt := l.Weight.Value.Data
	for i := 0; i < n; i++ {
		for co := 0; co < l.OutC; co++ {
			for oy := 0; oy < oh; oy++ {
				for ox := 0; ox < ow; ox++ {
					var s float64
					if l.Bias != nil {
						s = float64(l.Bias.Value.Data[co])
					}
					for ci := 0; ci < cin; ci++ {
						for ky := 0; ky < g.KH; ky++ {
							for kx := 0; kx < g.KW; kx++ {
								iy, ix := oy*g.StrideH-g.PadH+ky, ox*g.StrideW-g.PadW+kx
								if iy < 0 || iy >= h || ix < 0 || ix >= w {
									continue
								}
								s += float64(wt[((co*cin+ci)*g.KH+ky)*g.KW+kx]) * float64(x.Data[((i*cin+ci)*h+iy)*w+ix])
							}
						}
					}
					y.Data[((i*l.OutC+co)*oh+oy)*ow+ox] = float32(s)
				}
			}
		}
	}
	return y
}

// ltConvTRef is ConvTranspose2d by definition: every input value x[ci,iy,ix]
// scatters w[ci,co,ky,kx]·x into y[co, iy·s−p+ky, ix·s−p+kx].
func ltConvTRef(x *Tensor, l *ConvTranspose2d) *Tensor {
	g := l.Geom
	n, cin, h, w := x.N(), x.C(), x.H(), x.W()
	oh, ow := l.OutSize(h, w)
	acc := make([]float64, n*l.OutC*oh*ow)
	wt := l.Weight.Value.Data
	for i := 0; i < n; i++ {
		for ci := 0; ci < cin; ci++ {
			for iy := 0; iy < h; iy++ {
				for ix := 0; ix < w; ix++ {
					v := float64(x.Data[((i*cin+ci)*h+iy)*w+ix])
					for co := 0; co < l.OutC; co++ {
						for ky := 0; ky < g.KH; ky++ {
							for kx := 0; kx < g.KW; kx++ {
								oy, ox := iy*g.StrideH-g.PadH+ky, ix*g.StrideW-g.PadW+kx
								if oy < 0 || oy >= oh || ox < 0 || ox >= ow {
									continue
								}
								acc[((i*l.OutC+co)*oh+oy)*ow+ox] += v * float64(wt[((ci*l.OutC+co)*g.KH+ky)*g.KW+kx])
							}
						}
					}
				}
			}
		}
	}
	y := NewTensor(n, l.OutC, oh, ow)
	for i := range acc {
		b := 0.0
		if l.Bias != nil {
			b = float64(l.Bias.Value.Data[(i/(oh*ow))%l.OutC])
		}
		y.Data[i] = float32(acc[i] + b)
	}
	return y
}

func ltClose(t *testing.T, what string, got, want *Tensor, tol float64) {
	t.Helper()
	if !got.SameShape(want) {
		t.Fatalf("%s: shape %v, want %v", what, got.Shape, want.Shape)
	}
	for i := range want.Data {
		if d := math.Abs(float64(got.Data[i] - want.Data[i])); !(d <= tol) {
			t.Fatalf("%s: [%d] = %g, want %g (|diff| %.3g > %.3g)", what, i, got.Data[i], want.Data[i], d, tol)
		}
	}
}

func ltRandParams(l Layer, rng *rand.Rand) {
	for _, p := range l.Params() {
		copy(p.Value.Data, gcRand(rng, 0.5, p.Value.Shape...).Data)
	}
}

func TestConv2dForwardMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, c := range []struct{ in, out, k, s, p, n, h, w int }{
		{3, 4, 3, 1, 1, 2, 5, 7},
		{2, 3, 4, 2, 1, 1, 9, 8},
		{4, 2, 1, 1, 0, 1, 3, 5},
		{3, 5, 7, 1, 0, 1, 10, 9},
		{2, 2, 3, 2, 1, 3, 6, 6},
		{1, 1, 2, 3, 2, 1, 5, 4},
	} {
		l := NewConv2d(c.in, c.out, c.k, c.s, c.p, c.in != 4)
		ltRandParams(l, rng)
		x := gcRand(rng, 1, c.n, c.in, c.h, c.w)
		x0 := x.Clone()
		ltClose(t, "conv", l.Forward(x), ltConvRef(x, l), 1e-5)
		ltClose(t, "conv input untouched", x, x0, 0)
	}
}

func TestConvTranspose2dForwardMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, c := range []struct{ in, out, k, s, p, op, n, h, w int }{
		{4, 3, 3, 2, 1, 1, 2, 3, 5}, // the generator's upsampling (by phases)
		{4, 3, 3, 2, 1, 0, 1, 4, 3}, // phases, odd output size
		{3, 4, 2, 2, 0, 0, 1, 3, 4}, // phases of one tap each
		{2, 3, 4, 2, 1, 0, 1, 4, 3}, // offsets below 0: col2im
		{2, 3, 3, 2, 0, 1, 1, 3, 3}, // offsets below 0: col2im
		{3, 2, 3, 1, 1, 0, 1, 4, 4},
		{2, 2, 5, 3, 2, 2, 1, 3, 2},
		{3, 1, 1, 1, 0, 0, 2, 2, 3},
	} {
		l := NewConvTranspose2d(c.in, c.out, c.k, c.s, c.p, c.op, c.in != 3)
		if phased := c.s > 1 && c.k-c.s <= c.p && c.p+c.s-1 < c.k; (l.phases != nil) != phased {
			t.Errorf("ConvTranspose2d%+v: by phases %v, want %v", c, l.phases != nil, phased)
		}
		ltRandParams(l, rng)
		x := gcRand(rng, 1, c.n, c.in, c.h, c.w)
		y := l.Forward(x)
		wantH := (c.h-1)*c.s - 2*c.p + c.k + c.op
		if y.H() != wantH {
			t.Errorf("ConvTranspose2d%+v: output height %d, want %d", c, y.H(), wantH)
		}
		ltClose(t, "convT", y, ltConvTRef(x, l), 1e-5)
	}
}

// Big images are unrolled a band of rows at a time: with a tiny budget (one
// or a few rows per band) every result must equal the one-band result.
func TestConvBandsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	conv := NewConv2d(3, 2, 3, 2, 1, true)
	convT := NewConvTranspose2d(3, 2, 3, 2, 1, 1, true)
	ltRandParams(conv, rng)
	ltRandParams(convT, rng)
	x := gcRand(rng, 1, 2, 3, 11, 9)
	run := func(l Layer) []*Tensor {
		for _, p := range l.Params() {
			p.Grad = nil
		}
		y := l.Forward(x)
		dy := gcRand(rand.New(rand.NewPCG(1, 1)), 1, y.Shape...)
		out := []*Tensor{y, l.Backward(x, y, dy)}
		for _, p := range l.Params() {
			out = append(out, p.Grad)
		}
		return out
	}
	saved, savedStrided := colBudget, stridedBandFloats
	defer func() { colBudget, stridedBandFloats = saved, savedStrided }()
	for _, l := range []Layer{conv, convT} {
		colBudget, stridedBandFloats = saved, savedStrided
		want := run(l)
		// tiny budgets: one row per band, a few rows, and (for the
		// transposed convolution) no room for the sub-pixel phases
		for _, budget := range []int{1, 3 * 9 * 9 * 2, 2 * 9 * 9 * 3} {
			colBudget, stridedBandFloats = budget, budget
			for i, got := range run(l) {
				// Bands change the order of the dW sums: float32 rounding.
				ltClose(t, "banded", got, want[i], 2e-6*math.Max(1, gcMaxAbs(want[i])))
			}
		}
	}
}

func TestReflectionPad2dForward(t *testing.T) {
	x := FromData([]float32{
		1, 2, 3,
		4, 5, 6,
	}, 1, 1, 2, 3)
	// torch.nn.ReflectionPad2d(1)(x)
	want := FromData([]float32{
		5, 4, 5, 6, 5,
		2, 1, 2, 3, 2,
		5, 4, 5, 6, 5,
		2, 1, 2, 3, 2,
	}, 1, 1, 4, 5)
	ltClose(t, "pad1", NewReflectionPad2d(1).Forward(x), want, 0)
	// Pad 2 on 3 columns: columns 2 1 | 0 1 2 | 1 0.
	x2 := FromData([]float32{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3)
	y := NewReflectionPad2d(2).Forward(x2)
	row := y.Data[2*7 : 3*7] // padded row 2 is input row 0
	want2 := []float32{3, 2, 1, 2, 3, 2, 1}
	for i, v := range want2 {
		if row[i] != v {
			t.Fatalf("pad2 row 2 = %v, want %v", row, want2)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("ReflectionPad2d(2) of a 2-row input did not panic (PyTorch rejects it)")
		}
	}()
	NewReflectionPad2d(2).Forward(x)
}

func TestInstanceNorm2dForward(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	x := gcRand(rng, 3, 2, 3, 5, 4)
	for i := range x.Data {
		x.Data[i] += 100 // a large mean must not cost precision
	}
	y := NewInstanceNorm2d(3).Forward(x)
	for p := 0; p < 6; p++ {
		plane := y.Data[p*20 : (p+1)*20]
		var s, ss float64
		for _, v := range plane {
			s += float64(v)
		}
		m := s / 20
		for _, v := range plane {
			ss += (float64(v) - m) * (float64(v) - m)
		}
		// var(y) = var/(var+eps): var ≈ 9 here.
		src := x.Data[p*20 : (p+1)*20]
		var xs, xss float64
		for _, v := range src {
			xs += float64(v)
		}
		for _, v := range src {
			xss += (float64(v) - xs/20) * (float64(v) - xs/20)
		}
		wantVar := (xss / 20) / (xss/20 + 1e-5)
		if math.Abs(m) > 1e-5 || math.Abs(ss/20-wantVar) > 1e-5 {
			t.Errorf("plane %d: mean %.3g, variance %.7f, want 0 and %.7f", p, m, ss/20, wantVar)
		}
	}
	// A constant plane normalises to 0 (variance 0, eps keeps it finite).
	c := NewTensor(1, 1, 2, 2)
	for i := range c.Data {
		c.Data[i] = 7
	}
	for _, v := range NewInstanceNorm2d(1).Forward(c).Data {
		if v != 0 {
			t.Fatalf("constant plane normalised to %v, want 0", v)
		}
	}
}

func TestActivationsForward(t *testing.T) {
	x := FromData([]float32{-2, -0.5, 0, 0.5, 3}, 1, 1, 1, 5)
	ltClose(t, "relu", NewReLU().Forward(x), FromData([]float32{0, 0, 0, 0.5, 3}, 1, 1, 1, 5), 0)
	ltClose(t, "leaky", NewLeakyReLU(0.2).Forward(x), FromData([]float32{-0.4, -0.1, 0, 0.5, 3}, 1, 1, 1, 5), 1e-7)
	th := NewTanh().Forward(x)
	for i, v := range x.Data {
		if math.Abs(float64(th.Data[i])-math.Tanh(float64(v))) > 1e-7 {
			t.Errorf("tanh(%g) = %g", v, th.Data[i])
		}
	}
	if x.Data[0] != -2 {
		t.Error("an activation's Forward modified its input")
	}
	d := NewDropout(0.5)
	if y := d.Forward(x); y != x {
		t.Error("Dropout must be the identity")
	}
}

// Backward accumulates parameter gradients: a second call doubles them.
func TestBackwardAccumulates(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, c := range []struct {
		l   Layer
		inC int
	}{{NewConv2d(2, 3, 3, 2, 1, true), 2}, {NewConvTranspose2d(3, 2, 3, 2, 1, 1, true), 3}} {
		l := c.l
		ltRandParams(l, rng)
		x := gcRand(rng, 1, 2, c.inC, 5, 6)
		y := l.Forward(x)
		dy := gcRand(rng, 1, y.Shape...)
		l.Backward(x, y, dy)
		once := []*Tensor{l.Params()[0].Grad.Clone(), l.Params()[1].Grad.Clone()}
		l.Backward(x, y, dy)
		for i, p := range l.Params() {
			for j, v := range p.Grad.Data {
				if math.Abs(float64(v-2*once[i].Data[j])) > 1e-5*math.Max(1, math.Abs(float64(v))) {
					t.Fatalf("%T %s: second Backward gave %g, want 2×%g", l, p.Name, v, once[i].Data[j])
				}
			}
		}
	}
}
