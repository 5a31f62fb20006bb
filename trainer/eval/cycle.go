package eval

import (
	"fmt"
	"math"
)

// MeanAbsError is the mean absolute difference between x[i] and y[i] over
// every pixel and channel of every pair, in [0, 1] pixel units. With y[i] =
// F(G(x[i])) it is the cycle-reconstruction error.
func MeanAbsError(x, y []*Image) (float64, error) {
	if len(x) != len(y) {
		return 0, fmt.Errorf("mean abs error: %d images against %d", len(x), len(y))
	}
	if len(x) == 0 {
		return 0, fmt.Errorf("mean abs error: no images")
	}
	var s float64
	var n int
	for i := range x {
		a, b := x[i], y[i]
		if a.W != b.W || a.H != b.H || len(a.Pix) != len(b.Pix) {
			return 0, fmt.Errorf("mean abs error: pair %d is %dx%d against %dx%d", i, a.W, a.H, b.W, b.H)
		}
		for j, v := range a.Pix {
			s += math.Abs(float64(v) - float64(b.Pix[j]))
		}
		n += len(a.Pix)
	}
	return s / float64(n), nil
}
