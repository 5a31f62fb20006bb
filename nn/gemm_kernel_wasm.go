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

var kernelWasm4x8 = &gemmKernel{name: "wasm-simd-4x8", mr: 4, nr: 8, aRep: 4, nc: 512, tile: tileWasm4x8}

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
