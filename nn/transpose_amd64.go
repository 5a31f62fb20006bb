//go:build goexperiment.simd && amd64 && !purego

package nn

import (
	"simd/archsimd"
	"unsafe"
)

// transpose8 writes the 8×8 block whose column i is the run of 8 floats at
// src[s0+offs[i]] into dst, row t at dst[t·ds]: dst[t·ds+i] =
// src[s0+offs[i]+t]. It is the packing step that turns contiguous runs
// (a row of dy, a window column of an image) into the interleaved rows the
// micro-kernels read: 8 vector loads, 24 shuffles (VSHUFPS, VPERM2F128)
// and 8 vector stores, where the scalar loop (transpose8Go, the fallback
// without AVX2) does 64 loads and 64 strided stores.
func transpose8(dst []float32, ds int, src []float32, s0 int, offs *[8]int) {
	if !vecSIMD {
		transpose8Go(dst, ds, src, s0, offs)
		return
	}
	transpose8AVX(dst, ds, src, s0, offs, false)
}

// transpose8Stride2 is transpose8 over every other float: dst[t·ds+i] =
// src[s0+offs[i]+2t] (the windows of a convolution with stride 2). src
// must hold 16 floats from s0+offs[i].
func transpose8Stride2(dst []float32, ds int, src []float32, s0 int, offs *[8]int) {
	if !vecSIMD {
		transpose8Stride2Go(dst, ds, src, s0, offs)
		return
	}
	transpose8AVX(dst, ds, src, s0, offs, true)
}

// transpose8AVX is transpose8, or transpose8Stride2 with stride2. With
// stride 2 each column is 16 floats loaded as two vectors whose even
// values one VSHUFPS picks, in the order t = 0, 1, 4, 5, 2, 3, 6, 7 (it
// works per 128-bit half); the rows are then stored in that order.
func transpose8AVX(dst []float32, ds int, src []float32, s0 int, offs *[8]int, stride2 bool) {
	span := 7
	rowOf := [8]int{0, 1, 2, 3, 4, 5, 6, 7}
	if stride2 {
		span = 15
		rowOf = [8]int{0, 1, 4, 5, 2, 3, 6, 7}
	}
	_ = dst[7*ds+7]
	for _, o := range offs {
		_ = src[s0+o+span]
	}
	ps, pd := unsafe.Pointer(&src[s0]), unsafe.Pointer(&dst[0])
	load := func(o int) archsimd.Float32x8 {
		lo := archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(ps, 4*o)))
		if !stride2 {
			return lo
		}
		hi := archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(ps, 4*o+32)))
		return lo.ConcatPermuteScalarsGrouped(0, 2, 4, 6, hi)
	}
	r0, r1, r2, r3 := load(offs[0]), load(offs[1]), load(offs[2]), load(offs[3])
	r4, r5, r6, r7 := load(offs[4]), load(offs[5]), load(offs[6]), load(offs[7])
	// pairs of rows: {r[0], r[1], r'[0], r'[1]} and {r[2], r[3], r'[2], r'[3]} per 128-bit half
	a0, a1 := r0.ConcatPermuteScalarsGrouped(0, 1, 4, 5, r1), r0.ConcatPermuteScalarsGrouped(2, 3, 6, 7, r1)
	a2, a3 := r2.ConcatPermuteScalarsGrouped(0, 1, 4, 5, r3), r2.ConcatPermuteScalarsGrouped(2, 3, 6, 7, r3)
	a4, a5 := r4.ConcatPermuteScalarsGrouped(0, 1, 4, 5, r5), r4.ConcatPermuteScalarsGrouped(2, 3, 6, 7, r5)
	a6, a7 := r6.ConcatPermuteScalarsGrouped(0, 1, 4, 5, r7), r6.ConcatPermuteScalarsGrouped(2, 3, 6, 7, r7)
	// elements t and t+4 of four rows: {r0[t], r1[t], r2[t], r3[t] | r0[t+4], …}
	b0, b1 := a0.ConcatPermuteScalarsGrouped(0, 2, 4, 6, a2), a0.ConcatPermuteScalarsGrouped(1, 3, 5, 7, a2)
	b2, b3 := a1.ConcatPermuteScalarsGrouped(0, 2, 4, 6, a3), a1.ConcatPermuteScalarsGrouped(1, 3, 5, 7, a3)
	b4, b5 := a4.ConcatPermuteScalarsGrouped(0, 2, 4, 6, a6), a4.ConcatPermuteScalarsGrouped(1, 3, 5, 7, a6)
	b6, b7 := a5.ConcatPermuteScalarsGrouped(0, 2, 4, 6, a7), a5.ConcatPermuteScalarsGrouped(1, 3, 5, 7, a7)
	store := func(t int, v archsimd.Float32x8) {
		v.StoreArray((*[8]float32)(unsafe.Add(pd, 4*rowOf[t]*ds)))
	}
	store(0, b0.ConcatPermute128Scalars(0, 2, b4))
	store(1, b1.ConcatPermute128Scalars(0, 2, b5))
	store(2, b2.ConcatPermute128Scalars(0, 2, b6))
	store(3, b3.ConcatPermute128Scalars(0, 2, b7))
	store(4, b0.ConcatPermute128Scalars(1, 3, b4))
	store(5, b1.ConcatPermute128Scalars(1, 3, b5))
	store(6, b2.ConcatPermute128Scalars(1, 3, b6))
	store(7, b3.ConcatPermute128Scalars(1, 3, b7))
	archsimd.ClearAVXUpperBits()
}
