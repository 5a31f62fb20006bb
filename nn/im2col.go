package nn

// ConvGeom describes one 2-D convolution window: kernel size, stride and zero
// padding, applied to an H×W plane.
type ConvGeom struct {
	KH, KW           int
	StrideH, StrideW int
	PadH, PadW       int
}

// OutSize is the output plane size of a convolution over an h×w input.
func (g ConvGeom) OutSize(h, w int) (oh, ow int) {
	return (h+2*g.PadH-g.KH)/g.StrideH + 1, (w+2*g.PadW-g.KW)/g.StrideW + 1
}

// im2col unrolls one image x (c×h×w) into col, a (c·KH·KW)×(oh·ow) matrix, so
// that a convolution becomes weight(cout × c·KH·KW) · col.
func im2col(x []float32, c, h, w int, g ConvGeom, col []float32) {
	oh, ow := g.OutSize(h, w)
	idx := 0
	for ci := 0; ci < c; ci++ {
		plane := x[ci*h*w : (ci+1)*h*w]
		for ky := 0; ky < g.KH; ky++ {
			for kx := 0; kx < g.KW; kx++ {
				for oy := 0; oy < oh; oy++ {
					iy := oy*g.StrideH - g.PadH + ky
					dst := col[idx : idx+ow]
					idx += ow
					if iy < 0 || iy >= h {
						clear(dst)
						continue
					}
					src := plane[iy*w : (iy+1)*w]
					for ox := range dst {
						ix := ox*g.StrideW - g.PadW + kx
						if ix < 0 || ix >= w {
							dst[ox] = 0
						} else {
							dst[ox] = src[ix]
						}
					}
				}
			}
		}
	}
}

// im2colRows is im2col restricted to the output rows [oy0, oy1): it writes
// the column chunk (c·KH·KW) × ((oy1−oy0)·ow) into col. The valid run of each
// window column is worked out once per kernel tap, not per value, so the
// inner loop is a plain (strided) copy.
func im2colRows(x []float32, c, h, w int, g ConvGeom, oy0, oy1 int, col []float32) {
	_, ow := g.OutSize(h, w)
	n := (oy1 - oy0) * ow
	khw := g.KH * g.KW
	// each channel fills its own KH·KW rows of col: spread them over the cores
	parallelElems(c, 0.5*float64(khw*n), func(c0, c1 int) {
		im2colRowsChannels(x, c0, c1, h, w, g, oy0, oy1, col[c0*khw*n:c1*khw*n])
	})
}

// im2colRowsChannels is im2colRows for the channels [c0, c1) only, into
// their rows of the column chunk (col starts at channel c0's first row).
func im2colRowsChannels(x []float32, c0, c1, h, w int, g ConvGeom, oy0, oy1 int, col []float32) {
	_, ow := g.OutSize(h, w)
	sw := g.StrideW
	n := (oy1 - oy0) * ow
	idx := 0
	for ci := c0; ci < c1; ci++ {
		plane := x[ci*h*w : (ci+1)*h*w]
		for ky := 0; ky < g.KH; ky++ {
			for kx := 0; kx < g.KW; kx++ {
				ix0 := kx - g.PadW // input column of output column 0
				t0 := 0            // first output column inside the image
				if ix0 < 0 {
					t0 = min(ow, (-ix0+sw-1)/sw)
				}
				t1 := max(t0, min(ow, (w-ix0+sw-1)/sw)) // one past the last
				rows := col[idx : idx+n]
				idx += n
				for oy := oy0; oy < oy1; oy++ {
					dst := rows[(oy-oy0)*ow : (oy-oy0+1)*ow]
					iy := oy*g.StrideH - g.PadH + ky
					if iy < 0 || iy >= h || t0 == t1 {
						clear(dst)
						continue
					}
					clearShort(dst[:t0])
					clearShort(dst[t1:])
					switch sw {
					case 1:
						copyRow(dst[t0:t1], plane[iy*w+ix0+t0:])
					case 2:
						gatherStride2(dst[t0:t1], plane[iy*w+ix0+t0*sw:])
					default:
						gatherStrided(dst[t0:t1], plane[iy*w+ix0+t0*sw:], sw)
					}
				}
			}
		}
	}
}

// col2im is the adjoint of im2col: it adds every entry of col back into the
// image position it was read from. x (c×h×w) is accumulated into, not cleared.
func col2im(col []float32, c, h, w int, g ConvGeom, x []float32) {
	oh, ow := g.OutSize(h, w)
	idx := 0
	for ci := 0; ci < c; ci++ {
		plane := x[ci*h*w : (ci+1)*h*w]
		for ky := 0; ky < g.KH; ky++ {
			for kx := 0; kx < g.KW; kx++ {
				for oy := 0; oy < oh; oy++ {
					iy := oy*g.StrideH - g.PadH + ky
					src := col[idx : idx+ow]
					idx += ow
					if iy < 0 || iy >= h {
						continue
					}
					dst := plane[iy*w : (iy+1)*w]
					for ox, v := range src {
						ix := ox*g.StrideW - g.PadW + kx
						if ix >= 0 && ix < w {
							dst[ix] += v
						}
					}
				}
			}
		}
	}
}

// colBudget is the most floats one unrolled column chunk may hold (16 MB).
// Layers that unroll big images do it a band of output rows at a time, so the
// scratch stays small however large the image is. (A variable so that tests
// can force many bands.)
var colBudget = 1 << 22

// bandRows is how many output rows of width ow fit in one column chunk with k
// rows (k = channels·KH·KW), at least 1.
func bandRows(k, ow int) int {
	r := colBudget / max(1, k*ow)
	return max(1, r)
}

// col2imRows is col2im restricted to the output rows [oy0, oy1): it adds a
// column chunk ((c·KH·KW) × ((oy1-oy0)·ow)) back into x (c×h×w), which is
// accumulated into.
func col2imRows(col []float32, c, h, w int, g ConvGeom, oy0, oy1 int, x []float32) {
	_, ow := g.OutSize(h, w)
	idx := 0
	for ci := 0; ci < c; ci++ {
		plane := x[ci*h*w : (ci+1)*h*w]
		for ky := 0; ky < g.KH; ky++ {
			for kx := 0; kx < g.KW; kx++ {
				for oy := oy0; oy < oy1; oy++ {
					iy := oy*g.StrideH - g.PadH + ky
					src := col[idx : idx+ow]
					idx += ow
					if iy < 0 || iy >= h {
						continue
					}
					dst := plane[iy*w : (iy+1)*w]
					for ox, v := range src {
						ix := ox*g.StrideW - g.PadW + kx
						if ix >= 0 && ix < w {
							dst[ix] += v
						}
					}
				}
			}
		}
	}
}
