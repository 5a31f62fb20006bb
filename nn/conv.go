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
	gradCache gradCache // packed flipped weights for dx (conv_backward.go)
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

// pin tells the kernels whether the weights stay unchanged until the next
// pin (PinWeights).
func (l *Conv2d) pin(on bool) {
	l.cache.pin(on)
	l.gradCache.pin(on)
}

// Forward computes y = weight ⊛ x + bias through the GEMM kernels.
func (l *Conv2d) Forward(x *Tensor) *Tensor {
	l.check(x)
	var b []float32
	if l.Bias != nil {
		b = l.Bias.Value.Data
	}
	return conv2dForward(x, l.Weight.Value, b, l.Geom, &l.cache)
}

// Backward accumulates dW += dy · im2col(x)ᵀ and db += Σ dy and returns
// dx = col2im(Wᵀ · dy), computed for stride 1 as the full correlation of dy
// with the flipped kernels (conv_backward.go).
func (l *Conv2d) Backward(x, y, dy *Tensor) *Tensor { return l.backward(x, dy, allGrads) }
