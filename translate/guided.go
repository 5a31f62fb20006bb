package translate

import (
	"github.com/cyclegan-go/cyclegan/nn"
)

// The guided carry-up: the fast guided filter of He and Sun (2015,
// "Fast Guided Filter"), used to bring a translation made at the model's
// scale to the photo's size. In every small window of the scaled photo xs,
// the generator's output ys is fitted as an affine function of xs's colour
// (ys ≈ aᵀ·xs + b, a ridge regression over the window's pixels); the
// coefficients are averaged over the windows covering each pixel, enlarged
// bilinearly, and applied to the photo x at its own size. Edges and texture
// come from x; the colours, and how they change from place to place, from
// the generator.
//
// One change to the published filter: its ridge term pulls a towards 0,
// which flattens texture too fine to show at the model's scale (such a
// window looks flat there). Here it pulls a towards the colour map fitted
// over the whole image instead, so that such detail is kept and recoloured
// the way the generator recoloured the image as a whole.
const (
	guidedRadius = 1    // window radius at the model's scale: 3×3 pixels
	guidedEps    = 1e-3 // ridge weight, in the network's [-1, 1] units squared
	globalEps    = 1e-5 // ridge weight of the whole-image fit (only against singular colour sets)
)

// guidedUp returns the 1×co×H×W translation of x (1×ci×H×W, the guide)
// from xs (x scaled to h×w) and ys (the generator's 1×co×h×w output for
// xs). ci and co are 1 or 3.
func guidedUp(x, xs, ys *nn.Tensor) *nn.Tensor {
	ci, co := xs.C(), ys.C()
	h, w := xs.H(), xs.W()
	n := h * w
	plane := func(t *nn.Tensor, k int) []float32 { return t.Data[k*n : (k+1)*n] }

	// Window means of the guide, the output, and their products.
	var means [][]float32
	mI := make([]int, ci)
	mP := make([]int, co)
	mII := make([][]int, ci)
	mIP := make([][]int, ci)
	add := func(p []float32) int { means = append(means, p); return len(means) - 1 }
	for k := range ci {
		mI[k] = add(append([]float32(nil), plane(xs, k)...))
	}
	for c := range co {
		mP[c] = add(append([]float32(nil), plane(ys, c)...))
	}
	for k := range ci {
		mII[k] = make([]int, ci)
		for l := k; l < ci; l++ {
			mII[k][l] = add(product(plane(xs, k), plane(xs, l)))
		}
		mIP[k] = make([]int, co)
		for c := range co {
			mIP[k][c] = add(product(plane(xs, k), plane(ys, c)))
		}
	}
	for _, p := range means {
		boxMean(p, w, h, guidedRadius)
	}

	prior := globalMap(xs, ys)

	// Per pixel: a = (Σ + εI)⁻¹ (cov + ε·prior), b = mean(ys) − aᵀ mean(xs).
	// coef holds a (ci×co planes, k*co+c) then b (co planes).
	coef := nn.NewTensor(1, ci*co+co, h, w)
	var S [3][3]float64
	var C [3][3]float64
	for i := range n {
		for k := range ci {
			for l := k; l < ci; l++ {
				v := float64(means[mII[k][l]][i]) - float64(means[mI[k]][i])*float64(means[mI[l]][i])
				S[k][l], S[l][k] = v, v
			}
			S[k][k] += guidedEps
			for c := range co {
				C[k][c] = float64(means[mIP[k][c]][i]) - float64(means[mI[k]][i])*float64(means[mP[c]][i]) + guidedEps*prior[k][c]
			}
		}
		a := solve(S, C, ci, co)
		for c := range co {
			b := float64(means[mP[c]][i])
			for k := range ci {
				coef.Data[(k*co+c)*n+i] = float32(a[k][c])
				b -= a[k][c] * float64(means[mI[k]][i])
			}
			coef.Data[(ci*co+c)*n+i] = float32(b)
		}
	}
	for k := range ci*co + co {
		boxMean(plane(coef, k), w, h, guidedRadius)
	}

	// Enlarge the coefficients and apply them to the full-size guide.
	H, W := x.H(), x.W()
	out := nn.NewTensor(1, co, H, W)
	applyMap(out, resize(coef, W, H, bilinear), x)
	clampUnit(out.Data)
	return out
}

// applyMap adds a·x + b to dst (1×co×H×W), with coef's planes a (ci×co)
// then b (co) at x's size.
func applyMap(dst, coef, x *nn.Tensor) {
	ci, co, n := x.C(), dst.C(), x.H()*x.W()
	for c := range co {
		d := dst.Data[c*n : (c+1)*n]
		for i, b := range coef.Data[(ci*co+c)*n : (ci*co+c+1)*n] {
			d[i] += b
		}
		for k := range ci {
			ak, xk := coef.Data[(k*co+c)*n:(k*co+c+1)*n], x.Data[k*n:(k+1)*n]
			for i := range d {
				d[i] += ak[i] * xk[i]
			}
		}
	}
}

// globalMap is the least-squares linear part of the affine colour map from
// xs to ys over the whole image (ci×co, ridge globalEps).
func globalMap(xs, ys *nn.Tensor) [3][3]float64 {
	ci, co, n := xs.C(), ys.C(), xs.H()*xs.W()
	var mx [3]float64
	var my [3]float64
	for k := range ci {
		mx[k] = mean(xs.Data[k*n : (k+1)*n])
	}
	for c := range co {
		my[c] = mean(ys.Data[c*n : (c+1)*n])
	}
	var S, C [3][3]float64
	for i := range n {
		for k := range ci {
			dk := float64(xs.Data[k*n+i]) - mx[k]
			for l := k; l < ci; l++ {
				S[k][l] += dk * (float64(xs.Data[l*n+i]) - mx[l])
			}
			for c := range co {
				C[k][c] += dk * (float64(ys.Data[c*n+i]) - my[c])
			}
		}
	}
	for k := range ci {
		for l := k; l < ci; l++ {
			S[k][l] /= float64(n)
			S[l][k] = S[k][l]
		}
		S[k][k] += globalEps
		for c := range co {
			C[k][c] /= float64(n)
		}
	}
	return solve(S, C, ci, co)
}

// solve returns S⁻¹·C for a symmetric positive definite ci×ci S (ci 1 or
// 3) and a ci×co C.
func solve(S, C [3][3]float64, ci, co int) [3][3]float64 {
	var a [3][3]float64
	if ci == 1 {
		for c := range co {
			a[0][c] = C[0][c] / S[0][0]
		}
		return a
	}
	// The inverse by cofactors (S is symmetric).
	i00 := S[1][1]*S[2][2] - S[1][2]*S[2][1]
	i01 := S[0][2]*S[2][1] - S[0][1]*S[2][2]
	i02 := S[0][1]*S[1][2] - S[0][2]*S[1][1]
	i11 := S[0][0]*S[2][2] - S[0][2]*S[2][0]
	i12 := S[0][2]*S[1][0] - S[0][0]*S[1][2]
	i22 := S[0][0]*S[1][1] - S[0][1]*S[1][0]
	det := S[0][0]*i00 + S[0][1]*i01 + S[0][2]*i02
	inv := [3][3]float64{{i00, i01, i02}, {i01, i11, i12}, {i02, i12, i22}}
	for k := range 3 {
		for c := range co {
			a[k][c] = (inv[k][0]*C[0][c] + inv[k][1]*C[1][c] + inv[k][2]*C[2][c]) / det
		}
	}
	return a
}

// boxMean replaces each value of a w×h plane by the mean over the
// (2r+1)×(2r+1) window around it, cut at the edges.
func boxMean(p []float32, w, h, r int) {
	tmp := make([]float32, max(w, h))
	for y := range h {
		row := p[y*w : (y+1)*w]
		boxLine(row, tmp[:w], r)
	}
	col := make([]float32, h)
	for x := range w {
		for y := range h {
			col[y] = p[y*w+x]
		}
		boxLine(col, tmp[:h], r)
		for y := range h {
			p[y*w+x] = col[y]
		}
	}
}

// boxLine is boxMean along one line, using tmp (as long as v) as scratch.
func boxLine(v, tmp []float32, r int) {
	copy(tmp, v)
	n := len(v)
	for i := range n {
		lo, hi := max(i-r, 0), min(i+r+1, n)
		var s float32
		for _, t := range tmp[lo:hi] {
			s += t
		}
		v[i] = s / float32(hi-lo)
	}
}

func product(a, b []float32) []float32 {
	p := make([]float32, len(a))
	for i := range p {
		p[i] = a[i] * b[i]
	}
	return p
}

func mean(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x)
	}
	return s / float64(len(v))
}

// clampUnit clamps values to the network's range [-1, 1].
func clampUnit(v []float32) {
	for i, x := range v {
		v[i] = min(max(x, -1), 1)
	}
}
