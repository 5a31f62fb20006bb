package nn

import (
	"runtime"
	"sync/atomic"
	"testing"
)

// TestParallelForCoversOnce checks that parallelFor hands every index of
// [0, n) to exactly one call, in chunks of at most grain, for worker counts
// below, at and above the number of chunks.
func TestParallelForCoversOnce(t *testing.T) {
	for _, n := range []int{0, 1, 7, 64, 1000} {
		for _, grain := range []int{0, 1, 3, 64, 5000} {
			for _, workers := range []int{0, 1, 2, 4, 100} {
				hits := make([]atomic.Int32, n)
				var calls atomic.Int32
				parallelFor(n, grain, workers, func(lo, hi int) {
					calls.Add(1)
					if lo >= hi || (workers > 1 && hi-lo > max(grain, 1)) {
						t.Errorf("n=%d grain=%d workers=%d: chunk [%d, %d)", n, grain, workers, lo, hi)
					}
					for i := lo; i < hi; i++ {
						hits[i].Add(1)
					}
				})
				for i := range hits {
					if h := hits[i].Load(); h != 1 {
						t.Fatalf("n=%d grain=%d workers=%d: index %d run %d times", n, grain, workers, i, h)
					}
				}
				if n == 0 && calls.Load() != 0 {
					t.Errorf("n=0: f called %d times", calls.Load())
				}
			}
		}
	}
}

// TestParallelElemsSmallWorkStaysSerial checks that work below one chunk
// (about 50 µs) runs as a single call on the caller's goroutine.
func TestParallelElemsSmallWorkStaysSerial(t *testing.T) {
	old := parallelThreads
	parallelThreads = 4
	defer func() { parallelThreads = old }()
	calls := 0 // not atomic: a second goroutine would be a data race (-race)
	parallelElems(1000, 1, func(lo, hi int) {
		calls++
		if lo != 0 || hi != 1000 {
			t.Errorf("chunk [%d, %d), want [0, 1000)", lo, hi)
		}
	})
	if calls != 1 {
		t.Fatalf("%d calls, want 1", calls)
	}
	var chunks atomic.Int32
	parallelElems(1<<20, 1, func(lo, hi int) { chunks.Add(1) })
	c := chunks.Load()
	if runtime.GOARCH == "wasm" {
		if c != 1 { // no threads under js/wasm: one call
			t.Fatalf("wasm, 1M elements: %d calls, want 1", c)
		}
	} else if c < 16 {
		t.Fatalf("1M elements of 1 ns: %d chunks, want at least 4 per worker (16)", c)
	}
}
