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
	gemmPackedWith(kern, m, n, k, pa, src, overwrite, nil, c, ldc)
}

// gemmPackedBias sets C = A·B + bias, bias holding one value per row of C
// (a convolution's output channels), rounded as if C had held the bias
// before the product. A kernel with a tapsTile adds the bias to its tiles
// of the first depth block before storing them, sparing a pass over C;
// the others get C filled with the bias first.
func gemmPackedBias(kern *gemmKernel, m, n, k int, pa *packedA, src bSource, bias []float32, c []float32, ldc int) {
	if !kern.usesTaps() {
		for i, b := range bias[:m] {
			row := c[i*ldc : i*ldc+n]
			for j := range row {
				row[j] = b
			}
		}
		gemmPacked(kern, m, n, k, pa, src, false, c, ldc)
		return
	}
	gemmPackedWith(kern, m, n, k, pa, src, true, bias[:m], c, ldc)
}

// gemmPackedWith is gemmPacked with, where bias is not nil (and the kernel
// has a tapsTile), bias added to the first depth block's tiles (overwrite
// must then be set).
func gemmPackedWith(kern *gemmKernel, m, n, k int, pa *packedA, src bSource, overwrite bool, bias []float32, c []float32, ldc int) {
	mr, nr := kern.mr, kern.nr
	w := gemmWorkers(m, n, k)
	colPanels := (n + nr - 1) / nr
	rowPanels := pa.mPad / mr
	if w == 1 {
		gemmBlock(kern, m, k, pa, src, overwrite, bias, c, ldc, 0, rowPanels, 0, n)
		return
	}
	if colPanels >= 4*w || colPanels >= rowPanels {
		// chunks of about 8 panels, at least 4 per worker; where the kernel
		// reads B panels in place, of up to 32 panels, 2 per worker: each
		// chunk runs all depth blocks, and the input rows of a depth block
		// then serve enough panels from the worker's L2 (with 8 panels
		// they came from L3 into the kernel's loads: the residual
		// convolutions ran 5–7% slower on two threads)
		grain := max(1, min(8, colPanels/(4*w)))
		if readsInPlace(kern, src, min(kern.depth(k), k)) {
			grain = max(1, min(32, colPanels/(2*w)))
		}
		parallelFor(colPanels, grain, w, func(q0, q1 int) {
			gemmBlock(kern, m, k, pa, src, overwrite, bias, c, ldc, 0, rowPanels, q0*nr, min(q1*nr, n))
		})
		return
	}
	grain := max(1, rowPanels/(4*w))
	parallelFor(rowPanels, grain, w, func(r0, r1 int) {
		gemmBlock(kern, m, k, pa, src, overwrite, bias, c, ldc, r0, r1, 0, n)
	})
}

// gemmBlock computes rows of A panels [r0, r1) and columns [j0, j1) of C,
// adding bias (if not nil) in the first depth block.
//
// Loop order (BLIS's, without a packed B block): depth block (kc), B panel
// (nr columns), A panel (mr rows). Each kc×nr B panel is packed straight
// into an L1-sized buffer and stays in L1 while the micro-kernel runs it
// against every A panel; the packed A block (m×kc, at most 256×256 floats in
// the generator) streams from L2. The B panel never makes a round trip
// through L2 or memory, and the kernel's wide operand (nr floats a step) is
// always read from L1. (Cutting the columns into chunks so that the C block
// also stays in L2 across depth blocks measured slower: A then comes from L3.)
// Where the kernel has a tapsTile and the panel's columns are one run in
// every row of the source (gemm_direct.go), the panel is not packed: the
// kernel reads its rows in place, which a 3×3 window's overlapping rows keep
// in L1 as well.
func gemmBlock(kern *gemmKernel, m, k int, pa *packedA, src bSource, overwrite bool, bias []float32, c []float32, ldc int, r0, r1, j0, j1 int) {
	if kern.aOuter {
		gemmBlockAOuter(kern, m, k, pa, src, overwrite, c, ldc, r0, r1, j0, j1)
		return
	}
	mr, nr := kern.mr, kern.nr
	kc := kern.depth(k)
	// the B panel, an edge tile computed aside and merged into C, and the
	// bias of an edge tile's rows, zero-padded (in the pooled buffer: an
	// array on the stack escapes through kern.tile)
	bufp := getBuf(min(kc, k)*nr + mr*nr + mr)
	defer putBuf(bufp)
	bp, tmp := (*bufp)[:min(kc, k)*nr], (*bufp)[min(kc, k)*nr:min(kc, k)*nr+mr*nr]
	edgeBias := (*bufp)[min(kc, k)*nr+mr*nr:]
	// B read in place where the kernel and the source allow (gemm_direct.go)
	var direct directB
	if tapsKernels && readsInPlace(kern, src, min(kc, k)) { // the constant drops this path from builds without such kernels
		direct = src.(directB)
	}
	for pc := 0; pc < k; pc += kc {
		kcb := min(kc, k-pc)
		acc := !(overwrite && pc == 0)
		var blockBias []float32 // the bias, in the first depth block
		if pc == 0 {
			blockBias = bias
		}
		b := bp[:kcb*nr]
		var x []float32
		var taps []int
		inPlace := false
		if tapsKernels && direct != nil {
			x, taps, inPlace = direct.rows(pc, kcb)
		}
		for jc := j0; jc < j1; jc += nr {
			cols := min(nr, j1-jc)
			if tapsKernels && inPlace && cols == nr {
				if off, ok := direct.col(jc, nr); ok {
					for ir := r0; ir < r1; ir++ {
						ap := pa.panel(pc, kcb, ir)
						i0 := ir * mr
						rows := min(mr, m-i0)
						ci := i0*ldc + jc
						var tb []float32
						if blockBias != nil {
							tb = rowBias(blockBias, i0, rows, edgeBias)
						}
						if rows == mr {
							kern.tapsTile(kcb, ap, x, taps, off, c[ci:], ldc, acc, tb)
							continue
						}
						kern.tapsTile(kcb, ap, x, taps, off, tmp, nr, false, tb)
						mergeEdgeTile(c[ci:], ldc, tmp, nr, rows, cols, acc)
					}
					continue
				}
			}
			src.pack(b, nr, pc, kcb, jc, cols)
			for ir := r0; ir < r1; ir++ {
				ap := pa.panel(pc, kcb, ir)
				i0 := ir * mr
				rows := min(mr, m-i0)
				ci := i0*ldc + jc
				if rows == mr && cols == nr {
					kern.tile(kcb, ap, b, c[ci:], ldc, acc)
				} else {
					kern.tile(kcb, ap, b, tmp, nr, false)
					mergeEdgeTile(c[ci:], ldc, tmp, nr, rows, cols, acc)
				}
				if blockBias != nil {
					addRowBias(c[ci:], ldc, rows, cols, blockBias[i0:i0+rows])
				}
			}
		}
	}
}

// usesTaps reports whether kern reads B panels in place with its tapsTile
// where a source allows (never in a build whose kernel table has no such
// kernel: tapsKernels keeps this code out of it).
func (kern *gemmKernel) usesTaps() bool { return tapsKernels && kern.tapsTile != nil && !kern.aOuter }

// readsInPlace reports whether kern reads src's B panels (of depth kc) in
// place rather than packing them (gemm_direct.go).
func readsInPlace(kern *gemmKernel, src bSource, kc int) bool {
	if !kern.usesTaps() {
		return false
	}
	d, ok := src.(directB)
	if !ok {
		return false
	}
	_, _, ok = d.rows(0, kc)
	return ok
}

// rowBias returns the bias of the rows [i0, i0+rows) of a tile, mr values:
// a subslice of bias for a whole tile, else those copied into pad and
// zero-padded.
func rowBias(bias []float32, i0, rows int, pad []float32) []float32 {
	if i0+len(pad) <= len(bias) {
		return bias[i0 : i0+len(pad)]
	}
	clear(pad)
	copy(pad, bias[i0:i0+rows])
	return pad
}

// addRowBias adds bias[i] to the first cols values of row i of c (rows ldc
// apart): the bias of a tile the kernel stored without it.
func addRowBias(c []float32, ldc, rows, cols int, bias []float32) {
	for i, b := range bias[:rows] {
		row := c[i*ldc : i*ldc+cols]
		for j := range row {
			row[j] += b
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
