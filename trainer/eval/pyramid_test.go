package eval

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// The separable filter with mirrored borders must equal a direct 5x5
// convolution with the outer-product kernel.
func TestConvolve5MatchesDirect2D(t *testing.T) {
	m := synthSet(3, 1, 16)[0]
	const w, h = 16, 11 // not square, not a power of two
	src := m.Pix[:w*h]
	got := make([]float32, w*h)
	convolve5(got, src, make([]float32, w*h), w, h, 4)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var s float64
			for dy := -2; dy <= 2; dy++ {
				for dx := -2; dx <= 2; dx++ {
					k := float64(binomial5[dy+2]) * float64(binomial5[dx+2])
					s += k * float64(src[mirror(y+dy, h)*w+mirror(x+dx, w)])
				}
			}
			if d := math.Abs(4*s - float64(got[y*w+x])); d > 1e-5 {
				t.Fatalf("(%d,%d): separable %v, direct %v", x, y, got[y*w+x], 4*s)
			}
		}
	}
}

func TestMirror(t *testing.T) {
	for _, c := range [][3]int{{-1, 5, 1}, {-2, 5, 2}, {5, 5, 3}, {6, 5, 2}, {0, 5, 0}, {4, 5, 4}, {-1, 1, 0}} {
		if got := mirror(c[0], c[1]); got != c[2] {
			t.Errorf("mirror(%d, %d) = %d, want %d", c[0], c[1], got, c[2])
		}
	}
}

// The reference below follows Karras et al.'s NumPy code (scipy.ndimage
// mode "mirror") with none of pyramid.go: its own border rule, a direct
// 2-D convolution in float64, its own down- and upsampling.

// reflect101 maps i into [0, n) as a reflection of period 2(n-1) about
// the first and last pixels (edge not repeated).
func reflect101(i, n int) int {
	if n == 1 {
		return 0
	}
	p := 2 * (n - 1)
	i = ((i % p) + p) % p
	if i >= n {
		i = p - i
	}
	return i
}

// refFilter convolves the w x h plane with gain times the 5x5 kernel
// [1 4 6 4 1]^T [1 4 6 4 1] / 256.
func refFilter(src []float64, w, h int, gain float64) []float64 {
	k := [5]float64{1, 4, 6, 4, 1}
	out := make([]float64, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var s float64
			for dy := -2; dy <= 2; dy++ {
				for dx := -2; dx <= 2; dx++ {
					s += k[dy+2] * k[dx+2] * src[reflect101(y+dy, h)*w+reflect101(x+dx, w)]
				}
			}
			out[y*w+x] = gain * s / 256
		}
	}
	return out
}

// refDown is pyr_down: filter, then keep the even rows and columns.
func refDown(src []float64, w, h int) ([]float64, int, int) {
	f := refFilter(src, w, h, 1)
	ow, oh := (w+1)/2, (h+1)/2
	out := make([]float64, ow*oh)
	for y := 0; y < oh; y++ {
		for x := 0; x < ow; x++ {
			out[y*ow+x] = f[2*y*w+2*x]
		}
	}
	return out, ow, oh
}

// refUp is pyr_up: the plane on the even pixels of a twice larger plane of
// zeros, filtered with 4 times the kernel.
func refUp(src []float64, w, h int) []float64 {
	up := make([]float64, 4*w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			up[2*y*2*w+2*x] = src[y*w+x]
		}
	}
	return refFilter(up, 2*w, 2*h, 4)
}

// refPyramid is generate_laplacian_pyramid for one plane.
func refPyramid(p []float64, w, h, levels int) [][]float64 {
	pyr := [][]float64{p}
	for i := 1; i < levels; i++ {
		d, dw, dh := refDown(pyr[i-1], w, h)
		u := refUp(d, dw, dh)
		band := make([]float64, len(u))
		for j := range band {
			band[j] = pyr[i-1][j] - u[j]
		}
		pyr[i-1] = band
		pyr = append(pyr, d)
		w, h = dw, dh
	}
	return pyr
}

func float64s(p []float32) []float64 {
	out := make([]float64, len(p))
	for i, v := range p {
		out[i] = float64(v)
	}
	return out
}

// An impulse far from the borders, worked out by hand: pyrDown leaves the
// separable weights (1, 6, 1)/16 in each direction at the even pixels, and
// the band keeps what the upsampled residual does not explain.
func TestLaplacianPyramidOfImpulseByHand(t *testing.T) {
	m := NewImage(16, 16)
	m.Plane(1)[8*16+8] = 1
	pyr := laplacianPyramid(m, 2)
	res, band := pyr[1].Plane(1), pyr[0].Plane(1)
	a := map[int]float64{3: 1.0 / 16, 4: 6.0 / 16, 5: 1.0 / 16} // residual weight of column or row 3, 4, 5
	for y := 0; y < 8; y++ {
		for x := 0; x < 8; x++ {
			want := a[x] * a[y] // 0 away from the impulse
			if d := math.Abs(float64(res[y*8+x]) - want); d > 1e-7 {
				t.Errorf("residual (%d,%d) = %v, want %v", x, y, res[y*8+x], want)
			}
		}
	}
	// Upsampled at (8,8): 4 * ((1*1 + 6*6 + 1*1)/256)^2 = 5776/65536; at
	// (9,8): 4 * (4*6 + 4*1)/256 * 38/256 = 4256/65536.
	for _, c := range []struct {
		x, y int
		want float64
	}{{8, 8, 1 - 5776.0/65536}, {9, 8, -4256.0 / 65536}, {8, 9, -4256.0 / 65536}, {0, 0, 0}} {
		if d := math.Abs(float64(band[c.y*16+c.x]) - c.want); d > 1e-7 {
			t.Errorf("band (%d,%d) = %v, want %v", c.x, c.y, band[c.y*16+c.x], c.want)
		}
	}
	for _, c := range []int{0, 2} { // the impulse is in green only
		for l := range pyr {
			if slices.ContainsFunc(pyr[l].Plane(c), func(v float32) bool { return v != 0 }) {
				t.Errorf("channel %d level %d: non-zero values without an impulse", c, l)
			}
		}
	}
}

// Every level of the pyramid of a non-square image, borders included,
// equals the reference's; rebuilding the image from the levels with the
// reference's upsampling (and with collapse) gives the image back.
func TestLaplacianPyramidMatchesReference(t *testing.T) {
	const w, h, levels = 40, 24, 3 // 40x24, 20x12, 10x6
	m := NewImage(w, h)
	r := rand.New(rand.NewPCG(5, 6))
	for i := range m.Pix {
		m.Pix[i] = r.Float32()
	}
	pyr := laplacianPyramid(m, levels)
	for c := 0; c < 3; c++ {
		ref := refPyramid(float64s(m.Plane(c)), w, h, levels)
		for l := range ref {
			if got := pyr[l].W * pyr[l].H; got != len(ref[l]) {
				t.Fatalf("level %d: %dx%d values, reference %d", l, pyr[l].W, pyr[l].H, len(ref[l]))
			}
			for i, v := range pyr[l].Plane(c) {
				if d := math.Abs(float64(v) - ref[l][i]); d > 1e-5 {
					t.Fatalf("channel %d level %d pixel (%d,%d): %v, reference %v", c, l, i%pyr[l].W, i/pyr[l].W, v, ref[l][i])
				}
			}
		}
		// Rebuild with the reference: band + refUp(coarser), coarsest first.
		cur := float64s(pyr[levels-1].Plane(c))
		for l := levels - 2; l >= 0; l-- {
			up := refUp(cur, pyr[l+1].W, pyr[l+1].H)
			for i, v := range pyr[l].Plane(c) {
				up[i] += float64(v)
			}
			cur = up
		}
		for i, v := range m.Plane(c) {
			if d := math.Abs(float64(v) - cur[i]); d > 1e-5 {
				t.Fatalf("channel %d pixel %d: %v, rebuilt with the reference %v", c, i, v, cur[i])
			}
		}
	}
	back := collapse(pyr)
	for i, v := range m.Pix {
		if math.Abs(float64(v-back.Pix[i])) > 1e-5 {
			t.Fatalf("value %d: %v, collapse gives %v", i, v, back.Pix[i])
		}
	}
}

// A constant image has no detail: every band is zero and the residual is
// the constant.
func TestLaplacianPyramidOfConstantImage(t *testing.T) {
	m := NewImage(32, 32)
	for i := range m.Pix {
		m.Pix[i] = 0.25 * float32(1+i/(32*32))
	}
	pyr := laplacianPyramid(m, 2)
	for i, v := range pyr[0].Pix {
		if math.Abs(float64(v)) > 1e-6 {
			t.Fatalf("band value %d = %v, want 0", i, v)
		}
	}
	for c := 0; c < 3; c++ {
		for _, v := range pyr[1].Plane(c) {
			if math.Abs(float64(v)-0.25*float64(c+1)) > 1e-6 {
				t.Fatalf("residual channel %d = %v, want %v", c, v, 0.25*float64(c+1))
			}
		}
	}
}
