package nn

// Portable versions of InstanceNorm2d's row loops, always compiled: the
// builds without SIMD use them directly (norm_rows_generic.go), and the
// SIMD versions (norm_rows_amd64.go, norm_rows_wasm.go) fall back to them
// when vecSIMD is off.

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
