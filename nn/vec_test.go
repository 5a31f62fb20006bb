package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// bothVecPaths runs f with the vector helpers as this build and CPU have
// them, and again with their portable fallbacks (vecSIMD off: what an amd64
// CPU without AVX2 runs).
func bothVecPaths(t *testing.T, f func(t *testing.T)) {
	t.Run("selected", f)
	old := vecSIMD
	vecSIMD = false
	defer func() { vecSIMD = old }()
	t.Run("portable", f)
}

// TestVecHelpers checks the element-wise helpers (SIMD in the simd builds)
// against plain loops, at lengths around the vector widths, with NaN, ±0
// and ±Inf among the values.
func TestVecHelpers(t *testing.T) { bothVecPaths(t, testVecHelpers) }

func testVecHelpers(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	special := []float32{float32(math.NaN()), 0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1))}
	for n := 0; n <= 40; n++ {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(r.NormFloat64())
			if r.IntN(4) == 0 {
				x[i] = special[r.IntN(len(special))]
			}
		}
		got := append([]float32(nil), x...)
		reluRow(got)
		for i, v := range x {
			want := v
			if !(v > 0) {
				want = 0
			}
			if math.Float32bits(got[i]) != math.Float32bits(want) && !(want == 0 && got[i] == 0) {
				t.Fatalf("reluRow n=%d: [%d] = %v from %v, want %v", n, i, got[i], v, want)
			}
		}
		dst := make([]float32, n)
		src := append(append([]float32(nil), x...), 7)
		copyRow(dst, src)
		for i := range dst {
			if math.Float32bits(dst[i]) != math.Float32bits(x[i]) {
				t.Fatalf("copyRow n=%d: [%d] = %v, want %v", n, i, dst[i], x[i])
			}
		}
	}
}

// TestGatherRows checks gatherRows (vector copies for the kernels' panel
// widths) against plain copies.
func TestGatherRows(t *testing.T) { bothVecPaths(t, testGatherRows) }

func testGatherRows(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	x := randSlice(r, 4000)
	for _, nr := range []int{1, 5, 8, 16, 24, 32} {
		for _, n := range []int{1, 3, 40} {
			taps := make([]int, n)
			for i := range taps {
				taps[i] = i*37 + r.IntN(30)
			}
			off := r.IntN(50)
			got := make([]float32, n*nr)
			gatherRows(got, nr, x, taps, off)
			for p, tp := range taps {
				for j := 0; j < nr; j++ {
					if got[p*nr+j] != x[tp+off+j] {
						t.Fatalf("nr %d n %d: row %d col %d = %v, want %v", nr, n, p, j, got[p*nr+j], x[tp+off+j])
					}
				}
			}
		}
	}
}

// TestTanh32 compares tanh32 with math.Tanh on a dense grid over [−20, 20]
// and at the special values.
func TestTanh32(t *testing.T) {
	worst, at := 0.0, float32(0)
	for i := -2_000_000; i <= 2_000_000; i++ {
		x := float32(i) * 1e-5
		if d := math.Abs(float64(tanh32(x)) - math.Tanh(float64(x))); d > worst {
			worst, at = d, x
		}
	}
	if worst > 4e-7 {
		t.Errorf("tanh32 is %.3g away from math.Tanh at %g, want ≤ 4e-7", worst, at)
	}
	for _, c := range []struct{ x, want float32 }{
		{0, 0}, {1e-30, 1e-30}, {-3e-4, -3e-4}, {100, 1}, {-100, -1},
		{float32(math.Inf(1)), 1}, {float32(math.Inf(-1)), -1},
	} {
		if got := tanh32(c.x); got != c.want {
			t.Errorf("tanh32(%g) = %g, want %g", c.x, got, c.want)
		}
	}
	if got := tanh32(float32(math.NaN())); got == got {
		t.Errorf("tanh32(NaN) = %g, want NaN", got)
	}
}

// TestNormRows checks InstanceNorm's row loops (SIMD where the build has
// them) against float64 sums, on lengths around the vector widths.
func TestNormRows(t *testing.T) { bothVecPaths(t, testNormRows) }

func testNormRows(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for _, n := range []int{0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 33, 100, 1024} {
		x := randSlice(r, n)
		for i := range x {
			x[i] = 3 + 2*x[i] // an offset mean, as activations have
		}
		var s, q float64
		for _, v := range x {
			s += float64(v)
		}
		const m = float32(2.5)
		for _, v := range x {
			q += (float64(v) - float64(m)) * (float64(v) - float64(m))
		}
		if got := sumRow(x); math.Abs(float64(got)-s) > 1e-6*float64(n)*5 {
			t.Errorf("n %d: sumRow = %g, want %g", n, got, s)
		}
		if got := sumSqDevRow(x, m); math.Abs(float64(got)-q) > 1e-6*float64(n)*5 {
			t.Errorf("n %d: sumSqDevRow = %g, want %g", n, got, q)
		}
		for _, relu := range []bool{false, true} {
			y := append([]float32(nil), x...)
			y = append(y, float32(math.NaN()))
			normRow(y, m, -0.5, relu)
			for i, v := range x {
				want := (v - m) * -0.5
				if relu && want < 0 {
					want = 0
				}
				if y[i] != want {
					t.Fatalf("n %d relu %v: normRow [%d] = %g, want %g", n, relu, i, y[i], want)
				}
			}
			if last := y[n]; relu && last != 0 || !relu && last == last {
				t.Errorf("n %d relu %v: normRow(NaN) = %g", n, relu, last)
			}
		}
	}
}

// TestGeneratorWithoutVectorHelpers runs a generator forward with the
// vector helpers' portable fallbacks and checks that it gives what the
// selected helpers give (the fallbacks round the same way up to the order
// of float32 sums in InstanceNorm).
func TestGeneratorWithoutVectorHelpers(t *testing.T) {
	g := ltGenerator(GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 8, NBlocks: 2}, 3)
	x := gcRand(rand.New(rand.NewPCG(31, 32)), 1, 1, 3, 36, 44)
	want, err := g.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	old := vecSIMD
	vecSIMD = false
	defer func() { vecSIMD = old }()
	got, err := g.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	ltClose(t, "forward without vector helpers", got, want, 1e-5)
}
