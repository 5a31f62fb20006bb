package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestNormGradRows checks the vector backward row loops against the
// portable ones: the float32 update bit for bit, the float64 sums to
// float64 rounding.
func TestNormGradRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 7, 8, 37, 1024} {
		g, x := make([]float32, n), make([]float32, n)
		for i := range g {
			g[i], x[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64()*3+1)
		}
		close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-12*(1+math.Abs(b)) }
		if a, b := sumRow64(g), sumRow64Go(g); !close(a, b) {
			t.Errorf("n %d: sumRow64 %v, want %v", n, a, b)
		}
		sg, sgx := normGradSums(g, x, 0.9, 0.4)
		wg, wgx := normGradSumsGo(g, x, 0.9, 0.4)
		if !close(sg, wg) || !close(sgx, wgx) {
			t.Errorf("n %d: normGradSums %v %v, want %v %v", n, sg, sgx, wg, wgx)
		}
		a, b := append([]float32(nil), g...), append([]float32(nil), g...)
		normGradRow(a, x, 0.9, 0.4, 0.1, -0.3)
		normGradRowGo(b, x, 0.9, 0.4, 0.1, -0.3)
		for i := range a {
			if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
				t.Fatalf("n %d: normGradRow[%d] = %v, want %v", n, i, a[i], b[i])
			}
		}
	}
}
