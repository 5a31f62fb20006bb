//go:build !goexperiment.simd || purego || !amd64

package nn

// The backward row loops without AVX: the portable loops of norm_grad_portable.go.

func sumRow64(x []float32) float64 { return sumRow64Go(x) }
func normGradSums(g, x []float32, mean, inv float64) (float64, float64) {
	return normGradSumsGo(g, x, mean, inv)
}
func normGradRow(g, x []float32, m, r, mg, mgx float32) { normGradRowGo(g, x, m, r, mg, mgx) }
