package nn

import "fmt"

// ConvTranspose2d is torch.nn.ConvTranspose2d: the adjoint of a Conv2d with
// the same kernel, stride and padding, plus OutPad extra rows and columns at
// the bottom and right. Weight is (InC, OutC, K, K) as in PyTorch; Bias (OutC)
// or nil. The output of an h×w input is ((h-1)·stride − 2·pad + K + OutPad).
type ConvTranspose2d struct {
	InC, OutC int
	Geom      ConvGeom // the convolution this layer is the transpose of
	OutPad    int
	Weight    *Param
	Bias      *Param
	gradCache gradCache     // packed weights for dx (conv_backward.go)
	phases    []*convTPhase // the forward pass's sub-pixel phases, nil if none (conv_transpose_phases.go)
}

// NewConvTranspose2d returns a transposed convolution of inC to outC channels.
// outputPad must be smaller than stride, as in PyTorch.
func NewConvTranspose2d(inC, outC, k, stride, pad, outputPad int, bias bool) *ConvTranspose2d {
	if inC < 1 || outC < 1 || k < 1 || stride < 1 || pad < 0 || outputPad < 0 || outputPad >= stride {
		panic(fmt.Sprintf("nn: NewConvTranspose2d(%d, %d, k %d, stride %d, pad %d, output_padding %d): invalid",
			inC, outC, k, stride, pad, outputPad))
	}
	l := &ConvTranspose2d{
		InC: inC, OutC: outC, OutPad: outputPad,
		Geom:   ConvGeom{KH: k, KW: k, StrideH: stride, StrideW: stride, PadH: pad, PadW: pad},
		Weight: &Param{Name: "weight", Value: NewTensor(inC, outC, k, k)},
	}
	l.phases = convTPhases(l.Geom)
	if bias {
		l.Bias = &Param{Name: "bias", Value: NewTensor(outC)}
	}
	return l
}

// Params returns the weight, then the bias if there is one.
func (l *ConvTranspose2d) Params() []*Param {
	if l.Bias == nil {
		return []*Param{l.Weight}
	}
	return []*Param{l.Weight, l.Bias}
}

// OutSize is the output plane size for an h×w input.
func (l *ConvTranspose2d) OutSize(h, w int) (oh, ow int) {
	g := l.Geom
	return (h-1)*g.StrideH - 2*g.PadH + g.KH + l.OutPad, (w-1)*g.StrideW - 2*g.PadW + g.KW + l.OutPad
}

func (l *ConvTranspose2d) check(x *Tensor) {
	check4D("ConvTranspose2d", x, l.InC)
	if oh, ow := l.OutSize(x.H(), x.W()); oh < 1 || ow < 1 {
		panic(fmt.Sprintf("nn: ConvTranspose2d: input %dx%d gives an empty output", x.H(), x.W()))
	}
}

// freeze lets the phases keep their packed weights (inference only).
func (l *ConvTranspose2d) freeze() {
	for _, ph := range l.phases {
		ph.cache.frozen = true
	}
}

// pin tells the kernels whether the weights stay unchanged until the next
// pin (PinWeights).
func (l *ConvTranspose2d) pin(on bool) {
	for _, ph := range l.phases {
		ph.cache.pin(on)
	}
	l.gradCache.pin(on)
}

// Forward: by sub-pixel phases where the geometry allows
// (conv_transpose_phases.go), otherwise per image col = Wᵀ · x (OutC·K·K × h·w), then y = col2im(col) + b,
// a band of input rows at a time. The forward convolution Geom maps the
// output size back to h×w, so x's positions are that convolution's outputs.
func (l *ConvTranspose2d) Forward(x *Tensor) *Tensor {
	l.check(x)
	n, cin, h, w := x.N(), x.C(), x.H(), x.W()
	oh, ow := l.OutSize(h, w)
	cout, k := l.OutC, l.OutC*l.Geom.KH*l.Geom.KW
	if l.phases != nil {
		y := newScratchTensor(false, n, cout, oh, ow) // every value is written
		if l.forwardPhases(activeKernel, x, y) {
			return y
		}
		putScratch(y.Data)
	}
	y := newScratchTensor(true, n, cout, oh, ow) // col2im adds into it
	band := min(h, bandRows(k, w))
	col := getScratch(k*band*w, false)
	defer putScratch(col)
	for i := 0; i < n; i++ {
		xi := x.Data[i*cin*h*w : (i+1)*cin*h*w]
		yi := y.Data[i*cout*oh*ow : (i+1)*cout*oh*ow]
		for r0 := 0; r0 < h; r0 += band {
			r1 := min(h, r0+band)
			cols := (r1 - r0) * w
			c := col[:k*cols]
			Sgemm(true, false, k, cols, cin, 1, l.Weight.Value.Data, k, xi[r0*w:], h*w, 0, c, cols)
			col2imRowsParallel(c, cout, oh, ow, l.Geom, r0, r1, yi)
		}
	}
	if l.Bias != nil {
		addBias(y.Data, l.Bias.Value.Data, n, cout, oh*ow)
	}
	return y
}

// Backward is a convolution of dy (conv_backward.go):
//
//	dx = W · im2col(dy),  dW += x · im2col(dy)ᵀ,  db += Σ dy
func (l *ConvTranspose2d) Backward(x, y, dy *Tensor) *Tensor { return l.backward(x, dy, allGrads) }
