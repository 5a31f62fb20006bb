package nn

import (
	"runtime"
	"sync"
	"unsafe"
)

// convCache holds whatever the kernels keep between calls of one convolution
// layer: the weights packed into micro-kernel panels. It is only valid while
// the layer's weights do not change: it keeps them while the layer is frozen
// (inference) or pinned (training, between two optimizer steps: pin).
type convCache struct {
	frozen bool // weights will not change any more (inference): packing may be reused

	mu     sync.Mutex // several forwards of one layer may run at once
	pinned bool       // weights unchanged until pin(false) (training): packing may be reused
	packed *packedA   // the packed weights, kept only while frozen or pinned
	rows   bool       // packed holds the row-cut weights of conv2dRows
	spare  *packedA   // the storage of a packing pin dropped, for the next one
}

func (c *convCache) reset() {
	c.mu.Lock()
	c.packed = nil
	c.mu.Unlock()
}

// pin declares the weights unchanged until pin(false) (on) or possibly
// changed (off); either way it drops the packing kept so far, unless the
// layer is frozen.
func (c *convCache) pin(on bool) {
	c.mu.Lock()
	c.pinned = on
	if !c.frozen && c.packed != nil {
		c.spare, c.packed = c.packed, nil
	}
	c.mu.Unlock()
}

// packedWeights returns w (m×k, row-major) packed for kern, from the cache
// when the layer is frozen or pinned, and a function to call once the
// product is done.
func (c *convCache) packedWeights(kern *gemmKernel, w []float32, m, k int) (*packedA, func()) {
	return c.packedMatrix(kern, false, m, k, func() ([]float32, func()) { return w, func() {} })
}

// packedMatrix is packedWeights for the m×k matrix that matrix() returns
// (with a function to call when it is no longer needed); rows tells the
// layouts apart (plain or conv2dRows's).
func (c *convCache) packedMatrix(kern *gemmKernel, rows bool, m, k int, matrix func() ([]float32, func())) (*packedA, func()) {
	if c != nil {
		c.mu.Lock()
		if c.frozen || c.pinned {
			defer c.mu.Unlock()
			if p := c.packed; p == nil || p.kern != kern || p.m != m || p.k != k || c.rows != rows {
				dst := &packedA{} // own storage, not pooled
				if p == nil && c.spare != nil {
					dst, c.spare = c.spare, nil
				}
				a, free := matrix()
				c.packed = packA(kern, false, m, k, 1, a, k, dst)
				c.rows = rows
				free()
			}
			return c.packed, func() {}
		}
		c.mu.Unlock()
	}
	a, free := matrix()
	pa := packA(kern, false, m, k, 1, a, k, nil)
	free()
	return pa, pa.release
}

// conv2dForward computes, for every image n, y[n] = weight · im2col(x[n]) + bias,
// with weight viewed as a Cout × (Cin·KH·KW) matrix. bias may be nil.
// It allocates and returns y (N × Cout × OH × OW).
//
// The unrolled matrix im2col(x[n]) is never built: the GEMM packs its B
// panels straight from the image (im2colB), or reads them there in place
// (gemm_direct.go), which saves the memory traffic of a K×N matrix (38 MB
// for a 256-channel 64×64 residual convolution) and keeps peak memory flat
// in the image size. The bias goes in with the product (gemmPackedBias).
func conv2dForward(x *Tensor, weight *Tensor, bias []float32, g ConvGeom, cache *convCache) *Tensor {
	return conv2dForwardWith(activeKernel, x, weight, bias, g, cache)
}

func conv2dForwardWith(kern *gemmKernel, x *Tensor, weight *Tensor, bias []float32, g ConvGeom, cache *convCache) *Tensor {
	n, cin, h, w := x.N(), x.C(), x.H(), x.W()
	cout := weight.Shape[0]
	oh, ow := g.OutSize(h, w)
	k := cin * g.KH * g.KW
	npix := oh * ow
	y := newScratchTensor(false, n, cout, oh, ow) // every value is written below
	if rowsPay(cout, g) && cout*g.KH*h*ow <= 2*colBudget {
		// few output channels (the generator's last layer): cut by kernel
		// row (conv_rows.go) rather than pack KH·KW copies of the image,
		// where its product (cout·KH × h·ow) stays within 32 MB
		for i := 0; i < n; i++ {
			out := y.Data[i*cout*npix : (i+1)*cout*npix]
			conv2dRows(kern, x.Data[i*cin*h*w:(i+1)*cin*h*w], cin, h, w, weight.Data, cout, g, cache, out)
		}
		if bias != nil {
			addBias(y.Data, bias, n, cout, npix)
		}
		return y
	}
	pa, done := cache.packedWeights(kern, weight.Data, cout, k)
	defer done()
	pointwise := g.KH == 1 && g.KW == 1 && g.StrideH == 1 && g.StrideW == 1 && g.PadH == 0 && g.PadW == 0
	for i := 0; i < n; i++ {
		xi := x.Data[i*cin*h*w : (i+1)*cin*h*w]
		out := y.Data[i*cout*npix : (i+1)*cout*npix]
		switch {
		case pointwise: // im2col of a 1×1 convolution is the image itself
			gemmConv(kern, cout, npix, k, pa, &matrixB{b: xi, ldb: h * w}, bias, out, npix)
		case g.StrideH > 1 || g.StrideW > 1:
			stridedConvBands(kern, xi, cin, h, w, g, pa, bias, out)
		default:
			src, release := newIm2colB(xi, cin, h, w, g)
			gemmConv(kern, cout, npix, k, pa, src, bias, out, npix)
			release()
		}
	}
	return y
}

// gemmConv sets C = A·B, plus bias (one value per row) unless it is nil:
// the product of a convolution's weights and its unrolled input.
func gemmConv(kern *gemmKernel, m, n, k int, pa *packedA, src bSource, bias []float32, c []float32, ldc int) {
	if bias == nil {
		gemmPacked(kern, m, n, k, pa, src, true, c, ldc)
		return
	}
	gemmPackedBias(kern, m, n, k, pa, src, bias, c, ldc)
}

// stridedBandFloats is the size of stridedConvBands' column chunk. Natively
// 512 KB, small enough to stay in the caches between its unrolling and the
// GEMM that reads it: with chunks of the whole image (16 MB) the first
// downsampling layer of ngf 32 took 23–25 ms instead of 18 (interleaved, 1
// thread). In wasm smaller chunks cost more GEMM calls than they save
// (measured no better), so it keeps 4 MB there.
var stridedBandFloats = 1 << 17

func init() {
	if runtime.GOARCH == "wasm" {
		stridedBandFloats = 1 << 20
	}
}

// stridedConvBands computes a strided convolution (the generator's
// downsampling, the discriminator's layers) of one image into out (cout ×
// oh·ow) by unrolling bands of output rows (im2colRows) and multiplying
// each band. Packing B panels straight from the image (im2colB) works out
// the window's bounds for every panel row of nr values, which dominated
// these layers; unrolled rows work them out once per ow values and the
// panels are then plain vector copies, or read in place by a kernel that
// can (gemm_direct.go): the band was just written and is in L2. out is
// overwritten, plus bias (one value per output channel) unless it is nil.
func stridedConvBands(kern *gemmKernel, x []float32, cin, h, w int, g ConvGeom, pa *packedA, bias []float32, out []float32) {
	oh, ow := g.OutSize(h, w)
	k, npix := cin*g.KH*g.KW, oh*ow
	rows := min(oh, max(1, stridedBandFloats/(k*ow)))
	colp := getBuf(k * rows * ow)
	defer putBuf(colp)
	colBuf := *colp
	var taps []int // the row offsets p·n of a band's unrolled rows
	tapsN := -1
	for oy0 := 0; oy0 < oh; oy0 += rows {
		oy1 := min(oh, oy0+rows)
		n := (oy1 - oy0) * ow
		col := colBuf[:k*n]
		im2colRows(x, cin, h, w, g, oy0, oy1, col)
		if n != tapsN { // the first band, or a narrower last one
			taps, tapsN = taps[:0], n
			for p := range k {
				taps = append(taps, p*n)
			}
		}
		src := &matrixB{b: col, ldb: n, taps: taps} // just unrolled: read in place
		gemmConv(kern, pa.m, n, k, pa, src, bias, out[oy0*ow:], npix)
	}
}

// im2colB is the matrix im2col(x) of one image (c×h×w), read in place: row
// p = (ci, ky, kx) and column j = (oy, ox) hold x[ci][oy·sh−ph+ky][ox·sw−pw+kx],
// or 0 in the zero padding.
type im2colB struct {
	x       []float32
	c, h, w int
	g       ConvGeom
	ow      int

	tapsOnce sync.Once
	taps     []int // packValid: offset ci·h·w + ky·w + kx of every row p = (ci, ky, kx)
}

// initTaps fills taps, once: the workers of one product share it read-only.
func (s *im2colB) initTaps() { s.taps = tapTable(s.c, s.h, s.w, s.g.KH, s.g.KW) }

// tapKey names a table of tapTable.
type tapKey struct{ c, h, w, kh, kw int }

// taps keeps the tables of tapTable, read-only once made: a training step
// runs the same few geometries over and over (they were 8 MB of garbage per
// step, made afresh for every product). At most tapTablesMax are kept
// (inference on photos of many sizes makes new ones without end).
var taps struct {
	mu  sync.Mutex
	tab map[tapKey][]int
}

const tapTablesMax = 256

// tapTable returns the offset ci·h·w + ky·w + kx of every row p = (ci, ky,
// kx) of im2col for c planes of h×w and a kh×kw kernel.
func tapTable(c, h, w, kh, kw int) []int {
	key := tapKey{c, h, w, kh, kw}
	taps.mu.Lock()
	t, ok := taps.tab[key]
	taps.mu.Unlock()
	if ok {
		return t
	}
	t = make([]int, 0, c*kh*kw)
	for ci := 0; ci < c; ci++ {
		for ky := 0; ky < kh; ky++ {
			for kx := 0; kx < kw; kx++ {
				t = append(t, ci*h*w+ky*w+kx)
			}
		}
	}
	taps.mu.Lock()
	if taps.tab == nil {
		taps.tab = map[tapKey][]int{}
	}
	if len(taps.tab) < tapTablesMax {
		taps.tab[key] = t
	}
	taps.mu.Unlock()
	return t
}

// padBudget is the most floats newIm2colB copies an image into (32 MB).
func padBudget() int { return 2 * colBudget }

// newIm2colB returns the B source im2col(x) of an image x (c × h × w) for
// the geometry g, and a function to call when the product is done. A
// zero-padded convolution with horizontal stride 1 (the backward pass of
// every stride-1 convolution, the discriminator's last layers) reads a
// zero-padded copy of x made here, so that every panel is packed by the
// fast gather (packValid) rather than by the general path, which works out
// the padding for each panel row (16% of a training iteration before).
func newIm2colB(x []float32, c, h, w int, g ConvGeom) (*im2colB, func()) {
	_, ow := g.OutSize(h, w)
	hp, wp := h+2*g.PadH, w+2*g.PadW
	if g.PadH == 0 && g.PadW == 0 || g.StrideW != 1 || c*hp*wp > padBudget() {
		return &im2colB{x: x, c: c, h: h, w: w, g: g, ow: ow}, func() {}
	}
	xp := getScratch(c*hp*wp, false)
	padZeros(x, c, h, w, g.PadH, g.PadW, hp, wp, xp)
	valid := g
	valid.PadH, valid.PadW = 0, 0
	return &im2colB{x: xp, c: c, h: hp, w: wp, g: valid, ow: ow}, func() { putScratch(xp) }
}

// padZeros writes x (c × h × w) into xp (c × hp × wp) at row top and
// column left of each plane, with zeros everywhere else.
func padZeros(x []float32, c, h, w, top, left, hp, wp int, xp []float32) {
	for ci := 0; ci < c; ci++ {
		plane := xp[ci*hp*wp : (ci+1)*hp*wp]
		clear(plane[:top*wp])
		clear(plane[(top+h)*wp:])
		for r := 0; r < h; r++ {
			row := plane[(top+r)*wp : (top+r+1)*wp]
			clearShort(row[:left])
			copy(row[left:left+w], x[(ci*h+r)*w:(ci*h+r+1)*w])
			clearShort(row[left+w:])
		}
	}
}

// rowSeg is a run of a packed panel's columns that lie in one output row:
// n columns from the panel's column off, output positions (oy, ox…ox+n−1).
type rowSeg struct{ off, oy, ox, n int }

// rowSegs appends to segs the runs of output columns [jq, jq+width) (ow
// positions per output row) that lie in one output row each.
func rowSegs(segs []rowSeg, jq, width, ow int) []rowSeg {
	for j := 0; j < width; {
		oy, ox := (jq+j)/ow, (jq+j)%ow
		n := min(ow-ox, width-j)
		segs = append(segs, rowSeg{j, oy, ox, n})
		j += n
	}
	return segs
}

func (s *im2colB) pack(dst []float32, nr, p0, kc, j0, nc int) {
	g, h, w, ow := s.g, s.h, s.w, s.ow
	if g.PadH == 0 && g.PadW == 0 && g.StrideW == 1 {
		s.packValid(dst, nr, p0, kc, j0, nc)
		return
	}
	khw := g.KH * g.KW
	var segBuf [64]rowSeg
	for q := 0; q*nr < nc; q++ {
		pan := dst[q*kc*nr : (q+1)*kc*nr]
		jq := j0 + q*nr
		width := min(nr, j0+nc-jq)
		segs := rowSegs(segBuf[:0], jq, width, ow)
		ci, ky, kx := p0/khw, p0%khw/g.KW, p0%g.KW
		for p := 0; p < kc; p++ {
			row := pan[p*nr : p*nr+nr]
			plane := s.x[ci*h*w : (ci+1)*h*w]
			for _, sg := range segs {
				d := row[sg.off : sg.off+sg.n]
				iy := sg.oy*g.StrideH - g.PadH + ky
				if iy < 0 || iy >= h {
					clear(d)
					continue
				}
				src := plane[iy*w : iy*w+w]
				ix0 := sg.ox*g.StrideW - g.PadW + kx
				sw := g.StrideW
				// t0, t1: the run of t with 0 <= ix0 + t·sw < w
				t0 := 0
				if ix0 < 0 {
					t0 = min(len(d), (-ix0+sw-1)/sw)
				}
				t1 := max(t0, min(len(d), (w-ix0+sw-1)/sw))
				// a clear call per short run costs more than the copy (this
				// loop runs once per panel row)
				clearShort(d[:t0])
				clearShort(d[t1:])
				if t0 == t1 {
					continue
				}
				if sw == 1 {
					copyRow(d[t0:t1], src[ix0+t0:])
					continue
				}
				gatherStrided(d[t0:t1], src[ix0+t0*sw:], sw)
			}
			clearShort(row[width:])
			if kx++; kx == g.KW {
				kx = 0
				if ky++; ky == g.KH {
					ky = 0
					ci++
				}
			}
		}
	}
}

// gatherStrided sets d[t] = src[t·stride] for every t, with one bounds
// check for the whole run (per-value checks and re-slicing made the
// downsampling layers' unrolling cost more than their GEMM in wasm).
func gatherStrided(d, src []float32, stride int) {
	n := len(d)
	if n == 0 {
		return
	}
	_ = src[(n-1)*stride]
	pd, ps := unsafe.Pointer(&d[0]), unsafe.Pointer(&src[0])
	step := uintptr(4 * stride)
	for i := range uintptr(n) {
		*(*float32)(unsafe.Add(pd, 4*i)) = *(*float32)(unsafe.Add(ps, i*step))
	}
}

// clearShort is clear(d) without a call for the one or two values of a
// window's overhang.
func clearShort(d []float32) {
	if len(d) > 4 {
		clear(d)
		return
	}
	for i := range d {
		d[i] = 0
	}
}

// packValid is pack for a convolution without zero padding and with
// horizontal stride 1 (every convolution of the generator but the two
// strided ones: their padding is a separate ReflectionPad2d): every window
// lies inside the image, so each panel row is one or two contiguous runs of
// an input row. The offset of each row's tap (ci·h·w + ky·w + kx) comes from
// a table built once per product, the runs' source offsets are computed
// once per panel; a panel inside one output row (the common case) is then a
// gather of kc rows of nr floats (gatherRows, vector loads and stores).
func (s *im2colB) packValid(dst []float32, nr, p0, kc, j0, nc int) {
	g, w, ow := s.g, s.w, s.ow
	s.tapsOnce.Do(s.initTaps)
	taps := s.taps[p0 : p0+kc]
	var segBuf [64]rowSeg
	var srcBuf [64]int
	for q := 0; q*nr < nc; q++ {
		pan := dst[q*kc*nr : (q+1)*kc*nr]
		jq := j0 + q*nr
		width := min(nr, j0+nc-jq)
		segs := rowSegs(segBuf[:0], jq, width, ow)
		src := srcBuf[:len(segs)] // each run's offset in x, less the tap's
		for i, sg := range segs {
			src[i] = sg.oy*g.StrideH*w + sg.ox
		}
		if len(segs) == 1 && width == nr { // the common case: one run of nr
			gatherRows(pan, nr, s.x, taps, src[0])
			continue
		}
		var runBuf [64]panelRun
		runs := runBuf[:len(segs)]
		for i, sg := range segs {
			runs[i] = panelRun{dst: sg.off, src: src[i], n: sg.n}
		}
		gatherRuns(pan, nr, width, s.x, taps, runs)
	}
}

// col2imRowsParallel is col2imRows with the channels spread over the cores
// (each channel's plane is written by one goroutine only).
func col2imRowsParallel(col []float32, c, h, w int, g ConvGeom, oy0, oy1 int, x []float32) {
	_, ow := g.OutSize(h, w)
	per := g.KH * g.KW * (oy1 - oy0) * ow // col values of one channel
	parallelElems(c, 2*float64(per), func(c0, c1 int) {
		col2imRows(col[c0*per:c1*per], c1-c0, h, w, g, oy0, oy1, x[c0*h*w:c1*h*w])
	})
}
