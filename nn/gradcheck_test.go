package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// Backward of every layer and of both models against central finite
// differences of the scalar loss L = Σ y·r (r random, fixed), so dL/dy = r.
// L is accumulated in float64 from the float32 outputs. For each checked
// tensor, each coordinate i (all of them, or a random sample for large
// tensors) must satisfy
//
//	|fd_i − g_i| ≤ rtol·max|g| + rtol·|g_i|
//
// where g is the analytic gradient and fd the difference quotient with step
// eps. Inputs of kinked layers (ReLU, LeakyReLU) are kept ≥ 0.05 away from
// the kink so that ±eps never crosses it. Inside the models the kinks are
// everywhere (and InstanceNorm over tiny planes is strongly curved), so a
// coordinate that disagrees is retried with steps eps/3 … eps/81; a wrong
// gradient disagrees at every step size.

func gcRand(rng *rand.Rand, scale float32, shape ...int) *Tensor {
	t := NewTensor(shape...)
	for i := range t.Data {
		t.Data[i] = float32(rng.NormFloat64()) * scale
	}
	return t
}

// gcAwayFromZero moves every value of t at least 0.05 from 0.
func gcAwayFromZero(t *Tensor) {
	for i, v := range t.Data {
		if v >= 0 && v < 0.05 {
			t.Data[i] = v + 0.05
		} else if v < 0 && v > -0.05 {
			t.Data[i] = v - 0.05
		}
	}
}

func gcDot(y, r *Tensor) float64 {
	var s float64
	for i, v := range y.Data {
		s += float64(v) * float64(r.Data[i])
	}
	return s
}

func gcMaxAbs(t *Tensor) float64 {
	m := 0.0
	for _, v := range t.Data {
		m = math.Max(m, math.Abs(float64(v)))
	}
	return m
}

// gcTarget is a tensor the loss depends on and its analytic gradient.
type gcTarget struct {
	name string
	val  *Tensor
	grad *Tensor
	// zero: the true gradient is 0 (a bias feeding an InstanceNorm); it is
	// then checked to be below 1e-4·zeroScale (its weight's max |gradient|).
	zero      bool
	zeroScale float64
}

// gcNormBiases maps each bias feeding an InstanceNorm to its layer's weight.
func gcNormBiases(layers []Layer, out map[*Param]*Param) map[*Param]*Param {
	for i, l := range layers {
		if c, ok := l.(container); ok {
			_, sub := c.children()
			gcNormBiases(sub, out)
		}
		ps := l.Params()
		if len(ps) == 2 && i+1 < len(layers) {
			if _, ok := layers[i+1].(*InstanceNorm2d); ok {
				out[ps[1]] = ps[0]
			}
		}
	}
	return out
}

// gcTargets lists the parameters of layers with their gradients.
func gcTargets(params []NamedParam, layers []Layer) []gcTarget {
	nb := gcNormBiases(layers, map[*Param]*Param{})
	var out []gcTarget
	for _, np := range params {
		tg := gcTarget{name: np.Key, val: np.Param.Value, grad: np.Param.Grad}
		if w, ok := nb[np.Param]; ok && w.Grad != nil {
			tg.zero, tg.zeroScale = true, gcMaxAbs(w.Grad)
		}
		out = append(out, tg)
	}
	return out
}

// gcCheck perturbs up to maxCoords coordinates of each target and compares.
func gcCheck(t *testing.T, loss func() float64, targets []gcTarget, eps float32, rtol float64, maxCoords int, rng *rand.Rand) {
	t.Helper()
	for _, tg := range targets {
		if tg.grad == nil {
			t.Errorf("%s: no gradient was computed", tg.name)
			continue
		}
		if len(tg.grad.Data) != len(tg.val.Data) {
			t.Errorf("%s: gradient has shape %v, value %v", tg.name, tg.grad.Shape, tg.val.Shape)
			continue
		}
		scale := gcMaxAbs(tg.grad)
		if scale == 0 && !tg.zero {
			t.Errorf("%s: gradient is identically zero", tg.name)
			continue
		}
		idx := make([]int, len(tg.val.Data))
		for i := range idx {
			idx[i] = i
		}
		if len(idx) > maxCoords {
			rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
			idx = idx[:maxCoords]
		}
		if tg.zero {
			// A bias feeding an InstanceNorm: the norm subtracts it again.
			if m := gcMaxAbs(tg.grad); m > 1e-4*tg.zeroScale {
				t.Errorf("%s: gradient should be 0 (bias before a norm), max |g| = %.3g", tg.name, m)
			}
			continue
		}
		worst, retried := 0.0, 0
		for _, i := range idx {
			g := float64(tg.grad.Data[i])
			var d, fd float64
			// Through ReLUs, a step may cross a kink: retry with smaller
			// steps (a wrong gradient disagrees at every step size).
			for try, e := 0, eps; try < 5; try, e = try+1, e/3 {
				old := tg.val.Data[i]
				tg.val.Data[i] = old + e
				lp := loss()
				tg.val.Data[i] = old - e
				lm := loss()
				tg.val.Data[i] = old
				step := float64(old+e) - float64(old-e) // the step taken in float32
				fd = (lp - lm) / step
				d = math.Abs(fd - g)
				if d <= rtol*scale+rtol*math.Abs(g) {
					retried += min(try, 1)
					break
				}
			}
			worst = math.Max(worst, d/scale)
			if d > rtol*scale+rtol*math.Abs(g) {
				t.Errorf("%s[%d]: analytic %.6g, finite difference %.6g (max|grad| %.3g)", tg.name, i, g, fd, scale)
				return
			}
		}
		if testing.Verbose() {
			t.Logf("%s: %d coords (%d with a smaller step), worst |fd-g|/max|g| = %.2g", tg.name, len(idx), retried, worst)
		}
	}
}

// gcLayer checks one layer at x: dx and every parameter gradient.
func gcLayer(t *testing.T, l Layer, x *Tensor, eps float32, rtol float64, rng *rand.Rand) {
	t.Helper()
	y := l.Forward(x)
	r := gcRand(rng, 1, y.Shape...)
	for _, p := range l.Params() {
		p.Grad = nil
	}
	dx := l.Backward(x, y, r)
	targets := append([]gcTarget{{name: "dx", val: x, grad: dx}}, gcTargets(namedParams("d", l), []Layer{l})...)
	loss := func() float64 { return gcDot(l.Forward(x), r) }
	gcCheck(t, loss, targets, eps, rtol, 400, rng)
}

func TestGradCheckLayers(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	conv := func(in, out, k, s, p int, bias bool) Layer {
		l := NewConv2d(in, out, k, s, p, bias)
		copy(l.Weight.Value.Data, gcRand(rng, 0.5, l.Weight.Value.Shape...).Data)
		if bias {
			copy(l.Bias.Value.Data, gcRand(rng, 0.5, out).Data)
		}
		return l
	}
	convT := func(in, out, k, s, p, op int, bias bool) Layer {
		l := NewConvTranspose2d(in, out, k, s, p, op, bias)
		copy(l.Weight.Value.Data, gcRand(rng, 0.5, l.Weight.Value.Shape...).Data)
		if bias {
			copy(l.Bias.Value.Data, gcRand(rng, 0.5, out).Data)
		}
		return l
	}
	kinked := func(shape ...int) *Tensor { x := gcRand(rng, 1, shape...); gcAwayFromZero(x); return x }
	cases := []struct {
		name string
		l    Layer
		x    *Tensor
	}{
		{"conv3x3", conv(3, 4, 3, 1, 1, true), gcRand(rng, 1, 2, 3, 5, 6)},
		{"conv4x4s2p1", conv(2, 3, 4, 2, 1, true), gcRand(rng, 1, 1, 2, 7, 8)},
		{"conv1x1nobias", conv(3, 2, 1, 1, 0, false), gcRand(rng, 1, 2, 3, 3, 4)},
		{"conv7x7", conv(2, 2, 7, 1, 0, true), gcRand(rng, 1, 1, 2, 9, 8)},
		{"conv3x3s3p2", conv(2, 3, 3, 3, 2, true), gcRand(rng, 1, 1, 2, 7, 5)},
		{"convT3s2p1op1", convT(3, 2, 3, 2, 1, 1, true), gcRand(rng, 1, 2, 3, 4, 5)},
		{"convT4s2p1", convT(2, 3, 4, 2, 1, 0, true), gcRand(rng, 1, 1, 2, 3, 4)},
		{"convT3s1p0nobias", convT(2, 2, 3, 1, 0, 0, false), gcRand(rng, 1, 1, 2, 3, 3)},
		{"convT5s3p1op2", convT(2, 2, 5, 3, 1, 2, true), gcRand(rng, 1, 1, 2, 3, 2)},
		{"reflpad1", NewReflectionPad2d(1), gcRand(rng, 1, 2, 2, 3, 4)},
		{"reflpad3", NewReflectionPad2d(3), gcRand(rng, 1, 1, 2, 4, 5)},
		{"instnorm", NewInstanceNorm2d(3), gcRand(rng, 2, 2, 3, 4, 5)},
		{"instnorm3x1", NewInstanceNorm2d(1), gcRand(rng, 1, 1, 1, 3, 1)},
		{"relu", NewReLU(), kinked(2, 3, 4, 5)},
		{"leakyrelu", NewLeakyReLU(0.2), kinked(2, 3, 4, 5)},
		{"tanh", NewTanh(), gcRand(rng, 1, 2, 3, 4, 5)},
		{"dropout", NewDropout(0.5), gcRand(rng, 1, 1, 2, 3, 3)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { gcLayer(t, c.l, c.x, 1e-2, 1e-2, rng) })
	}
	t.Run("resnetblock", func(t *testing.T) {
		for _, dropout := range []bool{false, true} {
			b := NewResnetBlock(3, dropout)
			for _, p := range b.Params() {
				copy(p.Value.Data, gcRand(rng, 0.3, p.Value.Shape...).Data)
			}
			gcLayer(t, b, gcRand(rng, 1, 2, 3, 4, 5), 1e-2, 2e-2, rng)
		}
	})
}

// gcInitModel gives every parameter random values of about 1/sqrt(fan-in)
// (biases included, so that their gradients are exercised).
func gcInitModel(params []NamedParam, rng *rand.Rand) {
	for _, np := range params {
		v := np.Param.Value
		fan := 1
		if len(v.Shape) == 4 {
			fan = v.Shape[1] * v.Shape[2] * v.Shape[3]
		}
		copy(v.Data, gcRand(rng, float32(1/math.Sqrt(float64(fan))), v.Shape...).Data)
	}
}

// gcModel checks a model's tape backward: the input gradient and every
// parameter's, on a sample of coordinates.
func gcModel(t *testing.T, params []NamedParam, layers []Layer, fwd func(*Tensor) (*Tensor, *Tape), bwd func(*Tape, *Tensor) *Tensor,
	zero func(), x *Tensor, eps float32, rtol float64, coords int, rng *rand.Rand) {
	t.Helper()
	y, tape := fwd(x)
	r := gcRand(rng, 1, y.Shape...)
	zero()
	dx := bwd(tape, r)
	targets := append([]gcTarget{{name: "dx", val: x, grad: dx}}, gcTargets(params, layers)...)
	loss := func() float64 { y, _ := fwd(x); return gcDot(y, r) }
	gcCheck(t, loss, targets, eps, rtol, coords, rng)
}

func TestGradCheckGenerator(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, cfg := range []GeneratorConfig{
		{InputNC: 3, OutputNC: 3, NGF: 2, NBlocks: 1},
		{InputNC: 1, OutputNC: 2, NGF: 3, NBlocks: 2, Dropout: true},
	} {
		t.Run(fmt.Sprintf("%+v", cfg), func(t *testing.T) {
			g := NewResnetGenerator(cfg)
			gcInitModel(g.Params(), rng)
			x := gcRand(rng, 0.5, 1, cfg.InputNC, 12, 8)
			gcModel(t, g.Params(), g.Layers(), g.ForwardTrain, g.Backward, g.ZeroGrad, x, 1e-2, 3e-2, 12, rng)
		})
	}
}

func TestGradCheckDiscriminator(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, cfg := range []DiscriminatorConfig{
		{InputNC: 3, NDF: 2, NLayers: 3},
		{InputNC: 2, NDF: 3, NLayers: 1},
	} {
		t.Run(fmt.Sprintf("%+v", cfg), func(t *testing.T) {
			d := NewNLayerDiscriminator(cfg)
			gcInitModel(d.Params(), rng)
			x := gcRand(rng, 0.5, 2, cfg.InputNC, 32, 36)
			gcModel(t, d.Params(), d.Layers(), d.ForwardTrain, d.Backward, d.ZeroGrad, x, 1e-2, 3e-2, 12, rng)
		})
	}
}
