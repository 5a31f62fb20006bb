package nn

import (
	"math/rand/v2"
	"testing"
)

// convRef is the reference convolution, independent of the production
// code (no im2col, no GEMM): the definition summed directly in float64,
// input positions outside the image reading zero.
func convRef(x, weight *Tensor, bias []float32, g ConvGeom) *Tensor {
	n, cin, h, w := x.N(), x.C(), x.H(), x.W()
	cout := weight.Shape[0]
	oh, ow := g.OutSize(h, w)
	y := NewTensor(n, cout, oh, ow)
	for i := range n {
		for co := range cout {
			for oy := range oh {
				for ox := range ow {
					var sum float64
					if bias != nil {
						sum = float64(bias[co])
					}
					for ci := range cin {
						for ky := range g.KH {
							iy := oy*g.StrideH - g.PadH + ky
							if iy < 0 || iy >= h {
								continue
							}
							for kx := range g.KW {
								ix := ox*g.StrideW - g.PadW + kx
								if ix < 0 || ix >= w {
									continue
								}
								wv := weight.Data[((co*cin+ci)*g.KH+ky)*g.KW+kx]
								xv := x.Data[((i*cin+ci)*h+iy)*w+ix]
								sum += float64(wv) * float64(xv)
							}
						}
					}
					y.Data[((i*cout+co)*oh+oy)*ow+ox] = float32(sum)
				}
			}
		}
	}
	return y
}

func TestConv2dForwardKernels(t *testing.T) {
	type convCase struct {
		n, cin, h, w, cout int
		g                  ConvGeom
		bias               bool
	}
	geom := func(k, s, p int) ConvGeom { return ConvGeom{k, k, s, s, p, p} }
	cases := []convCase{
		{1, 3, 22, 30, 8, geom(7, 1, 0), true},   // first generator layer (after reflection pad)
		{2, 5, 13, 11, 7, geom(3, 2, 1), true},   // downsampling, odd sizes, batch 2
		{1, 6, 9, 9, 6, geom(3, 1, 0), false},    // residual conv, no bias
		{1, 4, 10, 7, 5, geom(4, 2, 1), true},    // PatchGAN kw 4 stride 2
		{1, 4, 9, 8, 1, geom(4, 1, 1), true},     // PatchGAN last layer, 1 output channel
		{2, 9, 5, 6, 3, geom(1, 1, 0), true},     // pointwise: B read straight from x
		{1, 2, 40, 70, 3, geom(7, 1, 3), true},   // zero padding wider than a panel edge
		{1, 40, 12, 12, 33, geom(3, 1, 1), true}, // k = 360 spans two depth blocks
		{1, 1, 1, 1, 2, geom(1, 1, 0), false},
	}
	forEachKernel(t, func(t *testing.T, kern *gemmKernel) {
		r := rand.New(rand.NewPCG(9, 10))
		for _, threads := range []int{1, 2} {
			withThreads(t, threads)
			for _, c := range cases {
				x := FromData(randSlice(r, c.n*c.cin*c.h*c.w), c.n, c.cin, c.h, c.w)
				wt := FromData(randSlice(r, c.cout*c.cin*c.g.KH*c.g.KW), c.cout, c.cin, c.g.KH, c.g.KW)
				var b []float32
				if c.bias {
					b = randSlice(r, c.cout)
				}
				want := convRef(x, wt, b, c.g)
				k := c.cin * c.g.KH * c.g.KW
				got := conv2dForwardWith(kern, x, wt, b, c.g, nil)
				checkClose(t, "conv", got.Data, want.Data, k)
				// Frozen: the packed weights are cached and reused.
				cache := &convCache{frozen: true}
				for rep := 0; rep < 2; rep++ {
					got = conv2dForwardWith(kern, x, wt, b, c.g, cache)
					checkClose(t, "frozen conv", got.Data, want.Data, k)
					if cache.packed == nil || cache.packed.kern != kern {
						t.Fatalf("frozen cache holds no packing for %s", kern.name)
					}
				}
			}
		}
	})
}

// TestConvCacheReset checks that a frozen cache repacks after reset (new
// weights) and after a change of kernel, for the plain packing (8 output
// channels) and the row-cut one (4: conv2dRows).
func TestConvCacheReset(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	g := ConvGeom{3, 3, 1, 1, 1, 1}
	x := FromData(randSlice(r, 2*8*8), 1, 2, 8, 8)
	for _, cout := range []int{8, 4} {
		w1 := FromData(randSlice(r, cout*2*9), cout, 2, 3, 3)
		w2 := FromData(randSlice(r, cout*2*9), cout, 2, 3, 3)
		cache := &convCache{frozen: true}
		conv2dForwardWith(activeKernel, x, w1, nil, g, cache)
		if cache.rows != rowsPay(cout, g) {
			t.Fatalf("cout %d: cache.rows = %v", cout, cache.rows)
		}
		cache.reset()
		checkClose(t, "after reset", conv2dForwardWith(activeKernel, x, w2, nil, g, cache).Data, convRef(x, w2, nil, g).Data, 18)
		other := gemmKernels[len(gemmKernels)-1]
		checkClose(t, "other kernel", conv2dForwardWith(other, x, w2, nil, g, cache).Data, convRef(x, w2, nil, g).Data, 18)
		if cache.packed.kern != other {
			t.Fatalf("cout %d: cache not repacked for kernel %s", cout, other.name)
		}
	}
}
