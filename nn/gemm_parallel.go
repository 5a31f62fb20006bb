package nn

// gemmMinFlopsPerThread keeps small products on one goroutine: below about a
// million multiply-adds the start-up of a goroutine is not repaid.
const gemmMinFlopsPerThread = 1 << 21

// gemmWorkers is how many goroutines a product of m×k by k×n may use.
func gemmWorkers(m, n, k int) int {
	t := maxThreads()
	if w := 2 * m * n * k / gemmMinFlopsPerThread; w < t {
		t = max(w, 1)
	}
	return t
}

// gemmPacked computes C (+)= A·B with A already packed and B packed panel by
// panel from src. overwrite: the first depth block overwrites C (beta = 0).
//
// Work is cut into chunks of column panels (row panels when C is too narrow
// for every worker to get several column chunks), handed out dynamically
// (parallelFor); every worker packs its own B panels and reads the shared
// packed A.
func gemmPacked(kern *gemmKernel, m, n, k int, pa *packedA, src bSource, overwrite bool, c []float32, ldc int) {
	mr, nr := kern.mr, kern.nr
	w := gemmWorkers(m, n, k)
	colPanels := (n + nr - 1) / nr
	rowPanels := pa.mPad / mr
	if w == 1 {
		gemmBlock(kern, m, k, pa, src, overwrite, c, ldc, 0, rowPanels, 0, n)
		return
	}
	if colPanels >= 4*w || colPanels >= rowPanels {
		// chunks of about 8 panels, at least 4 per worker
		grain := max(1, min(8, colPanels/(4*w)))
		parallelFor(colPanels, grain, w, func(q0, q1 int) {
			gemmBlock(kern, m, k, pa, src, overwrite, c, ldc, 0, rowPanels, q0*nr, min(q1*nr, n))
		})
		return
	}
	grain := max(1, rowPanels/(4*w))
	parallelFor(rowPanels, grain, w, func(r0, r1 int) {
		gemmBlock(kern, m, k, pa, src, overwrite, c, ldc, r0, r1, 0, n)
	})
}

// gemmBlock computes rows of A panels [r0, r1) and columns [j0, j1) of C.
//
// Loop order (BLIS's, without a packed B block): depth block (kc), B panel
// (nr columns), A panel (mr rows). Each kc×nr B panel is packed straight
// into an L1-sized buffer and stays in L1 while the micro-kernel runs it
// against every A panel; the packed A block (m×kc, at most 256×256 floats in
// the generator) streams from L2. The B panel never makes a round trip
// through L2 or memory, and the kernel's wide operand (nr floats a step) is
// always read from L1. (Cutting the columns into chunks so that the C block
// also stays in L2 across depth blocks measured slower: A then comes from L3.)
func gemmBlock(kern *gemmKernel, m, k int, pa *packedA, src bSource, overwrite bool, c []float32, ldc int, r0, r1, j0, j1 int) {
	if kern.aOuter {
		gemmBlockAOuter(kern, m, k, pa, src, overwrite, c, ldc, r0, r1, j0, j1)
		return
	}
	mr, nr := kern.mr, kern.nr
	kc := kern.depth(k)
	// the B panel, then an edge tile computed aside and merged into C (in
	// the pooled buffer: an array on the stack escapes through kern.tile)
	bufp := getBuf(min(kc, k)*nr + mr*nr)
	defer putBuf(bufp)
	bp, tmp := (*bufp)[:min(kc, k)*nr], (*bufp)[min(kc, k)*nr:]
	for pc := 0; pc < k; pc += kc {
		kcb := min(kc, k-pc)
		acc := !(overwrite && pc == 0)
		b := bp[:kcb*nr]
		for jc := j0; jc < j1; jc += nr {
			cols := min(nr, j1-jc)
			src.pack(b, nr, pc, kcb, jc, cols)
			for ir := r0; ir < r1; ir++ {
				ap := pa.panel(pc, kcb, ir)
				i0 := ir * mr
				rows := min(mr, m-i0)
				ci := i0*ldc + jc
				if rows == mr && cols == nr {
					kern.tile(kcb, ap, b, c[ci:], ldc, acc)
					continue
				}
				kern.tile(kcb, ap, b, tmp[:], nr, false)
				mergeEdgeTile(c[ci:], ldc, tmp[:], nr, rows, cols, acc)
			}
		}
	}
}

// gemmBlockAOuter is gemmBlock with the other loop order, for kernels whose
// packed A is large (the wasm kernel stores every A value four times): per
// column block (nc) and depth block (kc) it packs a kc×nc block of B, then
// runs each A panel (in L1) over every B panel of the block (from L2).
func gemmBlockAOuter(kern *gemmKernel, m, k int, pa *packedA, src bSource, overwrite bool, c []float32, ldc int, r0, r1, j0, j1 int) {
	mr, nr, nc := kern.mr, kern.nr, kern.nc
	kc := kern.depth(k)
	bufp := getBuf(min(kc, k)*nc + mr*nr) // the B block, then an edge tile computed aside
	defer putBuf(bufp)
	bp, tmp := (*bufp)[:min(kc, k)*nc], (*bufp)[min(kc, k)*nc:]
	for jc := j0; jc < j1; jc += nc {
		ncb := min(nc, j1-jc)
		for pc := 0; pc < k; pc += kc {
			kcb := min(kc, k-pc)
			src.pack(bp, nr, pc, kcb, jc, ncb)
			acc := !(overwrite && pc == 0)
			for ir := r0; ir < r1; ir++ {
				ap := pa.panel(pc, kcb, ir)
				i0 := ir * mr
				rows := min(mr, m-i0)
				jr0 := 0 // the panels from here on go one by one
				if full := ncb / nr; kern.tiles != nil && rows == mr && full > 0 {
					kern.tiles(kcb, ap, bp[:full*nr*kcb], c[i0*ldc+jc:], ldc, acc, full)
					jr0 = full * nr
				}
				for jr := jr0; jr < ncb; jr += nr {
					b := bp[jr*kcb : (jr+nr)*kcb]
					cols := min(nr, ncb-jr)
					ci := i0*ldc + jc + jr
					if rows == mr && cols == nr {
						kern.tile(kcb, ap, b, c[ci:], ldc, acc)
						continue
					}
					kern.tile(kcb, ap, b, tmp[:], nr, false)
					mergeEdgeTile(c[ci:], ldc, tmp[:], nr, rows, cols, acc)
				}
			}
		}
	}
}

// mergeEdgeTile adds (acc) or copies the top-left rows×cols corner of the
// tile t (rows nr apart), computed aside because it overhangs C's edge,
// into c (rows ldc apart).
func mergeEdgeTile(c []float32, ldc int, t []float32, nr, rows, cols int, acc bool) {
	for i := 0; i < rows; i++ {
		dst := c[i*ldc : i*ldc+cols]
		src := t[i*nr : i*nr+cols]
		if acc {
			addInto(dst, src)
		} else {
			copy(dst, src)
		}
	}
}
