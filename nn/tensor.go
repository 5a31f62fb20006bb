// Package nn is the numerical core of the project: float32 NCHW tensors, the
// layers of CycleGAN (each with a forward and a backward function), the ResNet
// generator and the PatchGAN discriminator, and the matrix kernels under them.
package nn

import "fmt"

// Tensor is a dense, contiguous float32 array. Activations are NCHW
// (batch, channels, height, width); parameters use PyTorch's layouts
// (Conv2d weight: Cout, Cin, kH, kW; ConvTranspose2d weight: Cin, Cout, kH, kW;
// bias: C).
type Tensor struct {
	Shape []int
	Data  []float32
}

// NewTensor returns a zero-filled tensor of the given shape.
func NewTensor(shape ...int) *Tensor {
	n := 1
	for _, d := range shape {
		if d < 0 {
			panic(fmt.Sprintf("nn: negative dimension in shape %v", shape))
		}
		n *= d
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: make([]float32, n)}
}

// FromData wraps data (not copied) in a tensor of the given shape.
func FromData(data []float32, shape ...int) *Tensor {
	n := 1
	for _, d := range shape {
		n *= d
	}
	if n != len(data) {
		panic(fmt.Sprintf("nn: shape %v needs %d values, have %d", shape, n, len(data)))
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: data}
}

// Len is the number of elements.
func (t *Tensor) Len() int { return len(t.Data) }

// N, C, H and W read the dimensions of a 4-D NCHW tensor.
func (t *Tensor) N() int { return t.Shape[0] }
func (t *Tensor) C() int { return t.Shape[1] }
func (t *Tensor) H() int { return t.Shape[2] }
func (t *Tensor) W() int { return t.Shape[3] }

// Clone returns a deep copy.
func (t *Tensor) Clone() *Tensor {
	return &Tensor{Shape: append([]int(nil), t.Shape...), Data: append([]float32(nil), t.Data...)}
}

// Zero sets every element to 0.
func (t *Tensor) Zero() { clear(t.Data) }

// SameShape reports whether t and u have identical shapes.
func (t *Tensor) SameShape(u *Tensor) bool {
	if len(t.Shape) != len(u.Shape) {
		return false
	}
	for i := range t.Shape {
		if t.Shape[i] != u.Shape[i] {
			return false
		}
	}
	return true
}

func (t *Tensor) String() string { return fmt.Sprintf("Tensor%v", t.Shape) }
