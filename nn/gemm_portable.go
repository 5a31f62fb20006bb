package nn

// The portable micro-kernels, in plain Go: the last entry of every kernel
// table (gemm_table_*.go), run where no SIMD kernel is usable and in
// -tags purego builds. Go keeps every product of a register tile live at
// once, so large scalar tiles spill to the stack: 2×3 (6 accumulators) is
// the fastest natively and 3×3 under wasm (measured in docs/PERF.md; 4×4 and
// 4×8 are 2–3× slower), so go2x3 ends the amd64 and generic tables and
// go3x3 the wasm ones.

var kernelGo2x3 = &gemmKernel{name: "go2x3", mr: 2, nr: 3, aRep: 1, nc: 510, tile: tileGo2x3}
var kernelGo3x3 = &gemmKernel{name: "go3x3", mr: 3, nr: 3, aRep: 1, nc: 510, tile: tileGo3x3}

func tileGo2x3(kc int, a, b, c []float32, ldc int, acc bool) {
	a = a[:2*kc]
	b = b[:3*kc]
	var c00, c01, c02, c10, c11, c12 float32
	for p := 0; p < kc; p++ {
		ap := a[2*p : 2*p+2 : 2*p+2]
		bp := b[3*p : 3*p+3 : 3*p+3]
		a0, a1 := ap[0], ap[1]
		b0, b1, b2 := bp[0], bp[1], bp[2]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
	}
	r0 := c[0:3:3]
	r1 := c[ldc : ldc+3 : ldc+3]
	if acc {
		c00 += r0[0]
		c01 += r0[1]
		c02 += r0[2]
		c10 += r1[0]
		c11 += r1[1]
		c12 += r1[2]
	}
	r0[0], r0[1], r0[2] = c00, c01, c02
	r1[0], r1[1], r1[2] = c10, c11, c12
}

func tileGo3x3(kc int, a, b, c []float32, ldc int, acc bool) {
	a = a[:3*kc]
	b = b[:3*kc]
	var c00, c01, c02, c10, c11, c12, c20, c21, c22 float32
	for p := 0; p < kc; p++ {
		ap := a[3*p : 3*p+3 : 3*p+3]
		bp := b[3*p : 3*p+3 : 3*p+3]
		a0, a1, a2 := ap[0], ap[1], ap[2]
		b0, b1, b2 := bp[0], bp[1], bp[2]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
	}
	r0 := c[0:3:3]
	r1 := c[ldc : ldc+3 : ldc+3]
	r2 := c[2*ldc : 2*ldc+3 : 2*ldc+3]
	if acc {
		c00 += r0[0]
		c01 += r0[1]
		c02 += r0[2]
		c10 += r1[0]
		c11 += r1[1]
		c12 += r1[2]
		c20 += r2[0]
		c21 += r2[1]
		c22 += r2[2]
	}
	r0[0], r0[1], r0[2] = c00, c01, c02
	r1[0], r1[1], r1[2] = c10, c11, c12
	r2[0], r2[1], r2[2] = c20, c21, c22
}
