//go:build goexperiment.simd && amd64 && !purego

package nn

import (
	"simd/archsimd"
	"unsafe"
)

// The vector helpers of the amd64 build, with AVX2 (archsimd.Float32x8):
// panel copies and gathers for packing, and ReLU; the InstanceNorm row
// loops are in norm_rows_amd64.go. Each falls back to its portable version
// (vec_portable.go) when vecSIMD is off.
//
// Go emits no VZEROUPPER after AVX code, and its scalar float code and
// assembly (math.Exp, ...) use legacy-SSE encodings: with the upper halves
// of the ymm registers dirty, every one of those instructions paid a large
// penalty on the AMD EPYC (math.Tanh took ~200 ns). So every helper calls
// archsimd.ClearAVXUpperBits (VZEROUPPER) before any scalar code.
//
// They read and write through unsafe pointers after one bounds check per
// call, so the loops have no bounds checks.

// vecSIMD tells the helpers whether they may use their vector instructions:
// on a CPU without AVX2 they run the portable loops, so that one binary
// never stops on an illegal instruction. Tests turn it off to check the
// fallbacks.
var vecSIMD = archsimd.X86.AVX2()

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
// taps[p]+off, for every p; taps must be increasing. The panel widths of
// the amd64 kernels (24, multiples of 16) copy with whole vector loads and
// stores.
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
	switch {
	case nr == 24: // fma-4x24
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
	case nr%16 == 0: // the AVX-512 kernel's widths
		for p, t := range taps {
			ps := unsafe.Add(px, 4*(t+off))
			d := unsafe.Add(pd, 4*nr*p)
			for o := 0; o < 4*nr; o += 64 {
				v0 := archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(ps, o)))
				v1 := archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(ps, o+32)))
				v0.StoreArray((*[8]float32)(unsafe.Add(d, o)))
				v1.StoreArray((*[8]float32)(unsafe.Add(d, o+32)))
			}
		}
	default:
		for p, t := range taps {
			copyRow(dst[p*nr:p*nr+nr], x[t+off:])
		}
	}
	archsimd.ClearAVXUpperBits()
}

// gatherRuns sets, for every p and every run r, the n floats of row p of
// dst (nr floats at p·nr) from column r.dst to those of x at taps[p]+r.src,
// and clears the row from column width on: a panel whose columns span
// output rows (a plane width that is not a multiple of nr). Each run goes
// by 8-wide vectors, its last 8 floats by one vector that may overlap the
// previous one (runs shorter than 8 go one by one), all without a call per
// run. taps must be increasing.
func gatherRuns(dst []float32, nr, width int, x []float32, taps []int, runs []panelRun) {
	n := len(taps)
	if n == 0 || !vecSIMD {
		gatherRunsGo(dst, nr, width, x, taps, runs)
		return
	}
	_ = dst[n*nr-1]
	for _, r := range runs {
		if r.n == 0 {
			continue
		}
		if r.dst < 0 || r.n < 0 || r.dst+r.n > width || width > nr {
			panic("nn: gatherRuns: run outside the row")
		}
		_ = x[taps[0]+r.src]
		_ = x[taps[n-1]+r.src+r.n-1]
	}
	pd, px := unsafe.Pointer(&dst[0]), unsafe.Pointer(&x[0])
	for p, t := range taps {
		d := unsafe.Add(pd, 4*nr*p)
		for _, r := range runs {
			rd, rs := unsafe.Add(d, 4*r.dst), unsafe.Add(px, 4*(t+r.src))
			if r.n < 8 {
				// as integers: scalar float moves are legacy SSE, slow
				// while the upper halves of the ymm registers are dirty
				for i := range r.n {
					*(*uint32)(unsafe.Add(rd, 4*i)) = *(*uint32)(unsafe.Add(rs, 4*i))
				}
				continue
			}
			for i := 0; i < r.n-8; i += 8 {
				archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(rs, 4*i))).StoreArray((*[8]float32)(unsafe.Add(rd, 4*i)))
			}
			i := r.n - 8
			archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(rs, 4*i))).StoreArray((*[8]float32)(unsafe.Add(rd, 4*i)))
		}
		for j := width; j < nr; j++ {
			*(*uint32)(unsafe.Add(d, 4*j)) = 0
		}
	}
	archsimd.ClearAVXUpperBits()
}

// reluGradRow keeps g[i] where y[i] > 0 and sets it to 0 elsewhere (NaN
// included): ReLU's backward pass.
func reluGradRow(g, y []float32) {
	n := len(g)
	if n == 0 || !vecSIMD {
		reluGradRowGo(g, y)
		return
	}
	_ = y[n-1]
	pg, py := unsafe.Pointer(&g[0]), unsafe.Pointer(&y[0])
	var zero archsimd.Float32x8
	i := 0
	for ; i+8 <= n; i += 8 {
		a := (*[8]float32)(unsafe.Add(pg, 4*i))
		m := archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(py, 4*i))).Greater(zero)
		archsimd.LoadFloat32x8Array(a).Masked(m).StoreArray(a)
	}
	archsimd.ClearAVXUpperBits()
	reluGradRowGo(g[i:], y[i:n])
}

// leakyRow sets every value of x that is not > 0 (NaN included) to itself
// times slope: LeakyReLU's forward pass.
func leakyRow(x []float32, slope float32) {
	n := len(x) &^ 7
	if n < len(x) { // the tail first, before any AVX code (see adamKernel in trainer/train)
		leakyRowGo(x[n:], slope)
	}
	if n == 0 || !vecSIMD {
		leakyRowGo(x[:n], slope)
		return
	}
	p := unsafe.Pointer(&x[0])
	s := archsimd.BroadcastFloat32x8(slope)
	var zero archsimd.Float32x8
	for i := 0; i < n; i += 8 {
		a := (*[8]float32)(unsafe.Add(p, 4*i))
		v := archsimd.LoadFloat32x8Array(a)
		v.IfElse(v.Greater(zero), v.Mul(s)).StoreArray(a)
	}
	archsimd.ClearAVXUpperBits()
}

// evenOrder undoes the lane order of VSHUFPS's pick of even floats.
var evenOrder = [8]uint32{0, 1, 4, 5, 2, 3, 6, 7}

// gatherStride2 sets d[t] = src[2t] for every t (unrolling a convolution
// with stride 2): 16 floats loaded as two vectors, their even floats picked
// by VSHUFPS (per 128-bit half) and put in order by VPERMPS.
func gatherStride2(d, src []float32) {
	n := len(d)
	if n == 0 || !vecSIMD {
		gatherStride2Go(d, src)
		return
	}
	_ = src[2*n-2]
	pd, ps := unsafe.Pointer(&d[0]), unsafe.Pointer(&src[0])
	idx := archsimd.LoadUint32x8Array(&evenOrder)
	i := 0
	for ; i+8 <= n && 2*i+16 <= len(src); i += 8 {
		lo := archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(ps, 8*i)))
		hi := archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(ps, 8*i+32)))
		lo.ConcatPermuteScalarsGrouped(0, 2, 4, 6, hi).Permute(idx).StoreArray((*[8]float32)(unsafe.Add(pd, 4*i)))
	}
	archsimd.ClearAVXUpperBits()
	for ; i < n; i++ { // as integers: no legacy-SSE float moves
		*(*uint32)(unsafe.Add(pd, 4*i)) = *(*uint32)(unsafe.Add(ps, 8*i))
	}
}

// Lane orders of interleave2: each half of a vector spread over pairs, and
// the even lanes.
var (
	pairsLo   = [8]uint32{0, 0, 1, 1, 2, 2, 3, 3}
	pairsHi   = [8]uint32{4, 4, 5, 5, 6, 6, 7, 7}
	evenLanes = [8]int32{1, 0, 1, 0, 1, 0, 1, 0}
)

// interleave2 sets dst[2i] = a[i]+bias and dst[2i+1] = b[i]+bias: an output
// row of a stride-2 transposed convolution from its two column phases
// (len(dst) = len(a)+len(b), len(a)−len(b) 0 or 1). Per 8 values of each:
// two VPERMPS spread each over pairs of lanes, a blend takes the even
// lanes from a and the odd ones from b.
func interleave2(dst, a, b []float32, bias float32) {
	n := len(b)
	if n < 8 || !vecSIMD {
		interleave2Go(dst, a, b, bias)
		return
	}
	_ = a[n-1]
	_ = dst[2*n-1]
	pd, pa, pb := unsafe.Pointer(&dst[0]), unsafe.Pointer(&a[0]), unsafe.Pointer(&b[0])
	bv := archsimd.BroadcastFloat32x8(bias)
	lo, hi := archsimd.LoadUint32x8Array(&pairsLo), archsimd.LoadUint32x8Array(&pairsHi)
	var zero archsimd.Int32x8
	even := archsimd.LoadInt32x8Array(&evenLanes).Greater(zero)
	i := 0
	for ; i+8 <= n; i += 8 {
		va := archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(pa, 4*i))).Add(bv)
		vb := archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(pb, 4*i))).Add(bv)
		va.Permute(lo).IfElse(even, vb.Permute(lo)).StoreArray((*[8]float32)(unsafe.Add(pd, 8*i)))
		va.Permute(hi).IfElse(even, vb.Permute(hi)).StoreArray((*[8]float32)(unsafe.Add(pd, 8*i+32)))
	}
	archsimd.ClearAVXUpperBits()
	interleave2Go(dst[2*i:], a[i:], b[i:], bias)
}
