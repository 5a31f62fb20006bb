package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// snapshotGrads copies every parameter gradient (nil stays nil).
func snapshotGrads(ps []NamedParam) []*Tensor {
	out := make([]*Tensor, len(ps))
	for i, p := range ps {
		if p.Param.Grad != nil {
			out[i] = p.Param.Grad.Clone()
		}
	}
	return out
}

// The restricted backward passes give exactly what the full one gives for
// the gradients they compute, and leave the others alone.
func TestBackwardModes(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	g := ltGenerator(GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 4, NBlocks: 2}, 5)
	d := NewNLayerDiscriminator(DiscriminatorConfig{InputNC: 3, NDF: 4, NLayers: 3})
	gcInitModel(d.Params(), rand.New(rand.NewPCG(6, 1)))
	x := gcRand(rng, 1, 2, 3, 32, 28)

	y, tape := g.ForwardTrain(x)
	dy := gcRand(rng, 1, y.Shape...)
	dyKeep := dy.Clone()
	g.ZeroGrad()
	dxFull := g.Backward(tape, dy)
	wantG := snapshotGrads(g.Params())
	g.ZeroGrad()
	g.BackwardParams(tape, dy)
	for i, p := range g.Params() {
		ltClose(t, "G BackwardParams "+p.Key, p.Param.Grad, wantG[i], 0)
	}
	ltClose(t, "dy untouched", dy, dyKeep, 0)

	s, dt := d.ForwardTrain(x)
	ds := gcRand(rng, 1, s.Shape...)
	d.ZeroGrad()
	dxD := d.Backward(dt, ds)
	wantD := snapshotGrads(d.Params())
	d.ZeroGrad()
	d.BackwardParams(dt, ds)
	for i, p := range d.Params() {
		ltClose(t, "D BackwardParams "+p.Key, p.Param.Grad, wantD[i], 0)
	}
	d.ZeroGrad()
	ltClose(t, "D BackwardInput dx", d.BackwardInput(dt, ds), dxD, 0)
	for _, p := range d.Params() {
		if m := gcMaxAbs(p.Param.Grad); m != 0 {
			t.Fatalf("D BackwardInput touched %s (max |grad| %g)", p.Key, m)
		}
	}

	// Released tapes recycle storage: a second pass over fresh tapes (drawing
	// on that storage) gives the same results, and the output survives.
	yKeep := y.Clone()
	tape.Release()
	dt.Release()
	ltClose(t, "output after Release", y, yKeep, 0)
	g.ZeroGrad()
	y2, tape2 := g.ForwardTrain(x)
	ltClose(t, "forward after Release", y2, yKeep, 0)
	ltClose(t, "dx after Release", g.Backward(tape2, dy), dxFull, 0)
	for i, p := range g.Params() {
		ltClose(t, "grads after Release "+p.Key, p.Param.Grad, wantG[i], 0)
	}
	tape2.Release()
}

// The row-cut products (few channels on the GEMM's row side) agree with the
// direct definition, padding and a horizontal stride included.
func TestConvRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	for _, c := range []struct{ cin, cout, k, sw, pad, h, w int }{
		{4, 3, 7, 1, 0, 13, 11}, {5, 1, 4, 1, 1, 9, 8}, {3, 2, 3, 2, 1, 7, 10}, {2, 3, 5, 1, 4, 6, 6},
	} {
		g := ConvGeom{KH: c.k, KW: c.k, StrideH: 1, StrideW: c.sw, PadH: c.pad, PadW: c.pad}
		oh, ow := g.OutSize(c.h, c.w)
		x := gcRand(rng, 1, c.cin, c.h, c.w)
		wt := gcRand(rng, 1, c.cout, c.cin, c.k, c.k)
		dy := gcRand(rng, 1, c.cout, oh, ow)
		at := func(ci, iy, ix int) float64 {
			if iy < 0 || iy >= c.h || ix < 0 || ix >= c.w {
				return 0
			}
			return float64(x.Data[(ci*c.h+iy)*c.w+ix])
		}
		y := make([]float32, c.cout*oh*ow)
		conv2dRows(activeKernel, x.Data, c.cin, c.h, c.w, wt.Data, c.cout, g, nil, y)
		dw := make([]float32, len(wt.Data))
		dw[0] = 1 // accumulates
		conv2dRowsWeightGrad(activeKernel, x.Data, c.cin, c.h, c.w, dy.Data, c.cout, g, dw)
		for co := 0; co < c.cout; co++ {
			for ci := 0; ci < c.cin; ci++ {
				for ky := 0; ky < c.k; ky++ {
					for kx := 0; kx < c.k; kx++ {
						var s float64
						for oy := 0; oy < oh; oy++ {
							for ox := 0; ox < ow; ox++ {
								s += float64(dy.Data[(co*oh+oy)*ow+ox]) * at(ci, oy-c.pad+ky, ox*c.sw-c.pad+kx)
							}
						}
						i := ((co*c.cin+ci)*c.k+ky)*c.k + kx
						if i == 0 {
							s++
						}
						if d := math.Abs(float64(dw[i]) - s); d > 1e-4*math.Max(1, math.Abs(s)) {
							t.Fatalf("%+v: dW[%d] = %g, want %g", c, i, dw[i], s)
						}
					}
				}
			}
			for oy := 0; oy < oh; oy++ {
				for ox := 0; ox < ow; ox++ {
					var s float64
					for ci := 0; ci < c.cin; ci++ {
						for ky := 0; ky < c.k; ky++ {
							for kx := 0; kx < c.k; kx++ {
								s += float64(wt.Data[((co*c.cin+ci)*c.k+ky)*c.k+kx]) * at(ci, oy-c.pad+ky, ox*c.sw-c.pad+kx)
							}
						}
					}
					if d := math.Abs(float64(y[(co*oh+oy)*ow+ox]) - s); d > 1e-4*math.Max(1, math.Abs(s)) {
						t.Fatalf("%+v: y[%d][%d][%d] = %g, want %g", c, co, oy, ox, y[(co*oh+oy)*ow+ox], s)
					}
				}
			}
		}
	}
}

// The packed weights kept between backward passes follow every change of
// the weights: after an update, dx equals that of a fresh layer.
func TestGradCacheFollowsWeights(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	for _, mk := range []func() Layer{
		func() Layer { return NewConv2d(8, 9, 3, 1, 1, true) },
		func() Layer { return NewConv2d(8, 9, 4, 2, 1, true) },
		func() Layer { return NewConvTranspose2d(8, 9, 3, 2, 1, 1, true) },
	} {
		l, fresh := mk(), mk()
		ltRandParams(l, rng)
		x := gcRand(rng, 1, 1, 8, 6, 7)
		y := l.Forward(x)
		dy := gcRand(rng, 1, y.Shape...)
		l.Backward(x, y, dy) // fills the cache
		l.Params()[0].Value.Data[5] += 0.25
		for i, p := range l.Params() {
			copy(fresh.Params()[i].Value.Data, p.Value.Data)
		}
		ltClose(t, "dx after a weight change", l.Backward(x, y, dy), fresh.Backward(x, y, dy), 0)
	}
}
