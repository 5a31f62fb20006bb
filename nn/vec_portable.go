package nn

// Portable versions of the vector helpers, always compiled: the non-SIMD
// builds use them directly (vec_generic.go), and the SIMD builds fall back
// to them when vecSIMD is off: on an amd64 CPU without AVX2, so that one
// binary never stops on an illegal instruction, and in tests.

// vecSIMD tells the SIMD helpers whether they may use their vector
// instructions; the amd64 build sets it from the CPU at start-up (wasm
// builds need WebAssembly SIMD anyway), and tests turn it off to run the
// fallbacks.
var vecSIMD = true

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

// sumRowGo returns Σ x.
func sumRowGo(x []float32) float32 {
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v := x[i : i+4 : i+4]
		s0 += v[0]
		s1 += v[1]
		s2 += v[2]
		s3 += v[3]
	}
	for ; i < len(x); i++ {
		s0 += x[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// sumSqDevRowGo returns Σ (x − m)².
func sumSqDevRowGo(x []float32, m float32) float32 {
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v := x[i : i+4 : i+4]
		d0, d1, d2, d3 := v[0]-m, v[1]-m, v[2]-m, v[3]-m
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; i < len(x); i++ {
		d := x[i] - m
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}

// normRowGo sets x[i] = (x[i] − m)·r, and with relu clamps the result at 0
// (NaN included).
func normRowGo(x []float32, m, r float32, relu bool) {
	for i, v := range x {
		y := (v - m) * r
		if relu && !(y > 0) {
			y = 0
		}
		x[i] = y
	}
}
