package nn

import (
	"runtime"
	"sync"
)

// gemmMinFlopsPerThread keeps small products on one goroutine: below about a
// million multiply-adds the start-up of a goroutine is not repaid.
const gemmMinFlopsPerThread = 1 << 21

// gemmThreads is how many goroutines a product may use (GOMAXPROCS natively,
// 1 under js/wasm where there are no threads). Tests and benchmarks set it.
var gemmThreads = 0 // 0: runtime.GOMAXPROCS(0)

func gemmWorkers(m, n, k int) int {
	t := gemmThreads
	if t <= 0 {
		t = runtime.GOMAXPROCS(0)
	}
	if runtime.GOARCH == "wasm" {
		t = 1
	}
	if w := 2 * m * n * k / gemmMinFlopsPerThread; w < t {
		t = max(w, 1)
	}
	return t
}

// gemmPacked computes C (+)= A·B with A already packed and B packed block by
// block from src. overwrite: the first depth block overwrites C (beta = 0).
//
// The columns of C are split into one contiguous range per worker (rows when
// C is too narrow); every worker packs its own B blocks into a pooled buffer
// and reads the shared packed A. Loop order per worker: column block (nc),
// depth block (kc), A panel (mr rows), B panel (nr columns), so one A panel
// stays in L1 while the packed B block (kc×nc) streams from L2.
func gemmPacked(kern *gemmKernel, m, n, k int, pa *packedA, src bSource, overwrite bool, c []float32, ldc int) {
	mr, nr := kern.mr, kern.nr
	w := gemmWorkers(m, n, k)
	if w == 1 {
		gemmBlock(kern, m, k, pa, src, overwrite, c, ldc, 0, pa.mPad/mr, 0, n)
		return
	}
	var wg sync.WaitGroup
	colPanels := (n + nr - 1) / nr
	rowPanels := pa.mPad / mr
	if colPanels >= 2*w || colPanels >= rowPanels {
		w = min(w, colPanels)
		for t := 0; t < w; t++ {
			q0, q1 := colPanels*t/w, colPanels*(t+1)/w
			j0, j1 := q0*nr, min(q1*nr, n)
			wg.Go(func() { gemmBlock(kern, m, k, pa, src, overwrite, c, ldc, 0, rowPanels, j0, j1) })
		}
	} else {
		w = min(w, rowPanels)
		for t := 0; t < w; t++ {
			r0, r1 := rowPanels*t/w, rowPanels*(t+1)/w
			wg.Go(func() { gemmBlock(kern, m, k, pa, src, overwrite, c, ldc, r0, r1, 0, n) })
		}
	}
	wg.Wait()
}

// gemmBlock computes rows of A panels [r0, r1) and columns [j0, j1) of C.
func gemmBlock(kern *gemmKernel, m, k int, pa *packedA, src bSource, overwrite bool, c []float32, ldc int, r0, r1, j0, j1 int) {
	mr, nr, nc := kern.mr, kern.nr, kern.nc
	bufp := getBuf(min(gemmKC, k) * nc)
	defer putBuf(bufp)
	bp := *bufp
	var tmp [16 * 64]float32 // an edge tile, computed aside then merged into C
	for jc := j0; jc < j1; jc += nc {
		ncb := min(nc, j1-jc)
		for pc := 0; pc < k; pc += gemmKC {
			kcb := min(gemmKC, k-pc)
			src.pack(bp, nr, pc, kcb, jc, ncb)
			acc := !(overwrite && pc == 0)
			for ir := r0; ir < r1; ir++ {
				ap := pa.panel(pc, kcb, ir)
				i0 := ir * mr
				rows := min(mr, m-i0)
				for jr := 0; jr < ncb; jr += nr {
					b := bp[jr*kcb : (jr+nr)*kcb]
					cols := min(nr, ncb-jr)
					ci := i0*ldc + jc + jr
					if rows == mr && cols == nr {
						kern.tile(kcb, ap, b, c[ci:], ldc, acc)
						continue
					}
					kern.tile(kcb, ap, b, tmp[:], nr, false)
					for i := 0; i < rows; i++ {
						dst := c[ci+i*ldc : ci+i*ldc+cols]
						t := tmp[i*nr : i*nr+cols]
						if acc {
							for j, v := range t {
								dst[j] += v
							}
						} else {
							copy(dst, t)
						}
					}
				}
			}
		}
	}
}
