package weights

import (
	"fmt"
	"strconv"
)

// Arch is the architecture of one generator, as stored in the metadata.
// Only the official ResnetGenerator with InstanceNorm (affine=false) and
// reflection padding exists today; the fields name it so that a later
// architecture is a new Kind and not a silent misreading.
type Arch struct {
	Kind     string `json:"kind"`      // "resnet_generator"
	InputNC  int    `json:"input_nc"`  // input channels
	OutputNC int    `json:"output_nc"` // output channels
	NGF      int    `json:"ngf"`       // filters of the first layer
	NBlocks  int    `json:"n_blocks"`  // residual blocks
	Dropout  bool   `json:"dropout"`   // blocks hold a Dropout layer (shifts state_dict indices)
	Norm     string `json:"norm"`      // "instance"
	Padding  string `json:"padding"`   // "reflect"
}

// ResnetKind, InstanceNorm and ReflectPadding are the only supported values.
const (
	ResnetKind     = "resnet_generator"
	InstanceNorm   = "instance"
	ReflectPadding = "reflect"
)

// Bounds of the architecture fields; a file outside them is refused.
const (
	MaxChannels = 4
	MaxNGF      = 256
	MaxBlocks   = 32
)

// NewArch returns the architecture of an official resnet generator.
func NewArch(inputNC, outputNC, ngf, nBlocks int, dropout bool) Arch {
	return Arch{Kind: ResnetKind, InputNC: inputNC, OutputNC: outputNC, NGF: ngf, NBlocks: nBlocks,
		Dropout: dropout, Norm: InstanceNorm, Padding: ReflectPadding}
}

// Validate reports whether the architecture is supported and within bounds.
func (a Arch) Validate() error {
	switch {
	case a.Kind != ResnetKind:
		return fmt.Errorf("%w: architecture kind %q is not supported (want %q)", ErrMetadata, a.Kind, ResnetKind)
	case a.Norm != InstanceNorm:
		return fmt.Errorf("%w: norm %q is not supported (want %q)", ErrMetadata, a.Norm, InstanceNorm)
	case a.Padding != ReflectPadding:
		return fmt.Errorf("%w: padding %q is not supported (want %q)", ErrMetadata, a.Padding, ReflectPadding)
	case a.InputNC < 1 || a.InputNC > MaxChannels || a.OutputNC < 1 || a.OutputNC > MaxChannels:
		return fmt.Errorf("%w: channels %d -> %d out of range 1..%d", ErrMetadata, a.InputNC, a.OutputNC, MaxChannels)
	case a.NGF < 1 || a.NGF > MaxNGF:
		return fmt.Errorf("%w: ngf %d out of range 1..%d", ErrMetadata, a.NGF, MaxNGF)
	case a.NBlocks < 0 || a.NBlocks > MaxBlocks:
		return fmt.Errorf("%w: n_blocks %d out of range 0..%d", ErrMetadata, a.NBlocks, MaxBlocks)
	}
	return nil
}

// TensorSpec is one parameter the architecture needs: its state_dict key,
// its shape, and the axis of its output channels (the int8 scale axis).
type TensorSpec struct {
	Name  string
	Shape []int
	Axis  int
	Block bool // a convolution of a residual block
}

// Len is the number of elements.
func (s TensorSpec) Len() int {
	n := 1
	for _, d := range s.Shape {
		n *= d
	}
	return n
}

// Tensors lists the parameters of the official ResnetGenerator in
// state_dict order (models/networks.py: ReflectionPad, Conv7, norm, ReLU,
// two stride-2 convs, the residual blocks, two transposed convs,
// ReflectionPad, Conv7, Tanh; every conv has a bias).
func (a Arch) Tensors() []TensorSpec {
	var specs []TensorSpec
	conv := func(key string, out, in, k int) {
		specs = append(specs,
			TensorSpec{Name: key + ".weight", Shape: []int{out, in, k, k}, Axis: 0},
			TensorSpec{Name: key + ".bias", Shape: []int{out}, Axis: 0})
	}
	convT := func(key string, in, out, k int) {
		specs = append(specs,
			TensorSpec{Name: key + ".weight", Shape: []int{in, out, k, k}, Axis: 1},
			TensorSpec{Name: key + ".bias", Shape: []int{out}, Axis: 0})
	}
	m := func(i int) string { return "model." + strconv.Itoa(i) }
	ngf := a.NGF
	conv(m(1), ngf, a.InputNC, 7)
	conv(m(4), 2*ngf, ngf, 3)
	conv(m(7), 4*ngf, 2*ngf, 3)
	second := 5
	if a.Dropout {
		second = 6
	}
	for b := 0; b < a.NBlocks; b++ {
		n := len(specs)
		conv(m(10+b)+".conv_block.1", 4*ngf, 4*ngf, 3)
		conv(m(10+b)+".conv_block."+strconv.Itoa(second), 4*ngf, 4*ngf, 3)
		for i := n; i < len(specs); i++ {
			specs[i].Block = true
		}
	}
	up := 10 + a.NBlocks
	convT(m(up), 4*ngf, 2*ngf, 3)
	convT(m(up+3), 2*ngf, ngf, 3)
	conv(m(up+7), a.OutputNC, ngf, 7)
	return specs
}

// Params is the number of parameters (elements) of the architecture.
func (a Arch) Params() int {
	n := 0
	for _, s := range a.Tensors() {
		n += s.Len()
	}
	return n
}
