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
	for i, v := range x.Data {
		if !(v > 0) {
			x.Data[i] = 0
		}
	}
}

// Backward passes dy where y > 0.
func (*ReLU) Backward(x, y, dy *Tensor) *Tensor {
	checkSame("ReLU", y, dy)
	dx := NewTensor(dy.Shape...)
	for i, v := range y.Data {
		if v > 0 {
			dx.Data[i] = dy.Data[i]
		}
	}
	return dx
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
	for i, v := range x.Data {
		if !(v > 0) {
			x.Data[i] = v * l.Slope
		}
	}
}

// Backward passes dy where x > 0 and Slope·dy elsewhere.
func (l *LeakyReLU) Backward(x, y, dy *Tensor) *Tensor {
	checkSame("LeakyReLU", x, dy)
	dx := NewTensor(dy.Shape...)
	for i, v := range x.Data {
		if v > 0 {
			dx.Data[i] = dy.Data[i]
		} else {
			dx.Data[i] = l.Slope * dy.Data[i]
		}
	}
	return dx
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
	for i, v := range x.Data {
		x.Data[i] = float32(math.Tanh(float64(v)))
	}
}

// Backward: dx = dy · (1 − y²).
func (*Tanh) Backward(x, y, dy *Tensor) *Tensor {
	checkSame("Tanh", y, dy)
	dx := NewTensor(dy.Shape...)
	for i, v := range y.Data {
		dx.Data[i] = dy.Data[i] * (1 - v*v)
	}
	return dx
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
