//go:build goexperiment.simd && wasm && !purego

package nn

import (
	"simd/archsimd"
	"unsafe"
)

// The vector helpers of the wasm build (archsimd.Float32x4, which Go 1.27
// compiles to WebAssembly SIMD): panel copies and gathers for packing, and
// ReLU; the InstanceNorm row loops are in norm_rows_wasm.go. The
// micro-kernel itself is in Go's wasm assembly (gemm_simd_wasm.go). What
// made archsimd code fast here at all (docs/PERF.md): unsafe.Pointer
// arithmetic instead of re-slicing, unrolled loops, no spills.

// vecSIMD is always on in wasm (a module with SIMD instructions loads only
// where the engine has SIMD); tests turn it off to check the portable
// fallbacks (vec_portable.go).
var vecSIMD = true

// copyRow copies len(dst) floats from the start of src with 4-wide vector
// loads and stores (packing panels; copy() per short run costs a call).
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
	if n == 0 || !vecSIMD {
		reluRowGo(x)
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
	if n == 0 || !vecSIMD {
		gatherRowsGo(dst, nr, x, taps, off)
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

// gatherRuns is gatherRunsGo (panels across output rows are rare enough in
// wasm's workloads not to need a vector version).
func gatherRuns(dst []float32, nr, width int, x []float32, taps []int, runs []panelRun) {
	gatherRunsGo(dst, nr, width, x, taps, runs)
}

// reluGradRow and leakyRow are their portable loops in wasm.
func reluGradRow(g, y []float32)          { reluGradRowGo(g, y) }
func leakyRow(x []float32, slope float32) { leakyRowGo(x, slope) }

// gatherStride2 is its portable loop in wasm.
func gatherStride2(d, src []float32) { gatherStride2Go(d, src) }

// interleave2 is interleave2Go (vec_amd64.go has the vector version).
func interleave2(dst, a, b []float32, bias float32) { interleave2Go(dst, a, b, bias) }
