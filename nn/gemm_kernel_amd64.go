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
// AVX2: the 2×32 tile with separate multiply and add (tileAVX2x2x32) is
// preferred; the FMA tiles 3×24 and 4×16 remain as alternatives (tests run
// all three). What Go 1.27's code generation does to these loops (see
// docs/PERF.md, "Kernels"):
//   - MulAdd is always the 213 FMA form, whose result overwrites a
//     multiplicand: every FMA costs a register copy or a loop-carried move,
//     and the 3×24 tile also spills a broadcast to the stack each step;
//   - a spill of a scalar or 128-bit value inside the loop uses a legacy-SSE
//     MOVUPS/MOVSS, and every loop that had one (6×16, 5×16, 4×24, k-loops
//     unrolled ×2) ran 20–40× slower on this AMD EPYC: keep tiles small
//     enough that nothing spills;
//   - BroadcastFloat32x8 of a loaded float is a VMOVSS plus a register
//     VBROADCASTSS (never the memory form); packing A pre-broadcast (8 copies
//     per value) removed that from the loop but lost more in A traffic.
//
//   - Go emits no VZEROUPPER after AVX code, and its scalar float code and
//     assembly (math.Exp, ...) use legacy-SSE encodings: with the upper
//     halves of the ymm registers dirty, every one of those instructions
//     paid a large penalty here (math.Tanh took ~200 ns; InstanceNorm's
//     float64 sums and the col2im adds crawled). Every function in this
//     file ends with archsimd.ClearAVXUpperBits (VZEROUPPER).
//
// All read the packed panels through unsafe pointers after one bounds check
// per call, so the k-loop has no bounds checks; pointer increments (rather
// than indexing) let the loads use plain base+offset addressing.

var kernelAVX512 = &gemmKernel{name: "avx512-4x32", mr: 4, nr: 32, aRep: 1, nc: 512, tile: tileAVX512}
var kernelAVX2 = &gemmKernel{name: "avx2-4x16", mr: 4, nr: 16, aRep: 1, nc: 512, tile: tileAVX2}
var kernelAVX2x3x24 = &gemmKernel{name: "avx2-3x24", mr: 3, nr: 24, aRep: 1, nc: 504, tile: tileAVX2x3x24}
var kernelAVX2x2x32 = &gemmKernel{name: "avx2-2x32", mr: 2, nr: 32, aRep: 1, kc: 192, tile: tileAVX2x2x32}

func init() {
	vecSIMD = archsimd.X86.AVX2() // the vector helpers below and in norm_rows_amd64.go
	avx2 := archsimd.X86.AVX2() && archsimd.X86.FMA()
	addKernels([]*gemmKernel{kernelAVX512, kernelAVX2x2x32, kernelAVX2x3x24, kernelAVX2},
		[]bool{archsimd.X86.AVX512(), avx2, avx2, avx2})
}

// tileAVX2x2x32 is the AVX2 kernel in use: a 2×32 tile (8 accumulators, 4
// B vectors, 1 broadcast, 1 product = 14 of 16 ymm registers) with a
// separate multiply and add instead of FMA. Go emits only the 213 form of
// FMA, whose result overwrites a multiplicand, so an FMA kernel carries a
// register copy or a loop-carried move per FMA (and the 3×24 one spills a
// broadcast); VMULPS and VADDPS take three operands, so this loop has no
// moves and no spills, and on AMD Zen the adds run on their own two pipes
// beside the two multiply pipes. Measured on the 2-core EPYC (docs/PERF.md)
// it beat the 3×24 FMA tile by about 15% in median GFLOP per CPU-second
// (and was steadier under load). kc 192 keeps the 24 KB B panel in L1.
func tileAVX2x2x32(kc int, a, b, c []float32, ldc int, acc bool) {
	_ = a[2*kc-1]
	_ = b[32*kc-1]
	_ = c[1*ldc+31]
	pa := unsafe.Pointer(&a[0])
	pb := unsafe.Pointer(&b[0])
	var c00, c01, c02, c03, c10, c11, c12, c13 archsimd.Float32x8
	for {
		b0 := archsimd.LoadFloat32x8Array((*[8]float32)(pb))
		b1 := archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(pb, 32)))
		b2 := archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(pb, 64)))
		b3 := archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(pb, 96)))
		a0 := archsimd.BroadcastFloat32x8(*(*float32)(pa))
		c00 = c00.Add(a0.Mul(b0))
		c01 = c01.Add(a0.Mul(b1))
		c02 = c02.Add(a0.Mul(b2))
		c03 = c03.Add(a0.Mul(b3))
		a1 := archsimd.BroadcastFloat32x8(*(*float32)(unsafe.Add(pa, 4)))
		c10 = c10.Add(a1.Mul(b0))
		c11 = c11.Add(a1.Mul(b1))
		c12 = c12.Add(a1.Mul(b2))
		c13 = c13.Add(a1.Mul(b3))
		if kc--; kc == 0 {
			break
		}
		pa = unsafe.Add(pa, 8) // never past the end of a: advanced only when another step follows
		pb = unsafe.Add(pb, 128)
	}
	storeRow8(c[0:], c00, c01, acc)
	storeRow8(c[16:], c02, c03, acc)
	storeRow8(c[ldc:], c10, c11, acc)
	storeRow8(c[ldc+16:], c12, c13, acc)
	archsimd.ClearAVXUpperBits()
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
	archsimd.ClearAVXUpperBits()
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
	archsimd.ClearAVXUpperBits()
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
	archsimd.ClearAVXUpperBits()
}

func storeRow8x1(c []float32, v archsimd.Float32x8, acc bool) {
	p := (*[8]float32)(c[0:8])
	if acc {
		v = v.Add(archsimd.LoadFloat32x8Array(p))
	}
	v.StoreArray(p)
}

// copyRow copies len(dst) floats from the start of src with 8-wide vector
// loads and stores (packing panels; a copy() per short run costs a call).
func copyRow(dst, src []float32) {
	n := len(dst)
	if n == 0 || !vecSIMD {
		copyRowGo(dst, src)
		return
	}
	_ = src[n-1]
	pd, ps := unsafe.Pointer(&dst[0]), unsafe.Pointer(&src[0])
	i := 0
	for ; i+8 <= n; i += 8 {
		archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(ps, 4*i))).StoreArray((*[8]float32)(unsafe.Add(pd, 4*i)))
	}
	archsimd.ClearAVXUpperBits() // before the scalar tail (legacy SSE)
	for ; i < n; i++ {
		*(*float32)(unsafe.Add(pd, 4*i)) = *(*float32)(unsafe.Add(ps, 4*i))
	}
}

// reluRow sets every value of x that is not > 0 (NaN included) to 0.
func reluRow(x []float32) {
	n := len(x)
	if n == 0 || !vecSIMD {
		reluRowGo(x)
		return
	}
	p := unsafe.Pointer(&x[0])
	var zero archsimd.Float32x8
	i := 0
	for ; i+8 <= n; i += 8 {
		a := (*[8]float32)(unsafe.Add(p, 4*i))
		v := archsimd.LoadFloat32x8Array(a)
		v.Masked(v.Greater(zero)).StoreArray(a)
	}
	archsimd.ClearAVXUpperBits() // before the scalar tail (legacy SSE)
	for ; i < n; i++ {
		if !(x[i] > 0) {
			x[i] = 0
		}
	}
}

// gatherRows sets row p of dst (nr floats at p·nr) to the nr floats of x at
// taps[p]+off, for every p; taps must be increasing. Widths 32 and 24 (the
// AVX2 kernels') copy with unrolled vector loads and stores.
func gatherRows(dst []float32, nr int, x []float32, taps []int, off int) {
	n := len(taps)
	if n == 0 || !vecSIMD {
		gatherRowsGo(dst, nr, x, taps, off)
		return
	}
	_ = dst[n*nr-1]
	_ = x[taps[n-1]+off+nr-1]
	_ = x[taps[0]+off]
	// Row p's destination is computed from p rather than by advancing a
	// pointer after each row, which would leave it one past the end of dst
	// after the last row (harmless, but not a valid Go pointer: checkptr
	// and the garbage collector may reject it).
	pd, px := unsafe.Pointer(&dst[0]), unsafe.Pointer(&x[0])
	switch nr {
	case 32:
		for p, t := range taps {
			ps := unsafe.Add(px, 4*(t+off))
			d := unsafe.Add(pd, 128*p)
			v0 := archsimd.LoadFloat32x8Array((*[8]float32)(ps))
			v1 := archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(ps, 32)))
			v2 := archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(ps, 64)))
			v3 := archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(ps, 96)))
			v0.StoreArray((*[8]float32)(d))
			v1.StoreArray((*[8]float32)(unsafe.Add(d, 32)))
			v2.StoreArray((*[8]float32)(unsafe.Add(d, 64)))
			v3.StoreArray((*[8]float32)(unsafe.Add(d, 96)))
		}
	case 24:
		for p, t := range taps {
			ps := unsafe.Add(px, 4*(t+off))
			d := unsafe.Add(pd, 96*p)
			v0 := archsimd.LoadFloat32x8Array((*[8]float32)(ps))
			v1 := archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(ps, 32)))
			v2 := archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(ps, 64)))
			v0.StoreArray((*[8]float32)(d))
			v1.StoreArray((*[8]float32)(unsafe.Add(d, 32)))
			v2.StoreArray((*[8]float32)(unsafe.Add(d, 64)))
		}
	default:
		for p, t := range taps {
			copyRow(dst[p*nr:p*nr+nr], x[t+off:])
		}
	}
	archsimd.ClearAVXUpperBits()
}
