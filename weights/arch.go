package weights

import (
	"fmt"

	"github.com/cyclegan-go/cyclegan/nn"
)

// Arch is the architecture of one generator, as stored in the metadata: the
// nn package's GeneratorConfig (the one description of the architecture)
// plus the names that pin it down. Only the official ResnetGenerator with
// InstanceNorm (affine=false) and reflection padding exists today; the names
// are stored so that a later architecture is a new Kind and not a silent
// misreading.
type Arch struct {
	Kind               string `json:"kind"` // "resnet_generator"
	nn.GeneratorConfig        // channels in and out, ngf, blocks, dropout
	Norm               string `json:"norm"`    // "instance"
	Padding            string `json:"padding"` // "reflect"
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
	return ArchOf(nn.GeneratorConfig{InputNC: inputNC, OutputNC: outputNC, NGF: ngf, NBlocks: nBlocks, Dropout: dropout})
}

// ArchOf returns the stored architecture of an nn generator configuration.
func ArchOf(cfg nn.GeneratorConfig) Arch {
	return Arch{Kind: ResnetKind, GeneratorConfig: cfg, Norm: InstanceNorm, Padding: ReflectPadding}
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
// state_dict order, from the architecture's one walk (nn's
// GeneratorConfig.Convs): every convolution's weight, then its bias.
func (a Arch) Tensors() []TensorSpec {
	var specs []TensorSpec
	for _, c := range a.Convs() {
		axis := 0 // int8 scales per output channel: axis 1 of a transposed convolution's weight
		if c.Transposed {
			axis = 1
		}
		specs = append(specs,
			TensorSpec{Name: c.Key + ".weight", Shape: c.WeightShape(), Axis: axis, Block: c.InBlock},
			TensorSpec{Name: c.Key + ".bias", Shape: []int{c.Out}, Axis: 0, Block: c.InBlock})
	}
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
