//go:build !goexperiment.simd || purego || !(amd64 || wasm)

package nn

// InstanceNorm2d's row loops in builds without SIMD: the portable loops of
// norm_rows_portable.go (the SIMD builds have theirs in norm_rows_amd64.go
// and norm_rows_wasm.go).

func sumRow(x []float32) float32                   { return sumRowGo(x) }
func sumSqDevRow(x []float32, m float32) float32   { return sumSqDevRowGo(x, m) }
func normRow(x []float32, m, r float32, relu bool) { normRowGo(x, m, r, relu) }
