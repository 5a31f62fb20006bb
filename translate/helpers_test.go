package translate

import (
	"math/rand/v2"
	"testing"

	"github.com/cyclegan-go/cyclegan/nn"
	"github.com/cyclegan-go/cyclegan/weights"
)

// testFile is a weight file of small randomly initialised generators, one
// per key, translating summer ↔ winter.
func testFile(t *testing.T, cfg nn.GeneratorConfig, keys ...string) *weights.File {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 8))
	f := &weights.File{Meta: weights.Meta{Name: "test", Storage: "f32", Provenance: weights.Provenance{Source: "trained"}}}
	for _, k := range keys {
		g := nn.NewResnetGenerator(cfg)
		nn.InitNormal(g.Params(), 0.3, rng) // large weights: outputs far from a constant
		from, to := "Summer", "Winter"
		if k == "G_B" {
			from, to = to, from
		}
		f.AddGenerator(k, from, to, g)
	}
	return f
}

// testModel is New(testFile(...)).
func testModel(t *testing.T, cfg nn.GeneratorConfig, keys ...string) *Model {
	t.Helper()
	m, err := New(testFile(t, cfg, keys...))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// pattern is a w×h image of varied bytes, channels bytes a pixel.
func pattern(w, h, channels int) Pixels {
	p := Pixels{W: w, H: h, Channels: channels, Pix: make([]byte, channels*w*h)}
	for i := range p.Pix {
		p.Pix[i] = byte(i*37 + i/7)
	}
	return p
}

var rgb = nn.GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 4, NBlocks: 1}

// byteDiff counts the bytes of got that differ from want and the largest
// difference.
func byteDiff(got, want []byte) (diff, maxd int) {
	for i, v := range got {
		if d := int(v) - int(want[i]); d != 0 {
			diff++
			maxd = max(maxd, max(d, -d))
		}
	}
	return diff, maxd
}
