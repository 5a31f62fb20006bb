package data

import "math"

// Resize scales m to w x h with PIL's BICUBIC filter, reproducing
// Pillow's Resample.c bit for bit: a separable cubic convolution (a = -0.5)
// whose support widens with the reduction factor (so downscaling is
// antialiased), coefficients in 22-bit fixed point, the horizontal pass
// first, each pass rounded and clipped to 8 bits. This is what
// torchvision's Resize(..., BICUBIC) does to the PIL images of the
// official code.
func Resize(m *RGB, w, h int) *RGB {
	if w == m.W && h == m.H {
		return &RGB{W: w, H: h, Pix: append([]uint8(nil), m.Pix...)}
	}
	bx, kx, nx := precomputeCoeffs(m.W, w)
	by, ky, ny := precomputeCoeffs(m.H, h)
	src := m
	if w != m.W {
		// Only rows the vertical pass will read.
		first := by[0]
		last := by[2*(h-1)] + by[2*(h-1)+1]
		tmp := NewRGB(w, last-first)
		resampleH(tmp, m, first, nx, bx, kx)
		for i := 0; i < h; i++ {
			by[2*i] -= first
		}
		src = tmp
	}
	if h == m.H {
		return src
	}
	out := NewRGB(w, h)
	resampleV(out, src, ny, by, ky)
	return out
}

const precisionBits = 32 - 8 - 2

func bicubicFilter(x float64) float64 {
	const a = -0.5
	if x < 0 {
		x = -x
	}
	if x < 1 {
		return ((a+2)*x-(a+3))*x*x + 1
	}
	if x < 2 {
		return (((x-5)*x+8)*x - 4) * a
	}
	return 0
}

// precomputeCoeffs returns, for each output index, the first input index
// and the count (bounds, 2 per output), the fixed-point weights (ksize per
// output) and ksize.
func precomputeCoeffs(inSize, outSize int) (bounds []int, kk []int32, ksize int) {
	scale := float64(inSize) / float64(outSize)
	filterscale := scale
	if filterscale < 1 {
		filterscale = 1
	}
	support := 2.0 * filterscale
	ksize = int(math.Ceil(support))*2 + 1
	bounds = make([]int, 2*outSize)
	kk = make([]int32, outSize*ksize)
	pre := make([]float64, ksize)
	for xx := 0; xx < outSize; xx++ {
		center := (float64(xx) + 0.5) * scale
		ss := 1.0 / filterscale
		xmin := int(center - support + 0.5) // C truncation toward zero
		if xmin < 0 {
			xmin = 0
		}
		xmax := int(center + support + 0.5)
		if xmax > inSize {
			xmax = inSize
		}
		xmax -= xmin
		ww := 0.0
		for x := 0; x < xmax; x++ {
			wt := bicubicFilter((float64(x+xmin) - center + 0.5) * ss)
			pre[x] = wt
			ww += wt
		}
		for x := 0; x < ksize; x++ {
			v := 0.0
			if x < xmax && ww != 0 {
				v = pre[x] / ww
			}
			if v < 0 {
				kk[xx*ksize+x] = int32(-0.5 + v*(1<<precisionBits))
			} else {
				kk[xx*ksize+x] = int32(0.5 + v*(1<<precisionBits))
			}
		}
		bounds[2*xx] = xmin
		bounds[2*xx+1] = xmax
	}
	return bounds, kk, ksize
}

func clip8(ss int32) uint8 {
	v := ss >> precisionBits
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}

func resampleH(out, in *RGB, offset, ksize int, bounds []int, kk []int32) {
	for y := 0; y < out.H; y++ {
		row := in.Pix[3*in.W*(y+offset):]
		o := out.Pix[3*out.W*y:]
		for xx := 0; xx < out.W; xx++ {
			xmin, xmax := bounds[2*xx], bounds[2*xx+1]
			k := kk[xx*ksize:]
			s0, s1, s2 := int32(1<<(precisionBits-1)), int32(1<<(precisionBits-1)), int32(1<<(precisionBits-1))
			for x := 0; x < xmax; x++ {
				p := row[3*(x+xmin):]
				s0 += int32(p[0]) * k[x]
				s1 += int32(p[1]) * k[x]
				s2 += int32(p[2]) * k[x]
			}
			o[3*xx], o[3*xx+1], o[3*xx+2] = clip8(s0), clip8(s1), clip8(s2)
		}
	}
}

func resampleV(out, in *RGB, ksize int, bounds []int, kk []int32) {
	stride := 3 * in.W
	for yy := 0; yy < out.H; yy++ {
		k := kk[yy*ksize:]
		ymin, ymax := bounds[2*yy], bounds[2*yy+1]
		o := out.Pix[3*out.W*yy:]
		for xx := 0; xx < 3*out.W; xx++ {
			ss := int32(1 << (precisionBits - 1))
			for y := 0; y < ymax; y++ {
				ss += int32(in.Pix[(y+ymin)*stride+xx]) * k[y]
			}
			o[xx] = clip8(ss)
		}
	}
}
