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
// output (the padded input and one phase's product): 32 MB, enough for
// ngf 16 at 1024² and ngf 64 at 512² in part; larger layers take the
// banded col2im path, which keeps peak memory flat in the image size.
func phaseBudget() int { return 2 * colBudget }

// forwardPhases computes y (zeroed or not: every value is written) for x
// by phases. It reports false, having done nothing, when the output is
// larger than the phases cover (an output_padding beyond the input) or the
// buffers would exceed phaseBudget.
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
	if cin*hp*wp+cout*hp*wp > phaseBudget() {
		return false
	}
	xp := getScratch(cin*hp*wp, false)
	defer putScratch(xp)
	tmpBuf := getScratch(cout*hp*wp, false) // one phase's product (the largest)
	defer putScratch(tmpBuf)
	var bias []float32
	if l.Bias != nil {
		bias = l.Bias.Value.Data
	}
	wt := l.Weight.Value.Data
	k := l.Geom.KH * l.Geom.KW
	for i := 0; i < n; i++ {
		padZeros(x.Data[i*cin*h*w:(i+1)*cin*h*w], cin, h, w, 0, 0, hp, wp, xp) // zeros at the bottom and right
		yi := y.Data[i*cout*oh*ow : (i+1)*cout*oh*ow]
		for _, ph := range l.phases {
			khp, kwp := len(ph.kys), len(ph.kxs)
			depth := cin * khp * kwp
			ohp, owp := hp-khp+1, wp-kwp+1
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
			tmp := tmpBuf[:cout*ohp*owp]
			src := &im2colB{x: xp, c: cin, h: hp, w: wp, g: ConvGeom{KH: khp, KW: kwp, StrideH: 1, StrideW: 1}, ow: owp}
			gemmPacked(kern, cout, ohp*owp, depth, pa, src, true, tmp, ohp*owp)
			done()
			na, nb := (oh-ph.py+sh-1)/sh, (ow-ph.px+sw-1)/sw
			parallelElems(cout, float64(na*nb), func(c0, c1 int) {
				for co := c0; co < c1; co++ {
					var b float32
					if bias != nil {
						b = bias[co]
					}
					plane := yi[co*oh*ow : (co+1)*oh*ow]
					for a := 0; a < na; a++ {
						src := tmp[(co*ohp+a)*owp : (co*ohp+a)*owp+nb]
						dst := plane[(sh*a+ph.py)*ow+ph.px:]
						dst = dst[:sw*(nb-1)+1]
						for j, v := range src {
							dst[sw*j] = v + b
						}
					}
				}
			})
		}
	}
	return true
}
