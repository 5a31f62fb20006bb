package translate

import (
	"math"

	"github.com/cyclegan-go/cyclegan/nn"
)

// Resampling of float32 planes, for the model's scale (model_scale.go).
// Output pixel i of n covers the input span [i, i+1)·in/n (pixel centres
// aligned, as PIL and torchvision do); when shrinking, the filter is
// stretched by in/n so that it also averages away what the smaller image
// cannot hold (antialiasing). Windows are cut at the image's edge and
// renormalised.

// filter is a resampling kernel: its support (half-width, in input pixels
// before any stretching) and its weight at distance x.
type filter struct {
	support float64
	weight  func(x float64) float64
}

// bicubic is Keys' cubic with a = -0.5, the filter PIL's BICUBIC (and
// the training's scaling, trainer/data.Resize) uses.
var bicubic = filter{2, func(x float64) float64 {
	const a = -0.5
	x = math.Abs(x)
	switch {
	case x < 1:
		return ((a+2)*x-(a+3))*x*x + 1
	case x < 2:
		return ((a*x-5*a)*x+8*a)*x - 4*a
	}
	return 0
}}

// bilinear is the triangle filter: linear interpolation when enlarging.
var bilinear = filter{1, func(x float64) float64 { return max(0, 1-math.Abs(x)) }}

// taps are the weights of one axis: output i reads inputs first[i] ...
// first[i]+n-1 with weights w[i*n : i*n+n] (zero past the edge).
type taps struct {
	first []int
	n     int
	w     []float32
}

// axisTaps computes the taps that resample in pixels to out with f.
func axisTaps(in, out int, f filter) taps {
	scale := float64(in) / float64(out)
	stretch := max(scale, 1)
	support := f.support * stretch
	n := int(math.Ceil(support))*2 + 1
	t := taps{first: make([]int, out), n: n, w: make([]float32, out*n)}
	ws := make([]float64, n)
	for i := range out {
		centre := (float64(i) + 0.5) * scale
		lo := max(int(math.Floor(centre-support+0.5)), 0)
		hi := min(int(math.Floor(centre+support+0.5)), in)
		var sum float64
		for j := range ws {
			ws[j] = 0
			if k := lo + j; k < hi {
				ws[j] = f.weight((float64(k) + 0.5 - centre) / stretch)
				sum += ws[j]
			}
		}
		t.first[i] = lo
		for j, v := range ws {
			if sum != 0 {
				t.w[i*n+j] = float32(v / sum)
			}
		}
	}
	return t
}

// resize resamples every plane of a 1×C×H×W tensor to h×w with f: rows
// first, then columns.
func resize(x *nn.Tensor, w, h int, f filter) *nn.Tensor {
	c, H, W := x.C(), x.H(), x.W()
	if w == W && h == H {
		return x.Clone()
	}
	tx, ty := axisTaps(W, w, f), axisTaps(H, h, f)
	tmp := make([]float32, H*w)
	out := nn.NewTensor(1, c, h, w)
	for k := range c {
		src := x.Data[k*H*W : (k+1)*H*W]
		for r := range H {
			row, dst := src[r*W:(r+1)*W], tmp[r*w:(r+1)*w]
			for i := range w {
				dst[i] = dot(tx.w[i*tx.n:(i+1)*tx.n], row, tx.first[i])
			}
		}
		dst := out.Data[k*h*w : (k+1)*h*w]
		for r := range h {
			ws, first := ty.w[r*ty.n:(r+1)*ty.n], ty.first[r]
			drow := dst[r*w : (r+1)*w]
			for j, wt := range ws {
				if wt == 0 || first+j >= H {
					continue
				}
				srow := tmp[(first+j)*w : (first+j+1)*w]
				for i := range drow {
					drow[i] += wt * srow[i]
				}
			}
		}
	}
	return out
}

// dot is Σ w[j]·v[first+j] over the taps that fall inside v.
func dot(w, v []float32, first int) float32 {
	var s float32
	for j, wt := range w[:min(len(w), len(v)-first)] {
		s += wt * v[first+j]
	}
	return s
}
