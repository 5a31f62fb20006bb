package nn

import (
	"bytes"
	"fmt"
	"sync"
	"unsafe"
)

// The backward passes of Conv2d and ConvTranspose2d as GEMMs whose B matrix
// is packed straight from an image, so no unrolled (im2col) matrix is built
// except for the input gradient of a strided convolution.
//
// Conv2d (weight W: Cout × Cin·K·K, one image at a time):
//
//	dW += dy · im2col(x)ᵀ           B = im2colT(x), packed from x
//	dx  = conv(dy, flip(W)ᵀ, pad K−1−P)   stride 1: B = im2col(dy), packed from dy
//	dx  = col2im(Wᵀ · dy)            stride > 1
//
// ConvTranspose2d (weight W: Cin × Cout·K·K) is the adjoint of a convolution:
//
//	dx  = W · im2col(dy)             B packed from dy
//	dW += x · im2col(dy)ᵀ            B = im2colT(dy), packed from dy

// im2colTB is the transpose of im2col(x) for one image (c×h×w), read in
// place: row p is an output position (oy, ox) of the convolution g (ow
// positions per row), column j = (ci, ky, kx) holds
// x[ci][oy·sh−ph+ky][ox·sw−pw+kx], or 0 in the zero padding.
type im2colTB struct {
	x       []float32
	c, h, w int
	g       ConvGeom
	ow      int
}

// maxNR bounds the panel width of every micro-kernel (32 for AVX-512).
const maxNR = 64

func (s *im2colTB) pack(dst []float32, nr, p0, kc, j0, nc int) {
	g, h, w, ow := s.g, s.h, s.w, s.ow
	if nr > maxNR {
		panic("nn: im2colTB: panel wider than maxNR")
	}
	khw := g.KH * g.KW
	_ = s.x[s.c*h*w-1] // the unchecked reads below stay inside c×h×w
	var offs, kys, kxs, cis [maxNR]int
	for q := 0; q*nr < nc; q++ {
		pan := dst[q*kc*nr : (q+1)*kc*nr]
		jq := j0 + q*nr
		width := min(nr, j0+nc-jq)
		ci, ky, kx := jq/khw, jq%khw/g.KW, jq%g.KW
		for j := 0; j < width; j++ {
			cis[j], kys[j], kxs[j] = ci, ky, kx
			offs[j] = ci*h*w + ky*w + kx
			if kx++; kx == g.KW {
				kx = 0
				if ky++; ky == g.KH {
					ky = 0
					ci++
				}
			}
		}
		off := offs[:width]
		// stride 1 or 2 along x and whole groups of 8 columns: runs of 8
		// positions go by transpose8 (which reads 8·StrideW floats from
		// an offset: they must lie within x)
		runs := g.StrideW <= 2 && width%8 == 0
		lastOff := off[width-1]
		if jq+width > s.c*khw {
			panic("nn: im2colTB: column beyond the unrolled channels")
		}
		oy, ox := p0/ow, p0%ow
		for p := 0; p < kc; p++ {
			row := pan[p*nr : p*nr+nr]
			iy0, ix0 := oy*g.StrideH-g.PadH, ox*g.StrideW-g.PadW
			if runs && p+8 <= kc && ox+8 <= ow && iy0 >= 0 && iy0+g.KH <= h && ix0 >= 0 && ix0+7*g.StrideW+g.KW <= w &&
				iy0*w+ix0+lastOff+8*g.StrideW <= len(s.x) {
				// 8 positions of one output row, inside the image: window
				// column j of them is a run of 8 floats (every other
				// float with stride 2) at offs[j]
				for j := 0; j < width; j += 8 {
					if g.StrideW == 1 {
						transpose8(pan[p*nr+j:], nr, s.x, iy0*w+ix0, (*[8]int)(offs[j:j+8]))
					} else {
						transpose8Stride2(pan[p*nr+j:], nr, s.x, iy0*w+ix0, (*[8]int)(offs[j:j+8]))
					}
				}
				for t := 0; t < 8 && width < nr; t++ {
					clear(pan[(p+t)*nr+width : (p+t+1)*nr])
				}
				p += 7
				ox += 8
				if ox == ow {
					ox = 0
					oy++
				}
				continue
			}
			if iy0 >= 0 && iy0+g.KH <= h && ix0 >= 0 && ix0+g.KW <= w {
				// Inside the image: every offset is in bounds (the window
				// fits and off holds channel, row and column offsets of it).
				base := unsafe.Pointer(&s.x[iy0*w+ix0])
				r := row[:len(off)]
				for j, o := range off {
					r[j] = *(*float32)(unsafe.Add(base, o*4))
				}
			} else {
				for j := 0; j < width; j++ {
					iy, ix := iy0+kys[j], ix0+kxs[j]
					if uint(iy) < uint(h) && uint(ix) < uint(w) {
						row[j] = s.x[cis[j]*h*w+iy*w+ix]
					} else {
						row[j] = 0
					}
				}
			}
			if width < nr {
				clear(row[width:])
			}
			if ox++; ox == ow {
				ox = 0
				oy++
			}
		}
	}
}

// convGrads selects what a backward pass computes.
type convGrads struct {
	input  bool // return dL/dx
	params bool // accumulate the weight and bias gradients
}

var allGrads = convGrads{input: true, params: true}

// flippedWeights returns W (cout × cin × KH × KW) as the weights of the
// stride-1 convolution that maps dy back to dx: wf[ci][co][ky][kx] =
// W[co][ci][KH−1−ky][KW−1−kx], in pooled storage (putBuf it).
func flippedWeights(w []float32, cout, cin, kh, kw int) *[]float32 {
	bp := getBuf(cin * cout * kh * kw)
	wf := *bp
	kk := kh * kw
	for co := 0; co < cout; co++ {
		for ci := 0; ci < cin; ci++ {
			src := w[(co*cin+ci)*kk : (co*cin+ci+1)*kk]
			dst := wf[(ci*cout+co)*kk : (ci*cout+co+1)*kk]
			for i, v := range src {
				dst[kk-1-i] = v
			}
		}
	}
	return bp
}

// backward is Backward restricted to the gradients in want; without
// want.input it returns nil.
func (l *Conv2d) backward(x, dy *Tensor, want convGrads) *Tensor {
	l.check(x)
	n, cin, h, w := x.N(), x.C(), x.H(), x.W()
	oh, ow := l.OutSize(h, w)
	g := l.Geom
	cout, kk, p := l.OutC, g.KH*g.KW, oh*ow
	k := cin * kk
	if len(dy.Data) != n*cout*p {
		panic(errShape("Conv2d", dy, n, cout, oh, ow))
	}
	kern := activeKernel
	if want.params {
		dw := l.Weight.EnsureGrad().Data
		for i := 0; i < n; i++ {
			xi := x.Data[i*cin*h*w : (i+1)*cin*h*w]
			dyi := dy.Data[i*cout*p : (i+1)*cout*p]
			if rowsPay(cout, g) {
				conv2dRowsWeightGrad(kern, xi, cin, h, w, dyi, cout, g, dw)
				continue
			}
			pa := packA(kern, false, cout, p, 1, dyi, p, nil)
			gemmPacked(kern, cout, k, p, pa, &im2colTB{x: xi, c: cin, h: h, w: w, g: g, ow: ow}, false, dw, k)
			pa.release()
		}
		if l.Bias != nil {
			addBiasGrad(l.Bias.EnsureGrad().Data, dy.Data, n, cout, p)
		}
	}
	if !want.input {
		return nil
	}
	wt := l.Weight.Value.Data
	if g.StrideH == 1 && g.StrideW == 1 && g.PadH < g.KH && g.PadW < g.KW {
		// dx is the full correlation of dy with the flipped kernels.
		full := ConvGeom{KH: g.KH, KW: g.KW, StrideH: 1, StrideW: 1, PadH: g.KH - 1 - g.PadH, PadW: g.KW - 1 - g.PadW}
		dx := newScratchTensor(false, x.Shape...) // every value is written
		if rowsPay(cin, full) {
			wf := flippedWeights(wt, cout, cin, g.KH, g.KW)
			for i := 0; i < n; i++ {
				conv2dRows(kern, dy.Data[i*cout*p:(i+1)*cout*p], cout, oh, ow, *wf, cin, full, nil, dx.Data[i*cin*h*w:(i+1)*cin*h*w])
			}
			putBuf(wf)
			return dx
		}
		pa, done := l.gradCache.packed(kern, wt, func(dst *packedA) *packedA {
			wf := flippedWeights(wt, cout, cin, g.KH, g.KW)
			defer putBuf(wf)
			return packA(kern, false, cin, cout*kk, 1, *wf, cout*kk, dst)
		})
		defer done()
		for i := 0; i < n; i++ {
			dyi := dy.Data[i*cout*p : (i+1)*cout*p]
			dxi := dx.Data[i*cin*h*w : (i+1)*cin*h*w]
			src, release := newIm2colB(dyi, cout, oh, ow, full)
			gemmPacked(kern, cin, h*w, cout*kk, pa, src, true, dxi, h*w)
			release()
		}
		return dx
	}
	// Strided: dcol = Wᵀ·dy a band of output rows at a time, then col2im.
	dx := newScratchTensor(true, x.Shape...)
	band := min(oh, bandRows(k, ow))
	colp := getBuf(k * band * ow)
	col := *colp
	pa, done := l.gradCache.packed(kern, wt, func(dst *packedA) *packedA {
		return packA(kern, true, k, cout, 1, wt, k, dst) // Wᵀ
	})
	defer done()
	for i := 0; i < n; i++ {
		dxi := dx.Data[i*cin*h*w : (i+1)*cin*h*w]
		dyi := dy.Data[i*cout*p : (i+1)*cout*p]
		for oy0 := 0; oy0 < oh; oy0 += band {
			oy1 := min(oh, oy0+band)
			cols := (oy1 - oy0) * ow
			c := col[:k*cols]
			gemmPacked(kern, k, cols, cout, pa, &matrixB{b: dyi[oy0*ow:], ldb: p}, true, c, cols)
			col2imRows(c, cin, h, w, g, oy0, oy1, dxi)
		}
	}
	putBuf(colp)
	return dx
}

// backward is Backward restricted to the gradients in want; without
// want.input it returns nil.
func (l *ConvTranspose2d) backward(x, dy *Tensor, want convGrads) *Tensor {
	l.check(x)
	n, cin, h, w := x.N(), x.C(), x.H(), x.W()
	oh, ow := l.OutSize(h, w)
	g := l.Geom
	cout, k := l.OutC, l.OutC*g.KH*g.KW
	if len(dy.Data) != n*cout*oh*ow {
		panic(errShape("ConvTranspose2d", dy, n, cout, oh, ow))
	}
	kern := activeKernel
	wt := l.Weight.Value.Data
	if want.params {
		dw := l.Weight.EnsureGrad().Data
		for i := 0; i < n; i++ {
			xi := x.Data[i*cin*h*w : (i+1)*cin*h*w]
			dyi := dy.Data[i*cout*oh*ow : (i+1)*cout*oh*ow]
			pa := packA(kern, false, cin, h*w, 1, xi, h*w, nil)
			gemmPacked(kern, cin, k, h*w, pa, &im2colTB{x: dyi, c: cout, h: oh, w: ow, g: g, ow: w}, false, dw, k)
			pa.release()
		}
		if l.Bias != nil {
			addBiasGrad(l.Bias.EnsureGrad().Data, dy.Data, n, cout, oh*ow)
		}
	}
	if !want.input {
		return nil
	}
	dx := newScratchTensor(false, x.Shape...) // every value is written
	pa, done := l.gradCache.packed(kern, wt, func(dst *packedA) *packedA {
		return packA(kern, false, cin, k, 1, wt, k, dst)
	})
	defer done()
	for i := 0; i < n; i++ {
		dxi := dx.Data[i*cin*h*w : (i+1)*cin*h*w]
		dyi := dy.Data[i*cout*oh*ow : (i+1)*cout*oh*ow]
		if g.StrideH > 1 || g.StrideW > 1 {
			// the forward pass of a strided convolution of dy: unrolled
			// bands, as in Conv2d's forward (13–18% faster on the
			// generator's two layers than packing panels from dy)
			stridedConvBands(kern, dyi, cout, oh, ow, g, pa, nil, dxi)
			continue
		}
		gemmPacked(kern, cin, h*w, k, pa, &im2colB{x: dyi, c: cout, h: oh, w: ow, g: g, ow: w}, true, dxi, h*w)
	}
	return dx
}

func errShape(layer string, dy *Tensor, n, c, h, w int) string {
	return fmt.Sprintf("nn: %s.Backward: dy has shape %v, want [%d %d %d %d]", layer, dy.Shape, n, c, h, w)
}

// gradCache keeps the packed weights of a layer's input-gradient product
// with a copy of the weights they were packed from. The backward passes of
// one training step (a generator runs three per step) share weights, so
// later ones reuse the packing after comparing the weights byte for byte,
// which costs a small part of packing them; any change repacks. While the
// layer is pinned (pin) the weights are known not to change: the packing is
// reused without the comparison (and made without the copy).
type gradCache struct {
	mu     sync.Mutex // held while the packing is in use
	snap   []float32  // the weights the packing was made from (empty when pinned)
	pack   *packedA   // own storage, reused
	kern   *gemmKernel
	filled bool
	pinned bool
}

// pin declares the weights unchanged until pin(false) (on) or possibly
// changed (off); either way the packing is made afresh at the next use.
func (c *gradCache) pin(on bool) {
	c.mu.Lock()
	c.pinned, c.filled = on, false
	c.mu.Unlock()
}

// packed returns the packing of w, built by pack (into dst's storage) unless
// the cached one was made from equal weights, and the function to call
// once the product is done.
func (c *gradCache) packed(kern *gemmKernel, w []float32, pack func(dst *packedA) *packedA) (*packedA, func()) {
	c.mu.Lock()
	if c.pinned && c.filled && c.kern == kern {
		return c.pack, c.mu.Unlock
	}
	if !c.filled || c.kern != kern || !sameFloats(c.snap, w) {
		if c.pack == nil {
			c.pack = &packedA{}
		}
		c.pack = pack(c.pack)
		if c.pinned {
			c.snap = c.snap[:0]
		} else {
			c.snap = append(c.snap[:0], w...)
		}
		c.kern, c.filled = kern, true
	}
	return c.pack, c.mu.Unlock
}

// sameFloats reports whether a and b hold the same bits.
func sameFloats(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 {
		return true
	}
	ab := unsafe.Slice((*byte)(unsafe.Pointer(&a[0])), 4*len(a))
	bb := unsafe.Slice((*byte)(unsafe.Pointer(&b[0])), 4*len(b))
	return bytes.Equal(ab, bb)
}
