package nn

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Every parallel loop of the package (GEMM panels, element-wise layers
// forward and backward, col2im) goes through parallelFor. The work of each
// index must be independent of the others (its own output range), so how
// the range is cut never changes a result.

// parallelThreads, when > 0, overrides GOMAXPROCS as the number of
// goroutines parallel work may use. Tests and benchmarks set it.
var parallelThreads = 0

// maxThreads is the number of goroutines parallel work may use: 1 under
// js/wasm (no threads), else parallelThreads or GOMAXPROCS.
func maxThreads() int {
	if runtime.GOARCH == "wasm" {
		return 1
	}
	if parallelThreads > 0 {
		return parallelThreads
	}
	return runtime.GOMAXPROCS(0)
}

// parallelFor calls f(lo, hi) for consecutive chunks [lo, hi) of [0, n), at
// most grain long, on up to workers goroutines (the caller's included).
//
// Chunks are handed out on demand from an atomic counter: a worker whose
// core is busy with other processes simply takes fewer chunks, and nothing
// waits for a fixed share (with two cores shared with other work, fixed
// halves made two threads slower than one). Workers that find no chunk left
// return; the caller blocks in a WaitGroup, never spins. When one worker
// suffices (workers <= 1, or a single chunk) f runs on the caller's
// goroutine and no goroutine is started.
func parallelFor(n, grain, workers int, f func(lo, hi int)) {
	if n <= 0 {
		return
	}
	grain = max(grain, 1)
	chunks := (n + grain - 1) / grain
	workers = min(workers, chunks)
	if workers <= 1 {
		f(0, n)
		return
	}
	var next atomic.Int64
	work := func() {
		for {
			lo := int(next.Add(int64(grain))) - grain
			if lo >= n {
				return
			}
			f(lo, min(lo+grain, n))
		}
	}
	var wg sync.WaitGroup
	for range workers - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
}

// parallelElems is parallelFor sized for n indices of about nsPerIndex
// nanoseconds of work each: chunks of about 50 µs (a goroutine's start-up
// is then a small part), at least 4 chunks per worker when the range is
// split (for balance), and everything on the caller's goroutine when the
// whole range is one chunk or fewer, or maxThreads is 1 (GOMAXPROCS 1,
// js/wasm).
func parallelElems(n int, nsPerIndex float64, f func(lo, hi int)) {
	const chunkNs = 50_000
	grain := max(1, int(chunkNs/nsPerIndex))
	w := maxThreads()
	if n <= grain {
		w = 1
	}
	if w > 1 {
		grain = min(grain, (n+4*w-1)/(4*w))
	}
	parallelFor(n, grain, w, f)
}
