package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestActivationRows checks reluGradRow and leakyRow against their portable
// loops, bit for bit, NaN included.
func TestActivationRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{1, 8, 13, 100} {
		x, g := make([]float32, n), make([]float32, n)
		for i := range x {
			x[i], g[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
		}
		x[0] = float32(math.NaN())
		a, b := append([]float32(nil), g...), append([]float32(nil), g...)
		reluGradRow(a, x)
		reluGradRowGo(b, x)
		c, d := append([]float32(nil), x...), append([]float32(nil), x...)
		leakyRow(c, 0.2)
		leakyRowGo(d, 0.2)
		for i := range a {
			if math.Float32bits(a[i]) != math.Float32bits(b[i]) || math.Float32bits(c[i]) != math.Float32bits(d[i]) {
				t.Fatalf("n %d, [%d]: relu grad %v (want %v), leaky %v (want %v)", n, i, a[i], b[i], c[i], d[i])
			}
		}
	}
}

// TestGatherStride2 checks gatherStride2 against its definition, for
// lengths around the vector width and sources that end early.
func TestGatherStride2(t *testing.T) {
	src := make([]float32, 80)
	for i := range src {
		src[i] = float32(i) + 0.5
	}
	for _, n := range []int{1, 7, 8, 9, 16, 23, 40} {
		for _, extra := range []int{0, 1} {
			d := make([]float32, n)
			gatherStride2(d, src[:2*n-1+extra])
			for i, v := range d {
				if v != src[2*i] {
					t.Fatalf("n %d: d[%d] = %v, want %v", n, i, v, src[2*i])
				}
			}
		}
	}
}

// TestGatherRuns checks the vector gatherRuns against gatherRunsGo, on a
// panel with runs shorter and longer than a vector.
func TestGatherRuns(t *testing.T) {
	x := make([]float32, 500)
	for i := range x {
		x[i] = float32(i) + 0.25
	}
	taps := []int{0, 3, 40, 41, 90, 200}
	runs := []panelRun{{dst: 0, src: 5, n: 3}, {dst: 3, src: 20, n: 19}, {dst: 22, src: 60, n: 8}}
	const nr, width = 32, 30
	want := make([]float32, len(taps)*nr)
	for i := range want {
		want[i] = -1
	}
	got := append([]float32(nil), want...)
	gatherRunsGo(want, nr, width, x, taps, runs)
	gatherRuns(got, nr, width, x, taps, runs)
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("dst[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}
