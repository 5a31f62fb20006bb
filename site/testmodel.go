package site

import (
	"math/rand/v2"

	"github.com/cyclegan-go/cyclegan/nn"
	"github.com/cyclegan-go/cyclegan/weights"
)

// TinyModel returns a randomly initialised weight file (nn.InitNormal, the
// official N(0, 0.02) init) for tests and benchmarks: a generator per key
// ("G_A", "G_B") of the given width and depth, translating summer ↔ winter.
// Its biases are then drawn too (N(0, 0.1)), so that tests exercise the
// bias path.
func TinyModel(name string, ngf, blocks int, seed uint64, keys ...string) *weights.File {
	rng := rand.New(rand.NewPCG(seed, 1))
	f := &weights.File{Meta: weights.Meta{Name: name, Storage: weights.DefaultStorage.String(),
		Provenance: weights.Provenance{Source: "trained", Notes: "random initialisation for tests"}}}
	for _, k := range keys {
		from, to := "summer", "winter"
		if k == "G_B" {
			from, to = to, from
		}
		g := nn.NewResnetGenerator(nn.GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: ngf, NBlocks: blocks})
		nn.InitNormal(g.Params(), 0.02, rng)
		for _, p := range g.Params() {
			if len(p.Param.Value.Shape) == 1 { // a bias
				for i := range p.Param.Value.Data {
					p.Param.Value.Data[i] = float32(rng.NormFloat64() * 0.1)
				}
			}
		}
		f.AddGenerator(k, from, to, g)
	}
	return f
}
