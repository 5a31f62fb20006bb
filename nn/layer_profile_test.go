package nn

import (
	"fmt"
	"math/rand/v2"

	"strings"
	"testing"
	"time"
)

// BenchmarkGeneratorLayers times each top-level layer of the inference pass
// (through the progress callback) and logs where the time goes: the profile
// that tells which layer to work on, in wasm as natively.
//
//	GOOS=js GOARCH=wasm go test -exec=$PWD/bin/chromewasm -run '^$' \
//	    -bench GeneratorLayers -benchtime 3x ./nn
func BenchmarkGeneratorLayers(b *testing.B) {
	for _, bg := range benchGenerators {
		b.Run(bg.name, func(b *testing.B) {
			g := NewResnetGenerator(bg.cfg)
			InitNormal(g.Params(), 0.02, rand.New(rand.NewPCG(1, 2)))
			g.Freeze()
			x := gcRand(rand.New(rand.NewPCG(3, 4)), 1, 1, 3, bg.size, bg.size)
			if _, err := g.Forward(x); err != nil { // packs the weights
				b.Fatal(err)
			}
			perLayer := make([]time.Duration, len(g.Layers()))
			var last time.Time
			step := func(done, _ int) error {
				now := time.Now()
				perLayer[done-1] += now.Sub(last)
				last = now
				return nil
			}
			for b.Loop() {
				last = time.Now()
				if _, err := g.ForwardSteps(x, step); err != nil {
					b.Fatal(err)
				}
			}
			var total time.Duration
			for _, d := range perLayer {
				total += d
			}
			var sb strings.Builder
			for i, d := range perLayer {
				name := strings.TrimPrefix(fmt.Sprintf("%T", g.Layers()[i]), "*nn.")
				fmt.Fprintf(&sb, "\n  model.%-2d %-18s %8.2f ms %5.1f%%", i, name,
					float64(d.Microseconds())/1e3/float64(b.N), 100*float64(d)/float64(total))
			}
			b.Logf("per layer, mean of %d passes:%s", b.N, sb.String())
		})
	}
}
