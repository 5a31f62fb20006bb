package weights

import (
	"fmt"
	"slices"
)

// Tensor is one named parameter in PyTorch layout.
type Tensor struct {
	Name  string
	Shape []int
	Data  []float32
}

// File is the content of a weight file: metadata and, for each entry of
// Meta.Generators, that generator's parameters in state_dict order.
type File struct {
	Meta    Meta
	Weights [][]Tensor // Weights[i] belongs to Meta.Generators[i]

	// Size is the number of bytes the file occupied when it was read
	// (header, compressed body and checksum); 0 for a file built in memory.
	Size int64
}

// Params is the number of parameters over all generators.
func (f *File) Params() int {
	n := 0
	for _, ts := range f.Weights {
		for _, t := range ts {
			n += len(t.Data)
		}
	}
	return n
}

// Tensors is the number of tensors over all generators.
func (f *File) Tensors() int {
	n := 0
	for _, ts := range f.Weights {
		n += len(ts)
	}
	return n
}

// check verifies that the tensors match the architecture in the metadata.
func (f *File) check() error {
	if err := f.Meta.Validate(); err != nil {
		return err
	}
	if len(f.Weights) != len(f.Meta.Generators) {
		return fmt.Errorf("%w: %d tensor sets for %d generators", ErrShape, len(f.Weights), len(f.Meta.Generators))
	}
	for g, gm := range f.Meta.Generators {
		specs := gm.Arch.Tensors()
		ts := f.Weights[g]
		if len(ts) != len(specs) {
			return fmt.Errorf("%w: generator %q has %d tensors, architecture needs %d", ErrShape, gm.Key, len(ts), len(specs))
		}
		for i, s := range specs {
			t := ts[i]
			if t.Name != s.Name || !slices.Equal(t.Shape, s.Shape) || len(t.Data) != s.Len() {
				return fmt.Errorf("%w: generator %q tensor %d is %s%v (%d values), architecture needs %s%v",
					ErrShape, gm.Key, i, t.Name, t.Shape, len(t.Data), s.Name, s.Shape)
			}
			for j, v := range t.Data {
				if v != v || v > maxFloat32 || v < -maxFloat32 {
					return fmt.Errorf("%w: generator %q tensor %s element %d is %v", ErrNonFinite, gm.Key, t.Name, j, v)
				}
			}
		}
	}
	return nil
}

const maxFloat32 = 3.40282346638528859811704183484516925440e+38
