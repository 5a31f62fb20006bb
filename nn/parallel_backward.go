package nn

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// parallelMinWork is the fewest elements worth a second goroutine for the
// element-wise passes of training (norm, padding, activations).
const parallelMinWork = 1 << 15

// parallelFor calls f over [0, n) cut into contiguous ranges spread over the
// cores (a single call under js/wasm or for small work), where each index
// stands for unit elements of work. Ranges are disjoint, so f may write its own.
func parallelFor(n, unit int, f func(lo, hi int)) {
	w := runtime.GOMAXPROCS(0)
	if runtime.GOARCH == "wasm" {
		w = 1
	}
	w = min(w, n, max(1, n*unit/parallelMinWork))
	if w <= 1 {
		if n > 0 {
			f(0, n)
		}
		return
	}
	// A few chunks per goroutine, taken in turn, so that a core taken by
	// another process delays only the chunk it was running.
	chunks := min(n, 4*w)
	var next atomic.Int64
	work := func() {
		for {
			c := int(next.Add(1)) - 1
			if c >= chunks {
				return
			}
			f(n*c/chunks, n*(c+1)/chunks)
		}
	}
	var wg sync.WaitGroup
	for t := 1; t < w; t++ {
		wg.Go(work)
	}
	work()
	wg.Wait()
}
