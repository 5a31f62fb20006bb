package nn

import "math"

// Portable versions of the vector helpers, always compiled: the builds
// without SIMD use them directly (vec_generic.go), and the SIMD versions
// (vec_amd64.go, vec_wasm.go) fall back to them when vecSIMD is off: on an
// amd64 CPU without AVX2, so that one binary never stops on an illegal
// instruction, and in tests.

// copyRowGo copies len(dst) floats from the start of src.
func copyRowGo(dst, src []float32) { copy(dst, src[:len(dst)]) }

// reluRowGo sets every value of x that is not > 0 (NaN included) to 0.
func reluRowGo(x []float32) {
	for i, v := range x {
		if !(v > 0) {
			x[i] = 0
		}
	}
}

// gatherRowsGo sets row p of dst (nr floats at p·nr) to the nr floats of x at
// taps[p]+off, for every p.
func gatherRowsGo(dst []float32, nr int, x []float32, taps []int, off int) {
	for p, t := range taps {
		copy(dst[p*nr:p*nr+nr], x[t+off:t+off+nr])
	}
}

// panelRun is a run of n columns of a packed panel row, from column dst,
// read from x at a row's tap + src.
type panelRun struct{ dst, src, n int }

// gatherRunsGo sets, for every p and every run r, the n floats of row p of
// dst (nr floats at p·nr) from column r.dst to those of x at taps[p]+r.src,
// and clears the row from column width on.
func gatherRunsGo(dst []float32, nr, width int, x []float32, taps []int, runs []panelRun) {
	for p, t := range taps {
		row := dst[p*nr : p*nr+nr]
		for _, r := range runs {
			copy(row[r.dst:r.dst+r.n], x[t+r.src:t+r.src+r.n])
		}
		clear(row[width:])
	}
}

// reluGradRowGo keeps g[i] where y[i] > 0 and sets it to 0 elsewhere (NaN
// included), with a bit mask rather than a branch: signs are random, and a
// mispredicted branch per element made this loop five times slower.
func reluGradRowGo(g, y []float32) {
	y = y[:len(g)]
	for i, v := range y {
		var m uint32
		if v > 0 {
			m = 0xFFFFFFFF
		}
		g[i] = math.Float32frombits(math.Float32bits(g[i]) & m)
	}
}

// leakyRowGo sets every value of x that is not > 0 to itself times slope.
func leakyRowGo(x []float32, slope float32) {
	for i, v := range x {
		if !(v > 0) {
			x[i] = v * slope
		}
	}
}

// gatherStride2Go sets d[t] = src[2t] for every t.
func gatherStride2Go(d, src []float32) { gatherStrided(d, src, 2) }

func interleave2Go(dst, a, b []float32, bias float32) {
	dst = dst[:len(a)+len(b)]
	for i, v := range b {
		dst[2*i] = a[i] + bias
		dst[2*i+1] = v + bias
	}
	if len(a) > len(b) {
		dst[2*len(b)] = a[len(b)] + bias
	}
}
