package nn

import "fmt"

// Band is one horizontal strip of a generator input: rows [Row0, Row1) of
// an image of H rows (H the padded height, a multiple of 4), band Index of
// Count, top to bottom. Band boundaries lie on multiples of 4 rows, so that
// both stride-2 downsamplings split the image on whole rows.
type Band struct {
	Index, Count int
	Row0, Row1   int
	H            int
}

// Rows is the number of rows of the band.
func (b Band) Rows() int { return b.Row1 - b.Row0 }

// SplitRows cuts an image of h rows (a multiple of 4, at least 8) into at
// most n bands of whole multiples of 4 rows, as even as can be: fewer than n
// when the image has fewer than 4n rows.
func SplitRows(h, n int) ([]Band, error) {
	if h < 8 || h%4 != 0 {
		return nil, fmt.Errorf("nn: SplitRows: height %d must be a multiple of 4, at least 8", h)
	}
	if n < 1 {
		return nil, fmt.Errorf("nn: SplitRows: %d bands; need at least 1", n)
	}
	units := h / 4
	n = min(n, units)
	bands := make([]Band, n)
	row := 0
	for i := range bands {
		u := units / n
		if i < units%n {
			u++
		}
		bands[i] = Band{Index: i, Count: n, Row0: row, Row1: row + 4*u, H: h}
		row += 4 * u
	}
	return bands, nil
}

// check returns why b cannot be a band of an image, or nil.
func (b Band) check() error {
	switch {
	case b.Count < 1 || b.Index < 0 || b.Index >= b.Count:
		return fmt.Errorf("nn: band %d of %d does not exist", b.Index, b.Count)
	case b.H < 8 || b.H%4 != 0:
		return fmt.Errorf("nn: band of an image of %d rows: the height must be a multiple of 4, at least 8", b.H)
	case b.Row0 < 0 || b.Row1 > b.H || b.Row0 >= b.Row1 || b.Row0%4 != 0 || b.Row1%4 != 0:
		return fmt.Errorf("nn: band rows [%d, %d) of %d: need 0 ≤ first < end ≤ %d, both multiples of 4", b.Row0, b.Row1, b.H, b.H)
	case (b.Index == 0) != (b.Row0 == 0):
		return fmt.Errorf("nn: band %d of %d starts at row %d: the first band, and only it, starts at row 0", b.Index, b.Count, b.Row0)
	case (b.Index == b.Count-1) != (b.Row1 == b.H):
		return fmt.Errorf("nn: band %d of %d ends at row %d: the last band, and only it, ends at row %d", b.Index, b.Count, b.Row1, b.H)
	}
	return nil
}

// ForwardBand is ForwardSteps for one band of an image: x holds the band's
// rows of the padded input (1 × InputNC × b.Rows() × W) and the result is
// the same rows of the output. Every band of the image runs it at the same
// time, each with its own exchange: each convolution takes the rows it
// needs beyond its band's edges (halos) from the neighbouring bands, and
// each InstanceNorm combines the bands' statistics in band order, so the
// result does not depend on timing. With one band the result is Forward's,
// bit for bit; with more it differs by float32 rounding in the norms'
// statistics only (band_test.go). The steps are those of ForwardSteps.
func (g *Generator) ForwardBand(x *Tensor, b Band, ex BandExchange, step func(done, total int) error) (*Tensor, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	if ex == nil {
		return nil, fmt.Errorf("nn: ForwardBand: no exchange")
	}
	if x == nil || len(x.Shape) != 4 || x.N() != 1 || x.C() != g.cfg.InputNC || x.H() != b.Rows() ||
		x.W()%4 != 0 || x.W() < 8 || len(x.Data) != x.C()*x.H()*x.W() {
		var s []int
		if x != nil {
			s = x.Shape
		}
		return nil, fmt.Errorf("nn: ForwardBand: input of shape %v; want 1×%d×%d×W (W a multiple of 4, at least 8) for rows [%d, %d)",
			s, g.cfg.InputNC, b.Rows(), b.Row0, b.Row1)
	}
	r := &bandRun{b: b, ex: ex}
	return r.layers(g.layers, x, false, step)
}

// bandRun is one band's pass: the band's rows at the current layer's scale.
type bandRun struct {
	b  Band // Row0, Row1 and H at the current scale
	ex BandExchange
}

// layers runs ls over the band like sequential.infer (owned: x was made
// here and may be overwritten), calling step after each layer.
func (r *bandRun) layers(ls []Layer, x *Tensor, owned bool, step func(done, total int) error) (*Tensor, error) {
	pad := 0       // a ReflectionPad2d that waits for its convolution
	fused := false // the layer was done with the one before it
	for i, l := range ls {
		var y *Tensor
		var err error
		if pad > 0 && !isConv(l) {
			return nil, errPadAlone
		}
		switch l := l.(type) {
		case *ReflectionPad2d:
			pad = l.Pad
		case *Conv2d:
			y, err = r.conv(l, x, pad)
			pad = 0
		case *ConvTranspose2d:
			y, err = r.convT(l, x)
		case *InstanceNorm2d:
			if !owned {
				x, owned = x.Clone(), true
			}
			relu := i+1 < len(ls) && isReLU(ls[i+1])
			err = r.norm(l, x, relu)
			fused = relu
		case *ReLU, *Tanh:
			if fused {
				fused = false
				break
			}
			if !owned {
				x, owned = x.Clone(), true
			}
			l.(inPlacer).forwardInPlace(x)
		case *Dropout:
		case *ResnetBlock:
			y, err = r.layers(l.ConvBlock, x, false, nil)
			if err == nil {
				addInto(y.Data, x.Data)
			}
		default:
			return nil, fmt.Errorf("nn: ForwardBand: no banded form of %T", l)
		}
		if err != nil {
			return nil, err
		}
		if y != nil {
			if owned && len(x.Data) <= inferPoolMax {
				putScratch(x.Data)
			}
			x, owned = y, true
		}
		if step != nil {
			if err := step(i+1, len(ls)); err != nil {
				return nil, err
			}
		}
	}
	if pad > 0 {
		return nil, errPadAlone
	}
	return x, nil
}

var errPadAlone = fmt.Errorf("nn: ForwardBand: a reflection padding must be followed by a convolution")

func isConv(l Layer) bool { _, ok := l.(*Conv2d); return ok }

// halo exchanges rows with the neighbouring bands: it sends the band's
// first up rows to the band above and its last down rows to the band
// below, and returns the rows received (C × rows × W each; nil at the
// image's top and bottom). Every band asks for the same counts.
func (r *bandRun) halo(x *Tensor, up, down int) (above, below []float32, err error) {
	c, h, w := x.C(), x.H(), x.W()
	if up > h || down > h {
		return nil, nil, fmt.Errorf("nn: ForwardBand: band %d has %d rows here, fewer than the %d its neighbours need (use fewer bands)",
			r.b.Index, h, max(up, down))
	}
	rowsOf := func(r0, n int) []float32 {
		out := make([]float32, c*n*w)
		for ci := range c {
			copy(out[ci*n*w:(ci+1)*n*w], x.Data[(ci*h+r0)*w:])
		}
		return out
	}
	var sendUp, sendDown []float32
	if r.b.Index > 0 {
		sendUp = rowsOf(0, up)
	}
	if r.b.Index < r.b.Count-1 {
		sendDown = rowsOf(h-down, down)
	}
	above, below, err = r.ex.Halo(sendUp, sendDown)
	if err != nil {
		return nil, nil, err
	}
	if r.b.Index > 0 && len(above) != c*down*w {
		return nil, nil, fmt.Errorf("nn: ForwardBand: band %d received %d values from the band above, want %d", r.b.Index, len(above), c*down*w)
	}
	if r.b.Index < r.b.Count-1 && len(below) != c*up*w {
		return nil, nil, fmt.Errorf("nn: ForwardBand: band %d received %d values from the band below, want %d", r.b.Index, len(below), c*up*w)
	}
	return above, below, nil
}

// rowSource finds global row gr among the band's own rows x and its halos
// (above: the na rows before Row0, below: the nb rows from Row1): the plane
// slice of channel 0 and the stride between channels, or ok false.
func (r *bandRun) rowSource(x *Tensor, above []float32, na int, below []float32, nb, gr int) (row []float32, stride int, ok bool) {
	h, w := x.H(), x.W()
	switch {
	case gr >= r.b.Row0 && gr < r.b.Row1:
		return x.Data[(gr-r.b.Row0)*w:], h * w, true
	case gr < r.b.Row0 && gr >= r.b.Row0-na && above != nil:
		return above[(gr-r.b.Row0+na)*w:], na * w, true
	case gr >= r.b.Row1 && gr < r.b.Row1+nb && below != nil:
		return below[(gr-r.b.Row1)*w:], nb * w, true
	}
	return nil, 0, false
}

// conv runs a Conv2d over the band, after a reflection padding of rpad
// (0: none). Output rows [Row0/S, Row1/S) need input rows from
// Row0 − pad to (Row1/S − 1)·S − pad + K, pad being the vertical padding
// (rpad reflected or the convolution's own zeros): pad rows from the band
// above and K − S − pad from the band below. The band's rows and halos are
// gathered into one tensor (reflected or zero rows at the image's edges,
// reflected columns) and convolved without vertical padding.
func (r *bandRun) conv(l *Conv2d, x *Tensor, rpad int) (*Tensor, error) {
	g := l.Geom
	s, k := g.StrideH, g.KH
	if rpad > 0 && (g.PadH > 0 || g.PadW > 0) || g.StrideW != s {
		return nil, fmt.Errorf("nn: ForwardBand: convolution geometry %+v after a reflection padding of %d has no banded form", g, rpad)
	}
	pad := rpad + g.PadH
	b := r.b
	if b.Row0%s != 0 || b.Row1%s != 0 || b.H%s != 0 {
		return nil, fmt.Errorf("nn: ForwardBand: rows [%d, %d) of %d are not on the stride %d", b.Row0, b.Row1, b.H, s)
	}
	if rpad >= b.H || rpad >= x.W() {
		return nil, fmt.Errorf("nn: ForwardBand: image of %d×%d too small for a reflection padding of %d", x.W(), b.H, rpad)
	}
	up, down := max(0, k-s-pad), pad
	above, below, err := r.halo(x, up, down)
	if err != nil {
		return nil, err
	}
	oh := (b.H+2*pad-k)/s + 1
	a0, a1 := b.Row0/s, b.Row1/s
	if b.Row1 == b.H {
		a1 = oh
	}
	lo, hi := a0*s-pad, (a1-1)*s-pad+k
	c, w := x.C(), x.W()
	wp := w + 2*rpad
	ext := newScratchTensor(false, 1, c, hi-lo, wp)
	for i := range hi - lo {
		gr := lo + i
		if gr < 0 || gr >= b.H {
			if rpad == 0 {
				for ci := range c {
					clear(ext.Data[(ci*(hi-lo)+i)*wp:][:wp])
				}
				continue
			}
			gr = reflect(gr, b.H)
		}
		src, stride, ok := r.rowSource(x, above, down, below, up, gr)
		if !ok {
			putScratch(ext.Data)
			return nil, fmt.Errorf("nn: ForwardBand: band %d lacks row %d (band too thin for its neighbours)", b.Index, gr)
		}
		for ci := range c {
			sr := src[ci*stride:][:w]
			dr := ext.Data[(ci*(hi-lo)+i)*wp:][:wp]
			copy(dr[rpad:], sr)
			for j := range rpad {
				dr[rpad-1-j] = sr[j+1]
				dr[rpad+w+j] = sr[w-2-j]
			}
		}
	}
	bg := g
	bg.PadH = 0
	var bias []float32
	if l.Bias != nil {
		bias = l.Bias.Value.Data
	}
	y := conv2dForward(ext, l.Weight.Value, bias, bg, &l.cache)
	putScratch(ext.Data)
	r.b = Band{Index: b.Index, Count: b.Count, Row0: a0, Row1: a0 + y.H(), H: oh}
	if y.H() != a1-a0 {
		return nil, fmt.Errorf("nn: ForwardBand: internal error: convolution gave %d rows, want %d", y.H(), a1-a0)
	}
	return y, nil
}

// convT runs a ConvTranspose2d over the band. Output row oy receives input
// row iy where S·iy − P + ky = oy: output rows [S·Row0, S·Row1) need input
// rows ⌈(S·Row0 + P − K + 1)/S⌉ to ⌊(S·Row1 − 1 + P)/S⌋, i.e. (K−1−P)/S rows
// from the band above and (S−1+P)/S from the band below; rows beyond the
// image contribute nothing. The layer runs on the band with its halos and
// the band's output rows are cut from the result.
func (r *bandRun) convT(l *ConvTranspose2d, x *Tensor) (*Tensor, error) {
	g := l.Geom
	s, k, p := g.StrideH, g.KH, g.PadH
	b := r.b
	if oh, _ := l.OutSize(b.H, x.W()); oh != s*b.H {
		return nil, fmt.Errorf("nn: ForwardBand: transposed convolution %+v (output padding %d) does not scale rows by its stride", g, l.OutPad)
	}
	up, down := max(0, (s-1+p)/s), max(0, (k-1-p)/s)
	above, below, err := r.halo(x, up, down)
	if err != nil {
		return nil, err
	}
	na, nb := len(above)/max(1, x.C()*x.W()), len(below)/max(1, x.C()*x.W())
	c, h, w := x.C(), x.H(), x.W()
	ext := x
	if na > 0 || nb > 0 {
		eh := na + h + nb
		ext = newScratchTensor(false, 1, c, eh, w)
		for ci := range c {
			d := ext.Data[ci*eh*w : (ci+1)*eh*w]
			copy(d, above[ci*na*w:(ci+1)*na*w])
			copy(d[na*w:], x.Data[ci*h*w:(ci+1)*h*w])
			copy(d[(na+h)*w:], below[ci*nb*w:(ci+1)*nb*w])
		}
	}
	y := l.Forward(ext)
	if ext != x {
		putScratch(ext.Data)
	}
	r.b = Band{Index: b.Index, Count: b.Count, Row0: s * b.Row0, Row1: s * b.Row1, H: s * b.H}
	if na == 0 && y.H() == s*h {
		return y, nil
	}
	out := newScratchTensor(false, 1, y.C(), s*h, y.W())
	plane := s * h * y.W()
	for co := range y.C() {
		copy(out.Data[co*plane:(co+1)*plane], y.Data[(co*y.H()+s*na)*y.W():])
	}
	putScratch(y.Data)
	return out, nil
}
