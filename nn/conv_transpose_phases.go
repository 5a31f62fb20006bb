package nn

// The forward pass of a strided ConvTranspose2d as stride² ordinary
// convolutions ("sub-pixel" phases), instead of a GEMM into an unrolled
// column matrix followed by col2im's scatter-add.
//
// Output position (oy, ox) = (s·a + py, s·b + px) receives x[iy][ix]·W[ky][kx]
// exactly when oy = s·iy − p + ky. So phase py's taps are the ky with
// py + p − ky divisible by s, and tap ky reads input row iy = a + dy with
// dy = (py + p − ky)/s (likewise for columns). When py + p < k ≤ py + p + s
// for every phase (true for the generator's k 3, s 2, p 1) the offsets dy
// are 0, 1, …, KHp−1, so the phase is a valid KHp×KWp convolution of the
// input padded with zeros at the bottom and right, with the sub-kernel
// Wp[co][ci][dy][dx] = W[ci][co][ky(dy)][kx(dx)]. Every multiply-add of the
// transposed convolution is done once, in a GEMM whose B panels are packed
// straight from the padded input (im2colB), and each output value is
// written once.

// convTPhase is one output phase (py, px): the kernel row of each row
// offset dy = 0, 1, … (kys) and likewise for columns, and its packed weights.
type convTPhase struct {
	py, px   int
	kys, kxs []int
	cache    convCache
}

// phaseTaps returns the taps of phase ph (kernel index per offset 0, 1, …),
// or nil when the phase needs offsets below 0 or has none at 0.
func phaseTaps(ph, k, s, p int) []int {
	if ph+p >= k || ph+p+s < k {
		return nil
	}
	var ks []int
	for ky := ph + p; ky >= 0; ky -= s {
		ks = append(ks, ky)
	}
	return ks
}

// convTPhases returns the phases of a transposed convolution's geometry, or
// nil when it has no such decomposition (then Forward uses col2im).
func convTPhases(g ConvGeom) []*convTPhase {
	if g.StrideH < 2 || g.StrideW < 2 {
		return nil
	}
	var out []*convTPhase
	for py := 0; py < g.StrideH; py++ {
		for px := 0; px < g.StrideW; px++ {
			kys, kxs := phaseTaps(py, g.KH, g.StrideH, g.PadH), phaseTaps(px, g.KW, g.StrideW, g.PadW)
			if kys == nil || kxs == nil {
				return nil
			}
			out = append(out, &convTPhase{py: py, px: px, kys: kys, kxs: kxs})
		}
	}
	return out
}

// phaseBudget is the most floats forwardPhases holds besides input and
// output (the padded input and the phases' products of a band of rows):
// 32 MB, enough for ngf 16 at 1024² and ngf 64 at 512² in part; larger
// layers take the banded col2im path, which keeps peak memory flat in the
// image size.
func phaseBudget() int { return 2 * colBudget }

// forwardPhases computes y (zeroed or not: every value is written) for x
// by phases. It reports false, having done nothing, when the output is
// larger than the phases cover (an output_padding beyond the input) or the
// buffers would exceed phaseBudget.
//
// The phases of one output row parity py run a band of their rows at a
// time (phaseBandFloats of products), each
// into its own product, and the band's output rows are then written once,
// the phases' columns interleaved (interleave2 for stride 2). A phase's
// product has exactly its nb output columns per row, so that its GEMM
// panels lie inside one output row and are read in place (gemm_direct.go).
func (l *ConvTranspose2d) forwardPhases(kern *gemmKernel, x, y *Tensor) bool {
	n, cin, h, w := x.N(), x.C(), x.H(), x.W()
	cout, oh, ow := y.C(), y.H(), y.W()
	sh, sw := l.Geom.StrideH, l.Geom.StrideW
	padH, padW := 0, 0 // zero rows and columns added at the bottom and right
	for _, ph := range l.phases {
		padH, padW = max(padH, len(ph.kys)-1), max(padW, len(ph.kxs)-1)
	}
	hp, wp := h+padH, w+padW
	for _, ph := range l.phases {
		na, nb := (oh-ph.py+sh-1)/sh, (ow-ph.px+sw-1)/sw
		if na > hp-len(ph.kys)+1 || nb > wp-len(ph.kxs)+1 {
			return false
		}
	}
	nbMax := (ow + sw - 1) / sw // columns of the px = 0 phase, the widest
	band := max(1, min((oh+sh-1)/sh, phaseBandFloats()/(sw*cout*nbMax)))
	if cin*hp*wp+sw*cout*band*nbMax > phaseBudget() {
		return false
	}
	xp := getScratch(cin*hp*wp, false)
	defer putScratch(xp)
	tmpBuf := getScratch(sw*cout*band*nbMax, false) // a band of the products of one row parity
	defer putScratch(tmpBuf)
	var bias []float32
	if l.Bias != nil {
		bias = l.Bias.Value.Data
	}
	for i := 0; i < n; i++ {
		xi := x.Data[i*cin*h*w : (i+1)*cin*h*w]
		parallelElems(cin, 0.5*float64(hp*wp), func(c0, c1 int) { // zeros at the bottom and right
			padZeros(xi[c0*h*w:c1*h*w], c1-c0, h, w, 0, 0, hp, wp, xp[c0*hp*wp:c1*hp*wp])
		})
		yi := y.Data[i*cout*oh*ow : (i+1)*cout*oh*ow]
		for py := 0; py < sh; py++ {
			row := l.phases[py*sw : (py+1)*sw] // the phases px = 0, 1, … of this row parity
			na := (oh - py + sh - 1) / sh
			for a0 := 0; a0 < na; a0 += band {
				a1 := min(na, a0+band)
				var tmps [][]float32
				for px, ph := range row {
					nb := (ow - px + sw - 1) / sw
					t := tmpBuf[px*cout*band*nbMax:][:cout*(a1-a0)*nb]
					l.phaseProduct(kern, ph, xp, cin, hp, wp, a0, a1, nb, t)
					tmps = append(tmps, t)
				}
				interleavePhases(yi, tmps, bias, cout, oh, ow, sh, sw, py, a0, a1)
			}
		}
	}
	return true
}

// phaseBandFloats is the size of forwardPhases' products of one band of
// rows: stridedBandFloats on one thread (512 KB natively: they stay in L2
// for the interleaving), 8 times that on several, so that each product's
// GEMM has enough columns to share (with 512 columns a product the
// generator's upsampling ran 20–35% slower on two threads than with whole
// planes).
func phaseBandFloats() int {
	if maxThreads() > 1 {
		return 8 * stridedBandFloats
	}
	return stridedBandFloats
}

// phaseProduct computes the rows [a0, a1) of phase ph's product, nb columns
// each, into t (cout × (a1−a0) × nb), from the padded input xp (cin × hp ×
// wp).
func (l *ConvTranspose2d) phaseProduct(kern *gemmKernel, ph *convTPhase, xp []float32, cin, hp, wp, a0, a1, nb int, t []float32) {
	cout, wt, k := l.OutC, l.Weight.Value.Data, l.Geom.KH*l.Geom.KW
	khp, kwp := len(ph.kys), len(ph.kxs)
	depth := cin * khp * kwp
	pa, done := ph.cache.packedMatrix(kern, false, cout, depth, func() ([]float32, func()) {
		ab := getBuf(cout * depth)
		a := *ab
		for co := 0; co < cout; co++ {
			for ci := 0; ci < cin; ci++ {
				for dy, ky := range ph.kys {
					for dx, kx := range ph.kxs {
						a[((co*cin+ci)*khp+dy)*kwp+dx] = wt[(ci*cout+co)*k+ky*l.Geom.KW+kx]
					}
				}
			}
		}
		return a, func() { putBuf(ab) }
	})
	// the band's rows start a0 rows into every plane: x starts there, and
	// the taps (ci·hp·wp + dy·wp + dx) keep their meaning
	src := &im2colB{x: xp[a0*wp:], c: cin, h: hp, w: wp, g: ConvGeom{KH: khp, KW: kwp, StrideH: 1, StrideW: 1}, ow: nb}
	n := (a1 - a0) * nb
	gemmPacked(kern, cout, n, depth, pa, src, true, t, n)
	done()
}

// interleavePhases writes the output rows sh·a+py, a ∈ [a0, a1), of every
// channel of yi (cout × oh × ow) from the products of their phases (tmps[px]:
// cout × (a1−a0) × nb_px), plus the bias.
func interleavePhases(yi []float32, tmps [][]float32, bias []float32, cout, oh, ow, sh, sw, py, a0, a1 int) {
	rows := a1 - a0
	parallelElems(cout, float64(rows*ow)/4, func(c0, c1 int) {
		for co := c0; co < c1; co++ {
			var b float32
			if bias != nil {
				b = bias[co]
			}
			for a := a0; a < a1; a++ {
				dst := yi[(co*oh+sh*a+py)*ow:][:ow]
				if sw == 2 {
					nb0, nb1 := (ow+1)/2, ow/2
					interleave2(dst, tmps[0][(co*rows+a-a0)*nb0:][:nb0], tmps[1][(co*rows+a-a0)*nb1:][:nb1], b)
					continue
				}
				for px, t := range tmps {
					nb := (ow - px + sw - 1) / sw
					src := t[(co*rows+a-a0)*nb:][:nb]
					d := dst[px:]
					for j, v := range src {
						d[sw*j] = v + b
					}
				}
			}
		}
	})
}
