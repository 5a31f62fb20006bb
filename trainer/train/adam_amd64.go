//go:build goexperiment.simd && amd64 && !purego

package train

import (
	"simd/archsimd"
	"unsafe"
)

// adamSIMD tells adamKernel whether it may use AVX2 (off: adamKernelGo).
var adamSIMD = archsimd.X86.AVX2()

// adamKernel is adamKernelGo eight parameters at a time (AVX, Float32x8):
// the same float32 operations in the same order, without fused
// multiply-adds, and a float32 square root (the scalar loop's float64 one
// rounds to the same float32), so the result is the same bit for bit. The
// scalar loop was bound by its one division and square root per parameter.
func adamKernel(p, g, m, v []float32, b1, omb1, b2, omb2, bc2sqrt, eps, stepSize float32) {
	n := len(p)
	if n < 8 || !adamSIMD {
		adamKernelGo(p, g, m, v, b1, omb1, b2, omb2, bc2sqrt, eps, stepSize)
		return
	}
	// The tail first: with scalar code after the vector loop, the
	// compiler reloads the scalar arguments inside the loop with legacy-SSE
	// moves, which stall while the ymm upper halves are dirty.
	if w := n &^ 7; w < n {
		adamKernelGo(p[w:], g[w:n], m[w:n], v[w:n], b1, omb1, b2, omb2, bc2sqrt, eps, stepSize)
		n = w
	}
	_, _, _ = g[n-1], m[n-1], v[n-1]
	pp, pg, pm, pv := unsafe.Pointer(&p[0]), unsafe.Pointer(&g[0]), unsafe.Pointer(&m[0]), unsafe.Pointer(&v[0])
	at := func(base unsafe.Pointer, i int) *[8]float32 { return (*[8]float32)(unsafe.Add(base, 4*i)) }
	vb1, vomb1 := archsimd.BroadcastFloat32x8(b1), archsimd.BroadcastFloat32x8(omb1)
	vb2, vomb2 := archsimd.BroadcastFloat32x8(b2), archsimd.BroadcastFloat32x8(omb2)
	vbc, veps, vstep := archsimd.BroadcastFloat32x8(bc2sqrt), archsimd.BroadcastFloat32x8(eps), archsimd.BroadcastFloat32x8(-stepSize)
	for i := 0; i+8 <= n; i += 8 {
		gj := archsimd.LoadFloat32x8Array(at(pg, i))
		mj := archsimd.LoadFloat32x8Array(at(pm, i)).Mul(vb1).Add(gj.Mul(vomb1))
		vj := archsimd.LoadFloat32x8Array(at(pv, i)).Mul(vb2).Add(vomb2.Mul(gj.Mul(gj)))
		mj.StoreArray(at(pm, i))
		vj.StoreArray(at(pv, i))
		denom := vj.Sqrt().Div(vbc).Add(veps)
		archsimd.LoadFloat32x8Array(at(pp, i)).Add(vstep.Mul(mj).Div(denom)).StoreArray(at(pp, i))
	}
	archsimd.ClearAVXUpperBits()
}
