//go:build goexperiment.simd && wasm && !purego

package nn

import (
	"simd/archsimd"
	"unsafe"
)

// The row loops of InstanceNorm2d with WebAssembly SIMD (Float32x4, two
// vectors a step); same contracts as their portable versions (norm_rows_portable.go).

func sumRow(x []float32) float32 {
	n := len(x)
	if n == 0 || !vecSIMD {
		return sumRowGo(x)
	}
	p := unsafe.Pointer(&x[0])
	var a0, a1 archsimd.Float32x4
	i := 0
	for ; i+8 <= n; i += 8 {
		a0 = a0.Add(archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(p, 4*i))))
		a1 = a1.Add(archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(p, 4*i+16))))
	}
	a0 = a0.Add(a1)
	s := (a0.GetElem(0) + a0.GetElem(1)) + (a0.GetElem(2) + a0.GetElem(3))
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
	mv := archsimd.BroadcastFloat32x4(m)
	var a0, a1 archsimd.Float32x4
	i := 0
	for ; i+8 <= n; i += 8 {
		d0 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(p, 4*i))).Sub(mv)
		d1 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(p, 4*i+16))).Sub(mv)
		a0 = a0.Add(d0.Mul(d0))
		a1 = a1.Add(d1.Mul(d1))
	}
	a0 = a0.Add(a1)
	s := (a0.GetElem(0) + a0.GetElem(1)) + (a0.GetElem(2) + a0.GetElem(3))
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
	mv, rv := archsimd.BroadcastFloat32x4(m), archsimd.BroadcastFloat32x4(r)
	var zero archsimd.Float32x4
	i := 0
	for ; i+4 <= n; i += 4 {
		a := (*[4]float32)(unsafe.Add(p, 4*i))
		v := archsimd.LoadFloat32x4Array(a).Sub(mv).Mul(rv)
		if relu {
			v = v.Masked(v.Greater(zero))
		}
		v.StoreArray(a)
	}
	for ; i < n; i++ {
		y := (x[i] - m) * r
		if relu && !(y > 0) {
			y = 0
		}
		x[i] = y
	}
}
