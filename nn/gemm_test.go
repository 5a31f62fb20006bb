package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// forEachKernel runs f once per micro-kernel compiled into this build; the
// ones this CPU cannot execute are reported as skipped subtests.
func forEachKernel(t *testing.T, f func(t *testing.T, k *gemmKernel)) {
	for _, e := range kernelTable {
		t.Run(e.kernel.name, func(t *testing.T) {
			if !e.runs() {
				t.Skipf("this CPU lacks %s, which %s needs", e.needs, e.kernel.name)
			}
			f(t, e.kernel)
		})
	}
}

// withThreads sets the number of GEMM goroutines for the duration of a test.
func withThreads(t *testing.T, n int) {
	old := parallelThreads
	parallelThreads = n
	t.Cleanup(func() { parallelThreads = old })
}

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = r.Float32()*2 - 1
	}
	return s
}

// checkClose compares got with want; the tolerance grows with the depth k of
// the sums (float32 rounding of k products of values in [-1, 1]).
func checkClose(t *testing.T, what string, got, want []float32, k int) {
	t.Helper()
	tol := 1e-5 * float64(max(k, 1))
	for i := range want {
		d := math.Abs(float64(got[i] - want[i]))
		if !(d <= tol*math.Max(1, math.Abs(float64(want[i])))) {
			t.Fatalf("%s: element %d = %v, want %v (tolerance %g)", what, i, got[i], want[i], tol)
		}
	}
}

type gemmCase struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	padA, padB     int // leading dimension beyond the width
	padC           int
}

func (c gemmCase) String() string {
	return fmt.Sprintf("tA=%v tB=%v m=%d n=%d k=%d alpha=%g beta=%g pads=%d,%d,%d",
		c.transA, c.transB, c.m, c.n, c.k, c.alpha, c.beta, c.padA, c.padB, c.padC)
}

// runGemmCase runs one product with kern and with sgemmRef and compares,
// including that C's padding columns are left untouched.
func runGemmCase(t *testing.T, kern *gemmKernel, r *rand.Rand, c gemmCase) {
	t.Helper()
	ar, ac := c.m, c.k
	if c.transA {
		ar, ac = c.k, c.m
	}
	br, bc := c.k, c.n
	if c.transB {
		br, bc = c.n, c.k
	}
	lda, ldb, ldc := ac+c.padA, bc+c.padB, c.n+c.padC
	a := randSlice(r, max(ar*lda, 1))
	b := randSlice(r, max(br*ldb, 1))
	c0 := randSlice(r, c.m*ldc)
	if c.beta == 0 {
		for i := range c0 {
			if i%3 == 0 {
				c0[i] = float32(math.NaN()) // beta 0 must overwrite garbage
			}
		}
	}
	got := slices.Clone(c0)
	want := slices.Clone(c0)
	sgemmWith(kern, c.transA, c.transB, c.m, c.n, c.k, c.alpha, a, lda, b, ldb, c.beta, got, ldc)
	sgemmRef(c.transA, c.transB, c.m, c.n, c.k, c.alpha, a, lda, b, ldb, c.beta, want, ldc)
	for i := 0; i < c.m; i++ {
		checkClose(t, c.String(), got[i*ldc:i*ldc+c.n], want[i*ldc:i*ldc+c.n], c.k)
		for j := c.n; j < ldc; j++ {
			if math.Float32bits(got[i*ldc+j]) != math.Float32bits(c0[i*ldc+j]) {
				t.Fatalf("%v: padding C[%d][%d] was written", c, i, j)
			}
		}
	}
}

func TestSgemmShapes(t *testing.T) {
	forEachKernel(t, func(t *testing.T, kern *gemmKernel) {
		r := rand.New(rand.NewPCG(1, 2))
		dims := []int{1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 47, 65}
		for _, threads := range []int{1, 2} {
			withThreads(t, threads)
			for trial := 0; trial < 300; trial++ {
				c := gemmCase{
					transA: trial&1 != 0, transB: trial&2 != 0,
					m: dims[r.IntN(len(dims))], n: dims[r.IntN(len(dims))], k: dims[r.IntN(len(dims))],
					alpha: []float32{1, -0.5, 2}[r.IntN(3)], beta: []float32{0, 1, 0.25}[r.IntN(3)],
					padA: r.IntN(3), padB: r.IntN(3), padC: r.IntN(3),
				}
				runGemmCase(t, kern, r, c)
			}
		}
	})
}

// TestSgemmLarge crosses the packing block sizes (kc, nc) and the thread split.
func TestSgemmLarge(t *testing.T) {
	forEachKernel(t, func(t *testing.T, kern *gemmKernel) {
		r := rand.New(rand.NewPCG(3, 4))
		for _, threads := range []int{1, 2, 3} {
			withThreads(t, threads)
			for _, c := range []gemmCase{
				{m: 67, n: 1100, k: 530, alpha: 1, beta: 0},
				{m: 130, n: 37, k: 300, alpha: 1, beta: 1, transA: true},
				{m: 257, n: 9, k: 600, alpha: -1, beta: 0.5, transB: true, padA: 3, padC: 5},
				{m: 3, n: 2000, k: 257, alpha: 1, beta: 0, transA: true, transB: true},
			} {
				runGemmCase(t, kern, r, c)
			}
		}
	})
}

func TestSgemmDegenerate(t *testing.T) {
	forEachKernel(t, func(t *testing.T, kern *gemmKernel) {
		r := rand.New(rand.NewPCG(5, 6))
		for _, c := range []gemmCase{
			{m: 5, n: 7, k: 0, alpha: 1, beta: 0},   // k = 0, beta 0: C cleared (NaN gone)
			{m: 5, n: 7, k: 0, alpha: 1, beta: 0.5}, // k = 0: C scaled
			{m: 4, n: 6, k: 9, alpha: 0, beta: 1},   // alpha 0: C unchanged
			{m: 1, n: 1, k: 1, alpha: 1, beta: 0},
			{m: 1, n: 100, k: 1, alpha: 2, beta: 1},
		} {
			runGemmCase(t, kern, r, c)
		}
		// m or n zero: nothing happens, nothing is read.
		sgemmWith(kern, false, false, 0, 5, 5, 1, nil, 5, nil, 5, 0, nil, 5)
		sgemmWith(kern, false, false, 5, 0, 5, 1, nil, 5, nil, 5, 0, nil, 5)
	})
}

// TestSgemmSelected checks the kernel chosen at start-up against the one
// this CPU's features call for (expectedKernel, in gemm_select_*_test.go,
// decides from golang.org/x/sys/cpu without looking at kernelTable), and
// that Sgemm runs it.
func TestSgemmSelected(t *testing.T) {
	want, why := expectedKernel()
	if activeKernel.name != want {
		t.Fatalf("selected kernel %s, want %s: %s", activeKernel.name, want, why)
	}
	if GemmKernel() != want {
		t.Fatalf("GemmKernel() = %q, want %q", GemmKernel(), want)
	}
	t.Logf("selected kernel: %s (%s; usable: %d of %d compiled)", want, why, len(gemmKernels), len(kernelTable))
	r := rand.New(rand.NewPCG(7, 8))
	a, b := randSlice(r, 20*30), randSlice(r, 30*40)
	got, ref := make([]float32, 20*40), make([]float32, 20*40)
	Sgemm(false, false, 20, 40, 30, 1, a, 30, b, 40, 0, got, 40)
	sgemmRef(false, false, 20, 40, 30, 1, a, 30, b, 40, 0, ref, 40)
	checkClose(t, "Sgemm", got, ref, 30)
}

// TestKernelTable checks the shape of this architecture's table: names are
// unique, and it ends with a verified portable kernel (no CPU feature
// needed), so selectKernel always finds one.
func TestKernelTable(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range kernelTable {
		if seen[e.kernel.name] {
			t.Errorf("kernel %s is listed twice", e.kernel.name)
		}
		seen[e.kernel.name] = true
	}
	last := kernelTable[len(kernelTable)-1]
	if last.usable != nil || !last.verified {
		t.Errorf("the table ends with %s, not a verified portable kernel", last.kernel.name)
	}
}
