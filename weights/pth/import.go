package pth

import (
	"fmt"
	"path/filepath"

	"github.com/cyclegan-go/cyclegan/weights"
)

// Input is one generator checkpoint to import and the key it gets in the
// weight file ("G_A", "G_B").
type Input struct {
	Key  string
	Path string
}

// Options are the metadata of an import.
type Options struct {
	Name     string // file name in the metadata, e.g. "horse2zebra"
	From, To string // domains: G_A translates From -> To, G_B To -> From
	Storage  string // "f32", "f16", "int8"; "" means weights.DefaultStorage
	License  string
	Notes    string
}

// Import reads one or two official generator checkpoints and returns the
// weight file that holds them. With a single input whose key is "G_B",
// From and To still describe that generator's own direction.
func Import(opts Options, inputs ...Input) (*weights.File, error) {
	if len(inputs) < 1 || len(inputs) > 2 {
		return nil, fmt.Errorf("import: want one or two checkpoints, have %d", len(inputs))
	}
	storage := opts.Storage
	if storage == "" {
		storage = weights.DefaultStorage.String()
	}
	f := &weights.File{Meta: weights.Meta{
		Name:    opts.Name,
		Storage: storage,
		Provenance: weights.Provenance{
			Source:  "imported",
			Trainer: "junyanz/pytorch-CycleGAN-and-pix2pix (imported by cyclegan-go)",
			Date:    weights.Now(),
			License: opts.License,
			Notes:   opts.Notes,
		},
	}}
	for i, in := range inputs {
		ck, err := Load(in.Path)
		if err != nil {
			return nil, err
		}
		arch, tensors, err := Generator(ck)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", in.Path, err)
		}
		from, to := opts.From, opts.To
		if len(inputs) == 2 && i == 1 {
			from, to = to, from
		}
		f.Meta.Generators = append(f.Meta.Generators, weights.GeneratorMeta{Key: in.Key, From: from, To: to, Arch: arch})
		f.Weights = append(f.Weights, tensors)
		f.Meta.Provenance.Imported = append(f.Meta.Provenance.Imported, filepath.Base(in.Path))
	}
	return f, nil
}
