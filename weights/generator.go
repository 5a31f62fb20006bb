package weights

import (
	"fmt"
	"slices"

	"github.com/cyclegan-go/cyclegan/nn"
)

// Generator builds generator i of the file (see Meta.Generator to find it
// by key) and loads its weights.
func (f *File) Generator(i int) (*nn.Generator, error) {
	if i < 0 || i >= len(f.Meta.Generators) || i >= len(f.Weights) {
		return nil, fmt.Errorf("weights: no generator %d (the file has %d)", i, len(f.Meta.Generators))
	}
	gm := f.Meta.Generators[i]
	if err := gm.Arch.Validate(); err != nil {
		return nil, err
	}
	g := nn.NewResnetGenerator(gm.Arch.GeneratorConfig)
	params := g.Params()
	ts := f.Weights[i]
	if len(params) != len(ts) {
		return nil, fmt.Errorf("%w: generator %q has %d tensors, the network %d parameters", ErrShape, gm.Key, len(ts), len(params))
	}
	for j, p := range params {
		t := ts[j]
		if p.Key != t.Name || !slices.Equal(p.Param.Value.Shape, t.Shape) {
			return nil, fmt.Errorf("%w: generator %q tensor %s%v where the network has %s%v",
				ErrShape, gm.Key, t.Name, t.Shape, p.Key, p.Param.Value.Shape)
		}
		copy(p.Param.Value.Data, t.Data)
	}
	return g, nil
}

// AddGenerator appends a copy of g's parameters to the file under key,
// translating from -> to.
func (f *File) AddGenerator(key, from, to string, g *nn.Generator) {
	arch := ArchOf(g.Config())
	f.Meta.Generators = append(f.Meta.Generators, GeneratorMeta{Key: key, From: from, To: to, Arch: arch})
	var ts []Tensor
	for _, p := range g.Params() {
		v := p.Param.Value
		ts = append(ts, Tensor{Name: p.Key, Shape: append([]int(nil), v.Shape...), Data: append([]float32(nil), v.Data...)})
	}
	f.Weights = append(f.Weights, ts)
}
