//go:build goexperiment.simd && amd64 && !purego

package nn

import (
	"simd/archsimd"
	"unsafe"
)

// The amd64 micro-kernels, chosen at start-up by what the CPU reports.
//
// AVX-512, 4×32 tile: 8 accumulators of Float32x16 + 2 B vectors + 1
// broadcast fit easily in the 32 zmm registers and cover the 4-cycle FMA
// latency; this shape reached ~143 GFLOP/s kernel-only (PERF-FACTS).
//
// AVX2, 4×16 tile: 8 accumulators of Float32x8 + 2 B vectors + 1 broadcast
// of the 16 ymm registers; larger tiles (6×16, 4×24) spill with Go's register
// allocator.
//
// Both read the packed panels through unsafe pointers after one bounds check
// per call, so the k-loop has no bounds checks; pointer increments (rather
// than indexing) let the loads use plain base+offset addressing. Go's
// MulAdd is always the 213 FMA form, which overwrites a multiplicand, so the
// loop also carries register moves (eliminated at rename on current cores).

var kernelAVX512 = &gemmKernel{name: "avx512-4x32", mr: 4, nr: 32, aRep: 1, nc: 512, tile: tileAVX512}
var kernelAVX2 = &gemmKernel{name: "avx2-4x16", mr: 4, nr: 16, aRep: 1, nc: 512, tile: tileAVX2}
var kernelAVX2x3x24 = &gemmKernel{name: "avx2-3x24", mr: 3, nr: 24, aRep: 1, nc: 504, tile: tileAVX2x3x24}

func init() {
	avx2 := archsimd.X86.AVX2() && archsimd.X86.FMA()
	addKernels([]*gemmKernel{kernelAVX512, kernelAVX2x3x24, kernelAVX2},
		[]bool{archsimd.X86.AVX512(), avx2, avx2})
}

func tileAVX512(kc int, a, b, c []float32, ldc int, acc bool) {
	_ = a[4*kc-1]
	_ = b[32*kc-1]
	_ = c[3*ldc+31]
	pa := unsafe.Pointer(&a[0])
	pb := unsafe.Pointer(&b[0])
	var c00, c01, c10, c11, c20, c21, c30, c31 archsimd.Float32x16
	for {
		ap := (*[4]float32)(pa)
		b0 := archsimd.LoadFloat32x16Array((*[16]float32)(pb))
		b1 := archsimd.LoadFloat32x16Array((*[16]float32)(unsafe.Add(pb, 64)))
		a0 := archsimd.BroadcastFloat32x16(ap[0])
		c00 = a0.MulAdd(b0, c00)
		c01 = a0.MulAdd(b1, c01)
		a1 := archsimd.BroadcastFloat32x16(ap[1])
		c10 = a1.MulAdd(b0, c10)
		c11 = a1.MulAdd(b1, c11)
		a2 := archsimd.BroadcastFloat32x16(ap[2])
		c20 = a2.MulAdd(b0, c20)
		c21 = a2.MulAdd(b1, c21)
		a3 := archsimd.BroadcastFloat32x16(ap[3])
		c30 = a3.MulAdd(b0, c30)
		c31 = a3.MulAdd(b1, c31)
		if kc--; kc == 0 {
			break
		}
		pa = unsafe.Add(pa, 16) // never past the end of a: advanced only when another step follows
		pb = unsafe.Add(pb, 128)
	}
	storeRow16(c[0*ldc:], c00, c01, acc)
	storeRow16(c[1*ldc:], c10, c11, acc)
	storeRow16(c[2*ldc:], c20, c21, acc)
	storeRow16(c[3*ldc:], c30, c31, acc)
}

func storeRow16(c []float32, v0, v1 archsimd.Float32x16, acc bool) {
	p0 := (*[16]float32)(c[0:16])
	p1 := (*[16]float32)(c[16:32])
	if acc {
		v0 = v0.Add(archsimd.LoadFloat32x16Array(p0))
		v1 = v1.Add(archsimd.LoadFloat32x16Array(p1))
	}
	v0.StoreArray(p0)
	v1.StoreArray(p1)
}

func tileAVX2(kc int, a, b, c []float32, ldc int, acc bool) {
	_ = a[4*kc-1]
	_ = b[16*kc-1]
	_ = c[3*ldc+15]
	pa := unsafe.Pointer(&a[0])
	pb := unsafe.Pointer(&b[0])
	var c00, c01, c10, c11, c20, c21, c30, c31 archsimd.Float32x8
	for {
		ap := (*[4]float32)(pa)
		b0 := archsimd.LoadFloat32x8Array((*[8]float32)(pb))
		b1 := archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(pb, 32)))
		a0 := archsimd.BroadcastFloat32x8(ap[0])
		c00 = a0.MulAdd(b0, c00)
		c01 = a0.MulAdd(b1, c01)
		a1 := archsimd.BroadcastFloat32x8(ap[1])
		c10 = a1.MulAdd(b0, c10)
		c11 = a1.MulAdd(b1, c11)
		a2 := archsimd.BroadcastFloat32x8(ap[2])
		c20 = a2.MulAdd(b0, c20)
		c21 = a2.MulAdd(b1, c21)
		a3 := archsimd.BroadcastFloat32x8(ap[3])
		c30 = a3.MulAdd(b0, c30)
		c31 = a3.MulAdd(b1, c31)
		if kc--; kc == 0 {
			break
		}
		pa = unsafe.Add(pa, 16) // never past the end of a: advanced only when another step follows
		pb = unsafe.Add(pb, 64)
	}
	storeRow8(c[0*ldc:], c00, c01, acc)
	storeRow8(c[1*ldc:], c10, c11, acc)
	storeRow8(c[2*ldc:], c20, c21, acc)
	storeRow8(c[3*ldc:], c30, c31, acc)
}

func storeRow8(c []float32, v0, v1 archsimd.Float32x8, acc bool) {
	p0 := (*[8]float32)(c[0:8])
	p1 := (*[8]float32)(c[8:16])
	if acc {
		v0 = v0.Add(archsimd.LoadFloat32x8Array(p0))
		v1 = v1.Add(archsimd.LoadFloat32x8Array(p1))
	}
	v0.StoreArray(p0)
	v1.StoreArray(p1)
}

// tileAVX2x3x24 is the AVX2 alternative tile: 9 accumulators (3 rows × 3
// Float32x8), 3 B vectors and 1 broadcast = 13 of 16 ymm registers.
func tileAVX2x3x24(kc int, a, b, c []float32, ldc int, acc bool) {
	_ = a[3*kc-1]
	_ = b[24*kc-1]
	_ = c[2*ldc+23]
	pa := unsafe.Pointer(&a[0])
	pb := unsafe.Pointer(&b[0])
	var c00, c01, c02, c10, c11, c12, c20, c21, c22 archsimd.Float32x8
	for {
		ap := (*[3]float32)(pa)
		b0 := archsimd.LoadFloat32x8Array((*[8]float32)(pb))
		b1 := archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(pb, 32)))
		b2 := archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(pb, 64)))
		a0 := archsimd.BroadcastFloat32x8(ap[0])
		c00 = a0.MulAdd(b0, c00)
		c01 = a0.MulAdd(b1, c01)
		c02 = a0.MulAdd(b2, c02)
		a1 := archsimd.BroadcastFloat32x8(ap[1])
		c10 = a1.MulAdd(b0, c10)
		c11 = a1.MulAdd(b1, c11)
		c12 = a1.MulAdd(b2, c12)
		a2 := archsimd.BroadcastFloat32x8(ap[2])
		c20 = a2.MulAdd(b0, c20)
		c21 = a2.MulAdd(b1, c21)
		c22 = a2.MulAdd(b2, c22)
		if kc--; kc == 0 {
			break
		}
		pa = unsafe.Add(pa, 12)
		pb = unsafe.Add(pb, 96)
	}
	storeRow8(c[0*ldc:], c00, c01, acc)
	storeRow8(c[1*ldc:], c10, c11, acc)
	storeRow8(c[2*ldc:], c20, c21, acc)
	storeRow8x1(c[0*ldc+16:], c02, acc)
	storeRow8x1(c[1*ldc+16:], c12, acc)
	storeRow8x1(c[2*ldc+16:], c22, acc)
}

func storeRow8x1(c []float32, v archsimd.Float32x8, acc bool) {
	p := (*[8]float32)(c[0:8])
	if acc {
		v = v.Add(archsimd.LoadFloat32x8Array(p))
	}
	v.StoreArray(p)
}
