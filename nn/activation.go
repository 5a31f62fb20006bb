package nn

import (
	"fmt"
	"math"
)

// ReLU is max(x, 0). Its gradient at 0 is 0, as in PyTorch.
type ReLU struct{}

// NewReLU returns a ReLU.
func NewReLU() *ReLU { return &ReLU{} }

// Params is empty.
func (*ReLU) Params() []*Param { return nil }

// Forward returns max(x, 0) in a new tensor.
func (l *ReLU) Forward(x *Tensor) *Tensor { y := x.Clone(); l.forwardInPlace(y); return y }

func (*ReLU) forwardInPlace(x *Tensor) {
	parallelElems(len(x.Data), 0.2, func(i0, i1 int) { reluRow(x.Data[i0:i1]) })
}

// Backward passes dy where y > 0.
func (l *ReLU) Backward(x, y, dy *Tensor) *Tensor {
	dx := newScratchTensor(false, dy.Shape...)
	copy(dx.Data, dy.Data)
	l.backwardInPlace(x, y, dx)
	return dx
}

// backwardInPlace turns dy into dx.
func (*ReLU) backwardInPlace(x, y, dy *Tensor) {
	checkSame("ReLU", y, dy)
	parallelElems(len(dy.Data), 0.5, func(lo, hi int) { reluGradRow(dy.Data[lo:hi], y.Data[lo:hi]) })
}

// LeakyReLU is x for x > 0 and Slope·x otherwise.
type LeakyReLU struct {
	Slope float32
}

// NewLeakyReLU returns a LeakyReLU with the given negative slope (0.2 in CycleGAN).
func NewLeakyReLU(slope float32) *LeakyReLU { return &LeakyReLU{Slope: slope} }

// Params is empty.
func (*LeakyReLU) Params() []*Param { return nil }

// Forward returns the activation in a new tensor.
func (l *LeakyReLU) Forward(x *Tensor) *Tensor { y := x.Clone(); l.forwardInPlace(y); return y }

func (l *LeakyReLU) forwardInPlace(x *Tensor) {
	parallelElems(len(x.Data), 1, func(i0, i1 int) { leakyRow(x.Data[i0:i1], l.Slope) })
}

// Backward passes dy where x > 0 and Slope·dy elsewhere.
func (l *LeakyReLU) Backward(x, y, dy *Tensor) *Tensor {
	dx := newScratchTensor(false, dy.Shape...)
	copy(dx.Data, dy.Data)
	l.backwardInPlace(x, y, dx)
	return dx
}

// backwardInPlace turns dy into dx.
func (l *LeakyReLU) backwardInPlace(x, y, dy *Tensor) {
	checkSame("LeakyReLU", x, dy)
	one, slope := math.Float32bits(1), math.Float32bits(l.Slope)
	parallelElems(len(dy.Data), 0.5, func(lo, hi int) {
		g := dy.Data[lo:hi]
		for i, v := range x.Data[lo:hi] {
			var m uint32 // selects Slope or 1 without a branch (see ReLU)
			if !(v > 0) {
				m = 0xFFFFFFFF
			}
			g[i] *= math.Float32frombits(one ^ (one^slope)&m)
		}
	})
}

// Tanh is the hyperbolic tangent, the generator's last layer.
type Tanh struct{}

// NewTanh returns a Tanh.
func NewTanh() *Tanh { return &Tanh{} }

// Params is empty.
func (*Tanh) Params() []*Param { return nil }

// Forward returns tanh(x) in a new tensor.
func (l *Tanh) Forward(x *Tensor) *Tensor { y := x.Clone(); l.forwardInPlace(y); return y }

func (*Tanh) forwardInPlace(x *Tensor) {
	parallelElems(len(x.Data), 10, func(i0, i1 int) {
		d := x.Data[i0:i1]
		for i, v := range d {
			d[i] = tanh32(v)
		}
	})
}

// tanh32 is tanh in float32 arithmetic: a rational approximation of
// degrees 13 and 6 (the one Eigen uses, which PyTorch and ONNX Runtime
// builds also ship), within 4e-7 of math.Tanh everywhere (tested) and about
// ten times faster than math.Tanh in float64, which dominated the last
// layer in wasm. Beyond ±7.905 the result rounds to ±1; NaN stays NaN.
func tanh32(x float32) float32 {
	const clamp = 7.90531110763549805
	if x > clamp {
		x = clamp
	} else if x < -clamp {
		x = -clamp
	}
	if x > -0.0004 && x < 0.0004 {
		return x // tanh x = x − x³/3 + …: x is exact to float32 here
	}
	x2 := x * x
	p := float32(-2.76076847742355e-16)
	p = p*x2 + 2.00018790482477e-13
	p = p*x2 - 8.60467152213735e-11
	p = p*x2 + 5.12229709037114e-08
	p = p*x2 + 1.48572235717979e-05
	p = p*x2 + 6.37261928875436e-04
	p = p*x2 + 4.89352455891786e-03
	q := float32(1.19825839466702e-06)
	q = q*x2 + 1.18534705686654e-04
	q = q*x2 + 2.26843463243900e-03
	q = q*x2 + 4.89352518554385e-03
	return x * p / q
}

// Backward: dx = dy · (1 − y²).
func (l *Tanh) Backward(x, y, dy *Tensor) *Tensor {
	dx := newScratchTensor(false, dy.Shape...)
	copy(dx.Data, dy.Data)
	l.backwardInPlace(x, y, dx)
	return dx
}

// backwardInPlace turns dy into dx.
func (*Tanh) backwardInPlace(x, y, dy *Tensor) {
	checkSame("Tanh", y, dy)
	parallelElems(len(dy.Data), 0.5, func(lo, hi int) {
		g := dy.Data[lo:hi]
		for i, v := range y.Data[lo:hi] {
			g[i] *= 1 - v*v
		}
	})
}

// Dropout stands for torch.nn.Dropout(P) in generators trained with
// use_dropout: it is the identity (inference behaviour) and exists so that
// the state_dict indices of the layers after it line up. Training with
// dropout is not supported: it is the identity in training as well.
type Dropout struct {
	P float32
}

// NewDropout returns an identity layer standing for Dropout(p).
func NewDropout(p float32) *Dropout { return &Dropout{P: p} }

// Params is empty.
func (*Dropout) Params() []*Param { return nil }

// Forward returns x itself.
func (*Dropout) Forward(x *Tensor) *Tensor { return x }

func (*Dropout) forwardInPlace(*Tensor) {}

// Backward returns dy itself.
func (*Dropout) Backward(x, y, dy *Tensor) *Tensor { return dy }

func checkSame(layer string, a, dy *Tensor) {
	if len(a.Data) != len(dy.Data) {
		panic(fmt.Sprintf("nn: %s.Backward: dy has shape %v, want %v", layer, dy.Shape, a.Shape))
	}
}
