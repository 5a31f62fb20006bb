package translate

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cyclegan-go/cyclegan/nn"
)

// refResize is resize written per output pixel, straight from the
// definition (resample.go): the filter stretched by in/out when shrinking,
// windows cut at the edge and renormalised, in float64.
func refResize(x *nn.Tensor, w, h int, f filter) *nn.Tensor {
	c, H, W := x.C(), x.H(), x.W()
	axis := func(in, out, i int) (lo int, ws []float64) {
		scale := float64(in) / float64(out)
		stretch := max(scale, 1)
		support := f.support * stretch
		centre := (float64(i) + 0.5) * scale
		lo = max(int(math.Floor(centre-support+0.5)), 0)
		hi := min(int(math.Floor(centre+support+0.5)), in)
		var sum float64
		for k := lo; k < hi; k++ {
			v := f.weight((float64(k) + 0.5 - centre) / stretch)
			ws = append(ws, v)
			sum += v
		}
		for j := range ws {
			ws[j] /= sum
		}
		return lo, ws
	}
	out := nn.NewTensor(1, c, h, w)
	for k := range c {
		for r := range h {
			y0, wy := axis(H, h, r)
			for i := range w {
				x0, wx := axis(W, w, i)
				var s float64
				for a, vy := range wy {
					for b, vx := range wx {
						s += vy * vx * float64(x.Data[(k*H+y0+a)*W+x0+b])
					}
				}
				out.Data[(k*h+r)*w+i] = float32(s)
			}
		}
	}
	return out
}

// TestResizeMatchesReference compares the separable resampler (its taps
// shifted inside the image, the pass order chosen by size) with the
// per-pixel reference, shrinking and enlarging at odd sizes.
func TestResizeMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	x := nn.NewTensor(1, 2, 37, 53)
	for i := range x.Data {
		x.Data[i] = rng.Float32()*2 - 1
	}
	for _, f := range []filter{bicubic, bilinear} {
		for _, sz := range [][2]int{{13, 9}, {17, 37}, {53, 11}, {101, 75}, {3, 1}, {1, 2}, {120, 20}} {
			got, want := resize(x, sz[0], sz[1], f), refResize(x, sz[0], sz[1], f)
			var worst float64
			for i := range got.Data {
				worst = max(worst, math.Abs(float64(got.Data[i]-want.Data[i])))
			}
			if worst > 1e-5 {
				t.Errorf("%s, 53×37 → %d×%d: differs from the reference by %g (> 1e-5)", f.name, sz[0], sz[1], worst)
			}
		}
	}
}
