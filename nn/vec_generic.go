//go:build !goexperiment.simd || purego || !(amd64 || wasm)

package nn

// The vector helpers of builds without SIMD: the portable loops of
// vec_portable.go (the SIMD builds have theirs in vec_amd64.go and
// vec_wasm.go).

// vecSIMD is off: there are no vector instructions to turn off (tests set
// it all the same to run the fallbacks).
var vecSIMD = false

func copyRow(dst, src []float32) { copyRowGo(dst, src) }
func reluRow(x []float32)        { reluRowGo(x) }
func gatherRows(dst []float32, nr int, x []float32, taps []int, off int) {
	gatherRowsGo(dst, nr, x, taps, off)
}
func gatherRuns(dst []float32, nr, width int, x []float32, taps []int, runs []panelRun) {
	gatherRunsGo(dst, nr, width, x, taps, runs)
}
func reluGradRow(g, y []float32)          { reluGradRowGo(g, y) }
func leakyRow(x []float32, slope float32) { leakyRowGo(x, slope) }
func gatherStride2(d, src []float32)      { gatherStride2Go(d, src) }

func interleave2(dst, a, b []float32, bias float32) { interleave2Go(dst, a, b, bias) }
