//go:build !goexperiment.simd || purego || !(amd64 || wasm)

package nn

// copyRow copies len(dst) floats from the start of src (the SIMD builds
// use vector loads and stores: gemm_kernel_amd64.go, gemm_kernel_wasm.go).
func copyRow(dst, src []float32) { copy(dst, src[:len(dst)]) }

// reluRow sets every value of x that is not > 0 (NaN included) to 0.
func reluRow(x []float32) {
	for i, v := range x {
		if !(v > 0) {
			x[i] = 0
		}
	}
}

// gatherRows sets row p of dst (nr floats at p·nr) to the nr floats of x at
// taps[p]+off, for every p.
func gatherRows(dst []float32, nr int, x []float32, taps []int, off int) {
	for p, t := range taps {
		copy(dst[p*nr:p*nr+nr], x[t+off:t+off+nr])
	}
}
