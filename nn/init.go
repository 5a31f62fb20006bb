package nn

import (
	"math/rand/v2"
	"strings"
)

// InitNormal initialises parameters as the official init_weights("normal",
// gain) does for CycleGAN: every weight drawn from N(0, gain²) (gain 0.02),
// every bias set to 0.
func InitNormal(params []NamedParam, gain float64, rng *rand.Rand) {
	for _, p := range params {
		d := p.Param.Value.Data
		if strings.HasSuffix(p.Key, ".bias") {
			clear(d)
			continue
		}
		for i := range d {
			d[i] = float32(rng.NormFloat64() * gain)
		}
	}
}
