//go:build goexperiment.simd && amd64 && !purego

package nn

import (
	"simd/archsimd"
	"unsafe"
)

// The backward row loops of InstanceNorm2d and the bias gradient with AVX:
// sums in float64 (4 lanes, two vectors a step), as their portable versions
// (norm_grad_portable.go) sum, in another order; the row update in float32
// with the same operations as the portable loop, so bit for bit the same.

// sumRow64 returns Σ x, summed in float64.
func sumRow64(x []float32) float64 {
	n := len(x)
	if n == 0 || !vecSIMD {
		return sumRow64Go(x)
	}
	p := unsafe.Pointer(&x[0])
	var a0, a1 archsimd.Float64x4
	i := 0
	for ; i+8 <= n; i += 8 {
		a0 = a0.Add(archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(p, 4*i))).ConvertToFloat64())
		a1 = a1.Add(archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(p, 4*i+16))).ConvertToFloat64())
	}
	s := reduce4x64(a0.Add(a1))
	for ; i < n; i++ {
		s += float64(x[i])
	}
	return s
}

// normGradSums returns Σ g and Σ g·(x−mean)·inv over a plane, in float64.
func normGradSums(g, x []float32, mean, inv float64) (sg, sgx float64) {
	n := len(g)
	if n == 0 || !vecSIMD {
		return normGradSumsGo(g, x, mean, inv)
	}
	_ = x[n-1]
	pg, px := unsafe.Pointer(&g[0]), unsafe.Pointer(&x[0])
	mv, iv := archsimd.BroadcastFloat64x4(mean), archsimd.BroadcastFloat64x4(inv)
	var s0, s1, t0, t1 archsimd.Float64x4
	i := 0
	for ; i+8 <= n; i += 8 {
		g0 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pg, 4*i))).ConvertToFloat64()
		g1 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pg, 4*i+16))).ConvertToFloat64()
		x0 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(px, 4*i))).ConvertToFloat64()
		x1 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(px, 4*i+16))).ConvertToFloat64()
		s0, s1 = s0.Add(g0), s1.Add(g1)
		t0 = t0.Add(g0.Mul(x0.Sub(mv)).Mul(iv))
		t1 = t1.Add(g1.Mul(x1.Sub(mv)).Mul(iv))
	}
	sg, sgx = reduce4x64(s0.Add(s1)), reduce4x64(t0.Add(t1))
	for ; i < n; i++ {
		sg += float64(g[i])
		sgx += float64(g[i]) * (float64(x[i]) - mean) * inv
	}
	return sg, sgx
}

// normGradRow sets g[j] = r·(g[j] − mg − (x[j]−m)·r·mgx): dy turned into
// dx for one plane of InstanceNorm2d.
func normGradRow(g, x []float32, m, r, mg, mgx float32) {
	n := len(g)
	if n == 0 || !vecSIMD {
		normGradRowGo(g, x, m, r, mg, mgx)
		return
	}
	_ = x[n-1]
	pg, px := unsafe.Pointer(&g[0]), unsafe.Pointer(&x[0])
	mv, rv := archsimd.BroadcastFloat32x8(m), archsimd.BroadcastFloat32x8(r)
	mgv, mgxv := archsimd.BroadcastFloat32x8(mg), archsimd.BroadcastFloat32x8(mgx)
	i := 0
	for ; i+8 <= n; i += 8 {
		a := (*[8]float32)(unsafe.Add(pg, 4*i))
		xh := archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(px, 4*i))).Sub(mv).Mul(rv)
		v := archsimd.LoadFloat32x8Array(a)
		rv.Mul(v.Sub(mgv).Sub(xh.Mul(mgxv))).StoreArray(a)
	}
	archsimd.ClearAVXUpperBits() // before the scalar tail (legacy SSE)
	for ; i < n; i++ {
		xh := (x[i] - m) * r
		g[i] = r * (g[i] - mg - xh*mgx)
	}
}

// reduce4x64 adds the four lanes of v, after VZEROUPPER.
func reduce4x64(v archsimd.Float64x4) float64 {
	var a [4]float64
	v.StoreArray(&a)
	archsimd.ClearAVXUpperBits()
	return (a[0] + a[1]) + (a[2] + a[3])
}
