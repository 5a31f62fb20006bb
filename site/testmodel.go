package site

import (
	"math/rand/v2"

	"github.com/cyclegan-go/cyclegan/weights"
)

// TinyModel returns a randomly initialised weight file (N(0, 0.02)
// weights, as the official init) for tests and benchmarks: a generator
// per key ("G_A", "G_B") of the given width and depth.
func TinyModel(name string, ngf, blocks int, seed uint64, keys ...string) *weights.File {
	rng := rand.New(rand.NewPCG(seed, 1))
	arch := weights.NewArch(3, 3, ngf, blocks, false)
	f := &weights.File{Meta: weights.Meta{Name: name, Storage: weights.DefaultStorage.String(),
		Provenance: weights.Provenance{Source: "trained", Notes: "random initialisation for tests"}}}
	for _, k := range keys {
		from, to := "summer", "winter"
		if k == "G_B" {
			from, to = to, from
		}
		f.Meta.Generators = append(f.Meta.Generators, weights.GeneratorMeta{Key: k, From: from, To: to, Arch: arch})
		var ts []weights.Tensor
		for _, s := range arch.Tensors() {
			t := weights.Tensor{Name: s.Name, Shape: s.Shape, Data: make([]float32, s.Len())}
			for i := range t.Data {
				t.Data[i] = float32(rng.NormFloat64() * 0.02)
			}
			if len(s.Shape) == 1 { // small non-zero biases exercise the bias path
				for i := range t.Data {
					t.Data[i] *= 5
				}
			}
			ts = append(ts, t)
		}
		f.Weights = append(f.Weights, ts)
	}
	return f
}
