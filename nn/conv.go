package nn

import "fmt"

// Conv2d is torch.nn.Conv2d with square kernel, stride and zero padding.
// Weight is (OutC, InC, K, K); Bias (OutC) or nil. New layers hold zeros:
// load weights or initialise them (InitNormal) before use.
type Conv2d struct {
	InC, OutC int
	Geom      ConvGeom
	Weight    *Param
	Bias      *Param // nil without bias
	cache     convCache
}

// NewConv2d returns a convolution of inC to outC channels with a k×k kernel.
func NewConv2d(inC, outC, k, stride, pad int, bias bool) *Conv2d {
	if inC < 1 || outC < 1 || k < 1 || stride < 1 || pad < 0 {
		panic(fmt.Sprintf("nn: NewConv2d(%d, %d, k %d, stride %d, pad %d): invalid", inC, outC, k, stride, pad))
	}
	l := &Conv2d{
		InC: inC, OutC: outC,
		Geom:   ConvGeom{KH: k, KW: k, StrideH: stride, StrideW: stride, PadH: pad, PadW: pad},
		Weight: &Param{Name: "weight", Value: NewTensor(outC, inC, k, k)},
	}
	if bias {
		l.Bias = &Param{Name: "bias", Value: NewTensor(outC)}
	}
	return l
}

// Params returns the weight, then the bias if there is one.
func (l *Conv2d) Params() []*Param {
	if l.Bias == nil {
		return []*Param{l.Weight}
	}
	return []*Param{l.Weight, l.Bias}
}

// OutSize is the output plane size for an h×w input.
func (l *Conv2d) OutSize(h, w int) (oh, ow int) { return l.Geom.OutSize(h, w) }

func (l *Conv2d) check(x *Tensor) {
	check4D("Conv2d", x, l.InC)
	if oh, ow := l.OutSize(x.H(), x.W()); oh < 1 || ow < 1 {
		panic(fmt.Sprintf("nn: Conv2d: input %dx%d is smaller than the %dx%d kernel", x.H(), x.W(), l.Geom.KH, l.Geom.KW))
	}
}

// freeze tells the kernels that the weights will not change any more, so
// they may keep them packed between calls. Training must not freeze.
func (l *Conv2d) freeze() { l.cache.frozen = true }

// Forward computes y = weight ⊛ x + bias through the GEMM kernels.
func (l *Conv2d) Forward(x *Tensor) *Tensor {
	l.check(x)
	var b []float32
	if l.Bias != nil {
		b = l.Bias.Value.Data
	}
	return conv2dForward(x, l.Weight.Value, b, l.Geom, &l.cache)
}

// Backward, per image and per band of output rows (so the unrolled input
// stays small):
//
//	dW   += dy · im2col(x)ᵀ
//	dcol  = Wᵀ · dy,  dx += col2im(dcol)
//	db   += Σ dy
func (l *Conv2d) Backward(x, y, dy *Tensor) *Tensor {
	l.check(x)
	n, cin, h, w := x.N(), x.C(), x.H(), x.W()
	oh, ow := l.OutSize(h, w)
	cout, k, p := l.OutC, cin*l.Geom.KH*l.Geom.KW, oh*ow
	if len(dy.Data) != n*cout*p {
		panic(fmt.Sprintf("nn: Conv2d.Backward: dy has shape %v, want [%d %d %d %d]", dy.Shape, n, cout, oh, ow))
	}
	dx := NewTensor(x.Shape...)
	dw := l.Weight.EnsureGrad().Data
	wt := l.Weight.Value.Data
	band := min(oh, bandRows(k, ow))
	col := make([]float32, k*band*ow)
	for i := 0; i < n; i++ {
		xi := x.Data[i*cin*h*w : (i+1)*cin*h*w]
		dxi := dx.Data[i*cin*h*w : (i+1)*cin*h*w]
		dyi := dy.Data[i*cout*p : (i+1)*cout*p]
		for oy0 := 0; oy0 < oh; oy0 += band {
			oy1 := min(oh, oy0+band)
			cols := (oy1 - oy0) * ow
			c := col[:k*cols]
			dyb := dyi[oy0*ow:] // cout × cols, leading dimension p
			im2colRows(xi, cin, h, w, l.Geom, oy0, oy1, c)
			Sgemm(false, true, cout, k, cols, 1, dyb, p, c, cols, 1, dw, k)
			Sgemm(true, false, k, cols, cout, 1, wt, k, dyb, p, 0, c, cols)
			col2imRows(c, cin, h, w, l.Geom, oy0, oy1, dxi)
		}
	}
	if l.Bias != nil {
		addBiasGrad(l.Bias.EnsureGrad().Data, dy.Data, n, cout, p)
	}
	return dx
}
