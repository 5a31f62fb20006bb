package train

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAdamKernelBits checks adamKernel against adamKernelGo bit for bit.
func TestAdamKernelBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const n = 1003
	p, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range p {
		p[i], g[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64()*1e-3)
		m[i], v[i] = float32(rng.NormFloat64()*1e-3), float32(rng.Float64()*1e-5)
	}
	p2, m2, v2 := append([]float32(nil), p...), append([]float32(nil), m...), append([]float32(nil), v...)
	for range 3 {
		adamKernel(p, g, m, v, 0.5, 0.5, 0.999, 0.001, 0.0447, 1e-8, 2e-4)
		adamKernelGo(p2, g, m2, v2, 0.5, 0.5, 0.999, 0.001, 0.0447, 1e-8, 2e-4)
	}
	for i := range p {
		if math.Float32bits(p[i]) != math.Float32bits(p2[i]) || m[i] != m2[i] || v[i] != v2[i] {
			t.Fatalf("[%d]: p %v m %v v %v, want %v %v %v", i, p[i], m[i], v[i], p2[i], m2[i], v2[i])
		}
	}
}
