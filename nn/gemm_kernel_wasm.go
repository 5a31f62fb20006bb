//go:build goexperiment.simd && wasm && !purego

package nn

import (
	"simd/archsimd"
	"unsafe"
)

// The WebAssembly SIMD micro-kernel: a 4×8 tile of Float32x4 (8 accumulators
// + 2 B vectors + 1 A vector = 11 live v128 values; 6×8 and 4×12 spill and
// lose a fifth of the speed). What made it fast under Go 1.27 (PERF-FACTS):
//   - unsafe.Pointer arithmetic instead of re-slicing (every re-slice emits
//     masking code: 16 → 33 GFLOP/s);
//   - the k-loop unrolled ×8 (each loop back-edge in Go's wasm backend is an
//     indirect jump through a table);
//   - A packed pre-broadcast (aRep 4): Go never emits v128.load32_splat, so
//     each A value is stored four times and read with a plain v128.load.
// Float32x4.MulAdd is a multiply plus an add on wasm (no relaxed FMA), written
// out here as Mul then Add.

var kernelWasm4x8 = &gemmKernel{name: "wasm-simd-4x8", mr: 4, nr: 8, aRep: 4, nc: 512, aOuter: true, tile: tileWasm4x8}

func init() { addKernels([]*gemmKernel{kernelWasm4x8}, []bool{true}) }

func ld4(p unsafe.Pointer, off uintptr) archsimd.Float32x4 {
	return archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(p, off)))
}

func tileWasm4x8(kc int, a, b, c []float32, ldc int, acc bool) {
	_ = a[16*kc-1]
	_ = b[8*kc-1]
	_ = c[3*ldc+7]
	pa := unsafe.Pointer(&a[0])
	pb := unsafe.Pointer(&b[0])
	var c00, c01, c10, c11, c20, c21, c30, c31, av, b0, b1 archsimd.Float32x4
	for ; kc >= 8; kc -= 8 {
		b0, b1 = ld4(pb, 0), ld4(pb, 16)
		av = ld4(pa, 0)
		c00, c01 = av.Mul(b0).Add(c00), av.Mul(b1).Add(c01)
		av = ld4(pa, 16)
		c10, c11 = av.Mul(b0).Add(c10), av.Mul(b1).Add(c11)
		av = ld4(pa, 32)
		c20, c21 = av.Mul(b0).Add(c20), av.Mul(b1).Add(c21)
		av = ld4(pa, 48)
		c30, c31 = av.Mul(b0).Add(c30), av.Mul(b1).Add(c31)
		b0, b1 = ld4(pb, 32), ld4(pb, 48)
		av = ld4(pa, 64)
		c00, c01 = av.Mul(b0).Add(c00), av.Mul(b1).Add(c01)
		av = ld4(pa, 80)
		c10, c11 = av.Mul(b0).Add(c10), av.Mul(b1).Add(c11)
		av = ld4(pa, 96)
		c20, c21 = av.Mul(b0).Add(c20), av.Mul(b1).Add(c21)
		av = ld4(pa, 112)
		c30, c31 = av.Mul(b0).Add(c30), av.Mul(b1).Add(c31)
		b0, b1 = ld4(pb, 64), ld4(pb, 80)
		av = ld4(pa, 128)
		c00, c01 = av.Mul(b0).Add(c00), av.Mul(b1).Add(c01)
		av = ld4(pa, 144)
		c10, c11 = av.Mul(b0).Add(c10), av.Mul(b1).Add(c11)
		av = ld4(pa, 160)
		c20, c21 = av.Mul(b0).Add(c20), av.Mul(b1).Add(c21)
		av = ld4(pa, 176)
		c30, c31 = av.Mul(b0).Add(c30), av.Mul(b1).Add(c31)
		b0, b1 = ld4(pb, 96), ld4(pb, 112)
		av = ld4(pa, 192)
		c00, c01 = av.Mul(b0).Add(c00), av.Mul(b1).Add(c01)
		av = ld4(pa, 208)
		c10, c11 = av.Mul(b0).Add(c10), av.Mul(b1).Add(c11)
		av = ld4(pa, 224)
		c20, c21 = av.Mul(b0).Add(c20), av.Mul(b1).Add(c21)
		av = ld4(pa, 240)
		c30, c31 = av.Mul(b0).Add(c30), av.Mul(b1).Add(c31)
		b0, b1 = ld4(pb, 128), ld4(pb, 144)
		av = ld4(pa, 256)
		c00, c01 = av.Mul(b0).Add(c00), av.Mul(b1).Add(c01)
		av = ld4(pa, 272)
		c10, c11 = av.Mul(b0).Add(c10), av.Mul(b1).Add(c11)
		av = ld4(pa, 288)
		c20, c21 = av.Mul(b0).Add(c20), av.Mul(b1).Add(c21)
		av = ld4(pa, 304)
		c30, c31 = av.Mul(b0).Add(c30), av.Mul(b1).Add(c31)
		b0, b1 = ld4(pb, 160), ld4(pb, 176)
		av = ld4(pa, 320)
		c00, c01 = av.Mul(b0).Add(c00), av.Mul(b1).Add(c01)
		av = ld4(pa, 336)
		c10, c11 = av.Mul(b0).Add(c10), av.Mul(b1).Add(c11)
		av = ld4(pa, 352)
		c20, c21 = av.Mul(b0).Add(c20), av.Mul(b1).Add(c21)
		av = ld4(pa, 368)
		c30, c31 = av.Mul(b0).Add(c30), av.Mul(b1).Add(c31)
		b0, b1 = ld4(pb, 192), ld4(pb, 208)
		av = ld4(pa, 384)
		c00, c01 = av.Mul(b0).Add(c00), av.Mul(b1).Add(c01)
		av = ld4(pa, 400)
		c10, c11 = av.Mul(b0).Add(c10), av.Mul(b1).Add(c11)
		av = ld4(pa, 416)
		c20, c21 = av.Mul(b0).Add(c20), av.Mul(b1).Add(c21)
		av = ld4(pa, 432)
		c30, c31 = av.Mul(b0).Add(c30), av.Mul(b1).Add(c31)
		b0, b1 = ld4(pb, 224), ld4(pb, 240)
		av = ld4(pa, 448)
		c00, c01 = av.Mul(b0).Add(c00), av.Mul(b1).Add(c01)
		av = ld4(pa, 464)
		c10, c11 = av.Mul(b0).Add(c10), av.Mul(b1).Add(c11)
		av = ld4(pa, 480)
		c20, c21 = av.Mul(b0).Add(c20), av.Mul(b1).Add(c21)
		av = ld4(pa, 496)
		c30, c31 = av.Mul(b0).Add(c30), av.Mul(b1).Add(c31)
		if kc > 8 { // advance only when more steps follow: never past the end
			pa = unsafe.Add(pa, 8*64)
			pb = unsafe.Add(pb, 8*32)
		}
	}
	for ; kc > 0; kc-- {
		b0, b1 = ld4(pb, 0), ld4(pb, 16)
		av = ld4(pa, 0)
		c00, c01 = av.Mul(b0).Add(c00), av.Mul(b1).Add(c01)
		av = ld4(pa, 16)
		c10, c11 = av.Mul(b0).Add(c10), av.Mul(b1).Add(c11)
		av = ld4(pa, 32)
		c20, c21 = av.Mul(b0).Add(c20), av.Mul(b1).Add(c21)
		av = ld4(pa, 48)
		c30, c31 = av.Mul(b0).Add(c30), av.Mul(b1).Add(c31)
		if kc > 1 {
			pa = unsafe.Add(pa, 64)
			pb = unsafe.Add(pb, 32)
		}
	}
	storeRow4x2(c[0*ldc:], c00, c01, acc)
	storeRow4x2(c[1*ldc:], c10, c11, acc)
	storeRow4x2(c[2*ldc:], c20, c21, acc)
	storeRow4x2(c[3*ldc:], c30, c31, acc)
}

func storeRow4x2(c []float32, v0, v1 archsimd.Float32x4, acc bool) {
	p0 := (*[4]float32)(c[0:4])
	p1 := (*[4]float32)(c[4:8])
	if acc {
		v0 = v0.Add(archsimd.LoadFloat32x4Array(p0))
		v1 = v1.Add(archsimd.LoadFloat32x4Array(p1))
	}
	v0.StoreArray(p0)
	v1.StoreArray(p1)
}

// copyRow copies len(dst) floats from the start of src with 4-wide vector
// loads and stores (packing panels; copy() per short run costs a call).
func copyRow(dst, src []float32) {
	n := len(dst)
	if n == 0 {
		return
	}
	_ = src[n-1]
	pd, ps := unsafe.Pointer(&dst[0]), unsafe.Pointer(&src[0])
	i := 0
	for ; i+8 <= n; i += 8 {
		v0 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(ps, 4*i)))
		v1 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(ps, 4*i+16)))
		v0.StoreArray((*[4]float32)(unsafe.Add(pd, 4*i)))
		v1.StoreArray((*[4]float32)(unsafe.Add(pd, 4*i+16)))
	}
	for ; i < n; i++ {
		*(*float32)(unsafe.Add(pd, 4*i)) = *(*float32)(unsafe.Add(ps, 4*i))
	}
}

// reluRow sets every value of x that is not > 0 (NaN included) to 0.
func reluRow(x []float32) {
	n := len(x)
	if n == 0 {
		return
	}
	p := unsafe.Pointer(&x[0])
	var zero archsimd.Float32x4
	i := 0
	for ; i+4 <= n; i += 4 {
		a := (*[4]float32)(unsafe.Add(p, 4*i))
		v := archsimd.LoadFloat32x4Array(a)
		v.Masked(v.Greater(zero)).StoreArray(a)
	}
	for ; i < n; i++ {
		if !(x[i] > 0) {
			x[i] = 0
		}
	}
}

// gatherRows sets row p of dst (nr floats at p·nr) to the nr floats of x at
// taps[p]+off, for every p; taps must be increasing. Width 8 (the wasm
// kernel's) copies with two v128 loads and stores per row.
func gatherRows(dst []float32, nr int, x []float32, taps []int, off int) {
	n := len(taps)
	if n == 0 {
		return
	}
	_ = dst[n*nr-1]
	_ = x[taps[n-1]+off+nr-1]
	_ = x[taps[0]+off]
	if nr != 8 {
		for p, t := range taps {
			copyRow(dst[p*nr:p*nr+nr], x[t+off:])
		}
		return
	}
	// Row p's destination is computed from p: advancing a pointer after each
	// row would leave it one past the end of dst (not a valid Go pointer).
	pd, px := unsafe.Pointer(&dst[0]), unsafe.Pointer(&x[0])
	for p, t := range taps {
		ps := unsafe.Add(px, 4*(t+off))
		d := unsafe.Add(pd, 32*p)
		v0 := archsimd.LoadFloat32x4Array((*[4]float32)(ps))
		v1 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(ps, 16)))
		v0.StoreArray((*[4]float32)(d))
		v1.StoreArray((*[4]float32)(unsafe.Add(d, 16)))
	}
}
