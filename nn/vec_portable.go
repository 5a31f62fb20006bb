package nn

// Portable versions of the vector helpers, always compiled: the builds
// without SIMD use them directly (vec_generic.go), and the SIMD versions
// (vec_amd64.go, vec_wasm.go) fall back to them when vecSIMD is off: on an
// amd64 CPU without AVX2, so that one binary never stops on an illegal
// instruction, and in tests.

// copyRowGo copies len(dst) floats from the start of src.
func copyRowGo(dst, src []float32) { copy(dst, src[:len(dst)]) }

// reluRowGo sets every value of x that is not > 0 (NaN included) to 0.
func reluRowGo(x []float32) {
	for i, v := range x {
		if !(v > 0) {
			x[i] = 0
		}
	}
}

// gatherRowsGo sets row p of dst (nr floats at p·nr) to the nr floats of x at
// taps[p]+off, for every p.
func gatherRowsGo(dst []float32, nr int, x []float32, taps []int, off int) {
	for p, t := range taps {
		copy(dst[p*nr:p*nr+nr], x[t+off:t+off+nr])
	}
}
