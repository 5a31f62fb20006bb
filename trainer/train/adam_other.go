//go:build !goexperiment.simd || purego || !amd64

package train

// adamKernel is adamKernelGo where there is no vector version (adam_amd64.go).
func adamKernel(p, g, m, v []float32, b1, omb1, b2, omb2, bc2sqrt, eps, stepSize float32) {
	adamKernelGo(p, g, m, v, b1, omb1, b2, omb2, bc2sqrt, eps, stepSize)
}
