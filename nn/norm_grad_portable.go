package nn

// Portable versions of the backward row loops of InstanceNorm2d and of the
// bias gradient, always compiled: the builds without AVX use them directly
// (norm_grad_other.go), the amd64 one (norm_grad_amd64.go) falls back to
// them when vecSIMD is off.

// sumRow64Go returns Σ x, summed in float64.
func sumRow64Go(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v)
	}
	return s
}

// normGradSumsGo returns Σ g and Σ g·(x−mean)·inv over a plane, in float64.
func normGradSumsGo(g, x []float32, mean, inv float64) (sg, sgx float64) {
	x = x[:len(g)]
	for j, v := range g {
		sg += float64(v)
		sgx += float64(v) * (float64(x[j]) - mean) * inv
	}
	return sg, sgx
}

// normGradRowGo sets g[j] = r·(g[j] − mg − (x[j]−m)·r·mgx): dy turned into
// dx for one plane of InstanceNorm2d.
func normGradRowGo(g, x []float32, m, r, mg, mgx float32) {
	x = x[:len(g)]
	for j, v := range g {
		xh := (x[j] - m) * r
		g[j] = r * (v - mg - xh*mgx)
	}
}
