package nn

import "fmt"

// ReflectionPad2d is torch.nn.ReflectionPad2d: it pads each plane by Pad on
// every side with the mirror image of the plane, edge excluded
// (row -1 is row 1, row h is row h-2). Pad must be smaller than h and w.
type ReflectionPad2d struct {
	Pad int
}

// NewReflectionPad2d returns a padding of pad on every side.
func NewReflectionPad2d(pad int) *ReflectionPad2d {
	if pad < 0 {
		panic(fmt.Sprintf("nn: NewReflectionPad2d(%d): negative padding", pad))
	}
	return &ReflectionPad2d{Pad: pad}
}

// Params is empty.
func (l *ReflectionPad2d) Params() []*Param { return nil }

// reflect maps a padded coordinate i (in [-pad, n+pad)) to its source in [0, n).
func reflect(i, n int) int {
	if i < 0 {
		return -i
	}
	if i >= n {
		return 2*(n-1) - i
	}
	return i
}

func (l *ReflectionPad2d) check(x *Tensor) {
	check4D("ReflectionPad2d", x, -1)
	if l.Pad >= x.H() || l.Pad >= x.W() {
		panic(fmt.Sprintf("nn: ReflectionPad2d(%d): input %dx%d is too small (padding must be smaller than each side)",
			l.Pad, x.H(), x.W()))
	}
}

// Forward copies every plane into the middle of a larger one and mirrors the borders.
func (l *ReflectionPad2d) Forward(x *Tensor) *Tensor {
	l.check(x)
	n, c, h, w, p := x.N(), x.C(), x.H(), x.W(), l.Pad
	ph, pw := h+2*p, w+2*p
	y := newScratchTensor(false, n, c, ph, pw) // every value is written below
	parallelElems(n*c, 0.3*float64(ph*pw), func(i0, i1 int) {
		for i := i0; i < i1; i++ {
			src := x.Data[i*h*w : (i+1)*h*w]
			dst := y.Data[i*ph*pw : (i+1)*ph*pw]
			for oy := 0; oy < ph; oy++ {
				row := src[reflect(oy-p, h)*w:][:w]
				out := dst[oy*pw : (oy+1)*pw]
				copyRow(out[p:p+w], row) // no call of memmove per short row
				for ox := 0; ox < p; ox++ {
					out[ox] = row[p-ox]
					out[pw-1-ox] = row[w-1-p+ox]
				}
			}
		}
	})
	return y
}

// Backward adds each padded position's gradient to the input position it was copied from.
func (l *ReflectionPad2d) Backward(x, y, dy *Tensor) *Tensor {
	l.check(x)
	n, c, h, w, p := x.N(), x.C(), x.H(), x.W(), l.Pad
	ph, pw := h+2*p, w+2*p
	if len(dy.Data) != n*c*ph*pw {
		panic(fmt.Sprintf("nn: ReflectionPad2d.Backward: dy has shape %v, want [%d %d %d %d]", dy.Shape, n, c, ph, pw))
	}
	dx := newScratchTensor(false, x.Shape...)
	parallelElems(n*c, 0.5*float64(ph*pw), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			src := dy.Data[i*ph*pw : (i+1)*ph*pw]
			dst := dx.Data[i*h*w : (i+1)*h*w]
			for r := 0; r < h; r++ { // the middle first, then the mirrored borders
				copy(dst[r*w:(r+1)*w], src[(r+p)*pw+p:(r+p)*pw+p+w])
			}
			for oy := 0; oy < ph; oy++ {
				row := dst[reflect(oy-p, h)*w:][:w]
				in := src[oy*pw : (oy+1)*pw]
				for ox := 0; ox < p; ox++ {
					row[p-ox] += in[ox]
					row[w-1-p+ox] += in[pw-1-ox]
				}
				if oy < p || oy >= p+h {
					addInto(row, in[p:p+w])
				}
			}
		}
	})
	return dx
}
