//go:build !goexperiment.simd || purego || !(amd64 || wasm)

package nn

// The vector helpers of builds without SIMD: the portable loops of
// vec_portable.go (the SIMD builds have their own in gemm_kernel_amd64.go,
// gemm_kernel_wasm.go, norm_rows_amd64.go and norm_rows_wasm.go).

func copyRow(dst, src []float32) { copyRowGo(dst, src) }
func reluRow(x []float32)        { reluRowGo(x) }
func gatherRows(dst []float32, nr int, x []float32, taps []int, off int) {
	gatherRowsGo(dst, nr, x, taps, off)
}
func sumRow(x []float32) float32                   { return sumRowGo(x) }
func sumSqDevRow(x []float32, m float32) float32   { return sumSqDevRowGo(x, m) }
func normRow(x []float32, m, r float32, relu bool) { normRowGo(x, m, r, relu) }
