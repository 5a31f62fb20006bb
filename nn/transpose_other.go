//go:build !goexperiment.simd || purego || !amd64

package nn

// transpose8 is transpose8Go where there is no AVX version (transpose_amd64.go).
func transpose8(dst []float32, ds int, src []float32, s0 int, offs *[8]int) {
	transpose8Go(dst, ds, src, s0, offs)
}

// transpose8Stride2 is transpose8Stride2Go where there is no AVX version.
func transpose8Stride2(dst []float32, ds int, src []float32, s0 int, offs *[8]int) {
	transpose8Stride2Go(dst, ds, src, s0, offs)
}
