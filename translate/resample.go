package translate

import (
	"math"
	"sync"

	"github.com/cyclegan-go/cyclegan/nn"
)

// Resampling of float32 planes, for the model's scale (model_scale.go).
// Output pixel i of n covers the input span [i, i+1)·in/n (pixel centres
// aligned, as PIL and torchvision do); when shrinking, the filter is
// stretched by in/n so that it also averages away what the smaller image
// cannot hold (antialiasing). Windows are cut at the image's edge and
// renormalised.

// filter is a resampling kernel: its name (the key of its cached taps),
// its support (half-width, in input pixels before any stretching) and its
// weight at distance x.
type filter struct {
	name    string
	support float64
	weight  func(x float64) float64
}

// bicubic is Keys' cubic with a = -0.5, the filter PIL's BICUBIC (and
// the training's scaling, trainer/data.Resize) uses.
var bicubic = filter{"bicubic", 2, func(x float64) float64 {
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
var bilinear = filter{"bilinear", 1, func(x float64) float64 { return max(0, 1-math.Abs(x)) }}

// taps are the weights of one axis: output i reads inputs first[i] ...
// first[i]+n-1 with weights w[i*n : i*n+n]. Every window lies inside the
// input (first[i]+n <= in, windows cut at the edge are shifted inside and
// padded with zero weights), so that the loops need no edge tests.
type taps struct {
	first []int
	n     int
	w     []float32
}

// tapsKey identifies the taps of one axis, which are computed once.
type tapsKey struct {
	in, out int
	filter  string
}

var tapsCache sync.Map // tapsKey → taps

// axisTaps returns the taps that resample in pixels to out with f,
// computed once per sizes and filter.
func axisTaps(in, out int, f filter) taps {
	k := tapsKey{in, out, f.name}
	if t, ok := tapsCache.Load(k); ok {
		return t.(taps)
	}
	t := computeTaps(in, out, f)
	tapsCache.Store(k, t)
	return t
}

// computeTaps computes the taps that resample in pixels to out with f:
// output i's window is the inputs [lo, hi) within the filter's (stretched)
// support of its centre, weighted by f and renormalised.
func computeTaps(in, out int, f filter) taps {
	scale := float64(in) / float64(out)
	stretch := max(scale, 1)
	support := f.support * stretch
	lo, hi := make([]int, out), make([]int, out)
	n := 1
	for i := range out {
		centre := (float64(i) + 0.5) * scale
		lo[i] = max(int(math.Floor(centre-support+0.5)), 0)
		hi[i] = min(int(math.Floor(centre+support+0.5)), in)
		n = max(n, hi[i]-lo[i])
	}
	n = min(n, in)
	t := taps{first: make([]int, out), n: n, w: make([]float32, out*n)}
	ws := make([]float64, n)
	for i := range out {
		centre := (float64(i) + 0.5) * scale
		first := min(lo[i], in-n)
		var sum float64
		for j := range ws {
			ws[j] = 0
			if k := first + j; k >= lo[i] && k < hi[i] {
				ws[j] = f.weight((float64(k) + 0.5 - centre) / stretch)
				sum += ws[j]
			}
		}
		t.first[i] = first
		for j, v := range ws {
			if sum != 0 {
				t.w[i*n+j] = float32(v / sum)
			}
		}
	}
	return t
}

// resize resamples every plane of a 1×C×H×W tensor to h×w with f: rows
// first, then columns (columns first when h < H, so that the rows'
// gathering pass runs on the fewer rows).
func resize(x *nn.Tensor, w, h int, f filter) *nn.Tensor {
	return resizeRows(x, w, h, f, nil)
}

// resizeRows is resize, calling done(k, r, row) on each finished output
// row r of plane k (while it is in the cache) when done is not nil.
func resizeRows(x *nn.Tensor, w, h int, f filter, done func(k, r int, row []float32)) *nn.Tensor {
	c, H, W := x.C(), x.H(), x.W()
	out := nn.NewTensor(1, c, h, w)
	if w == W && h == H {
		copy(out.Data, x.Data)
		if done != nil {
			for k := range c {
				for r := range h {
					done(k, r, out.Data[(k*h+r)*w:][:w])
				}
			}
		}
		return out
	}
	tx, ty := axisTaps(W, w, f), axisTaps(H, h, f)
	if h < H {
		// Shrinking the columns: columns first, so that the rows (the
		// pass that gathers) are resampled at the smaller height.
		tmp := make([]float32, h*W)
		for k := range c {
			src := x.Data[k*H*W : (k+1)*H*W]
			dst := out.Data[k*h*w : (k+1)*h*w]
			for r := range h {
				ws, first := ty.w[r*ty.n:(r+1)*ty.n], ty.first[r]
				trow := tmp[r*W : (r+1)*W]
				resampleColumn(trow, src[first*W:(first+len(ws))*W], ws)
				drow := dst[r*w : (r+1)*w]
				resampleRow(drow, trow, tx)
				if done != nil {
					done(k, r, drow)
				}
			}
		}
		return out
	}
	tmp := make([]float32, H*w)
	for k := range c {
		src := x.Data[k*H*W : (k+1)*H*W]
		for r := range H {
			resampleRow(tmp[r*w:(r+1)*w], src[r*W:(r+1)*W], tx)
		}
		dst := out.Data[k*h*w : (k+1)*h*w]
		for r := range h {
			drow := dst[r*w : (r+1)*w]
			ws, first := ty.w[r*ty.n:(r+1)*ty.n], ty.first[r]
			resampleColumn(drow, tmp[first*w:(first+len(ws))*w], ws)
			if done != nil {
				done(k, r, drow)
			}
		}
	}
	return out
}

// resampleRow resamples one row along itself: dst[i] = Σ_j w_i[j]·row[first_i+j].
func resampleRow(dst, row []float32, t taps) {
	n := t.n
	ws, firsts := t.w[:len(dst)*n], t.first[:len(dst)]
	switch n {
	case 4:
		for i, f := range firsts {
			v := row[f : f+4 : f+4]
			w := ws[i*4 : i*4+4 : i*4+4]
			dst[i] = 0 + w[0]*v[0] + w[1]*v[1] + w[2]*v[2] + w[3]*v[3]
		}
	default:
		for i, f := range firsts {
			v := row[f : f+n : f+n]
			w := ws[i*n : i*n+n : i*n+n]
			var s float32
			for j, wt := range w {
				s += wt * v[j]
			}
			dst[i] = s
		}
	}
}

// resampleColumn sets d to Σ_j ws[j]·(row j of rows) (rows holds len(ws)
// rows of len(d)), summed in the order of j.
func resampleColumn(d, rows []float32, ws []float32) {
	w := len(d)
	j := 0
	for ; j+4 <= len(ws); j += 4 {
		a, b := rows[j*w:(j+1)*w], rows[(j+1)*w:(j+2)*w]
		c, e := rows[(j+2)*w:(j+3)*w], rows[(j+3)*w:(j+4)*w]
		axpy4(d, a, b, c, e, ws[j], ws[j+1], ws[j+2], ws[j+3], j == 0)
	}
	for ; j < len(ws); j++ {
		a, wt := rows[j*w:(j+1)*w], ws[j]
		a = a[:len(d)]
		if j == 0 {
			for i := range d {
				d[i] = 0 + wt*a[i]
			}
			continue
		}
		for i := range d {
			d[i] += wt * a[i]
		}
	}
}

// axpy4 adds w0·a + w1·b + w2·c + w3·e to d (to zero when first), in
// that order.
func axpy4(d, a, b, c, e []float32, w0, w1, w2, w3 float32, first bool) {
	a, b, c, e = a[:len(d)], b[:len(d)], c[:len(d)], e[:len(d)]
	if first {
		for i := range d {
			d[i] = 0 + w0*a[i] + w1*b[i] + w2*c[i] + w3*e[i]
		}
		return
	}
	for i, s := range d {
		d[i] = s + w0*a[i] + w1*b[i] + w2*c[i] + w3*e[i]
	}
}
