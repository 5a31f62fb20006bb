package eval

import (
	"math"
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

func TestLaplacianPyramidCollapsesBack(t *testing.T) {
	m := synthSet(5, 1, 64)[0]
	pyr := laplacianPyramid(m, 3)
	if pyr[1].W != 32 || pyr[2].W != 16 || pyr[2].H != 16 {
		t.Fatalf("level sizes %dx%d, %dx%d", pyr[1].W, pyr[1].H, pyr[2].W, pyr[2].H)
	}
	back := collapse(pyr)
	for i, v := range m.Pix {
		if math.Abs(float64(v-back.Pix[i])) > 1e-5 {
			t.Fatalf("value %d: %v, collapsed pyramid %v", i, v, back.Pix[i])
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
