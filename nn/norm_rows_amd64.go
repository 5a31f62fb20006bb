//go:build goexperiment.simd && amd64 && !purego

package nn

import (
	"simd/archsimd"
	"unsafe"
)

// The row loops of InstanceNorm2d with AVX2 (Float32x8, two vectors a
// step); same contracts as their portable versions (norm_rows_portable.go), which
// they fall back to without AVX2.

func sumRow(x []float32) float32 {
	n := len(x)
	if n == 0 || !vecSIMD {
		return sumRowGo(x)
	}
	p := unsafe.Pointer(&x[0])
	var a0, a1 archsimd.Float32x8
	i := 0
	for ; i+16 <= n; i += 16 {
		a0 = a0.Add(archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(p, 4*i))))
		a1 = a1.Add(archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(p, 4*i+32))))
	}
	s := reduce8(a0.Add(a1))
	for ; i < n; i++ {
		s += x[i]
	}
	return s
}

func sumSqDevRow(x []float32, m float32) float32 {
	n := len(x)
	if n == 0 || !vecSIMD {
		return sumSqDevRowGo(x, m)
	}
	p := unsafe.Pointer(&x[0])
	mv := archsimd.BroadcastFloat32x8(m)
	var a0, a1 archsimd.Float32x8
	i := 0
	for ; i+16 <= n; i += 16 {
		d0 := archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(p, 4*i))).Sub(mv)
		d1 := archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(p, 4*i+32))).Sub(mv)
		a0 = a0.Add(d0.Mul(d0))
		a1 = a1.Add(d1.Mul(d1))
	}
	s := reduce8(a0.Add(a1))
	for ; i < n; i++ {
		d := x[i] - m
		s += d * d
	}
	return s
}

func normRow(x []float32, m, r float32, relu bool) {
	n := len(x)
	if n == 0 || !vecSIMD {
		normRowGo(x, m, r, relu)
		return
	}
	p := unsafe.Pointer(&x[0])
	mv, rv := archsimd.BroadcastFloat32x8(m), archsimd.BroadcastFloat32x8(r)
	var zero archsimd.Float32x8
	i := 0
	for ; i+8 <= n; i += 8 {
		a := (*[8]float32)(unsafe.Add(p, 4*i))
		v := archsimd.LoadFloat32x8Array(a).Sub(mv).Mul(rv)
		if relu {
			v = v.Masked(v.Greater(zero))
		}
		v.StoreArray(a)
	}
	archsimd.ClearAVXUpperBits() // before the scalar tail (legacy SSE)
	for ; i < n; i++ {
		y := (x[i] - m) * r
		if relu && !(y > 0) {
			y = 0
		}
		x[i] = y
	}
}

// reduce8 adds the eight lanes of v, after VZEROUPPER (the scalar adds
// and the callers' scalar tails use legacy-SSE encodings).
func reduce8(v archsimd.Float32x8) float32 {
	var a [8]float32
	v.StoreArray(&a)
	archsimd.ClearAVXUpperBits()
	return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]))
}
