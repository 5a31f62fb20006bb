package classify

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cyclegan-go/cyclegan/trainer/eval"
)

// With Transfer, a sample first takes the Lab statistics of one of the
// targets (here far darker or far brighter than the photo), as often as
// asked; without it, or without targets, it keeps its own lightness.
func TestSampleColourTransfer(t *testing.T) {
	photos, _ := synthSet(4, 1, 40, 36)
	photo := photos[0]
	own, _ := labStats(eval.FromRGB(photo).Pix)
	targets := []ColourStats{{Mean: [3]float64{20, 10, -20}, Std: [3]float64{5, 5, 5}}, {Mean: [3]float64{85, -10, 20}, Std: [3]float64{5, 5, 5}}}
	const size, n = 32, 200
	// Colour changes that keep the lightness: only the saturation moves.
	count := func(a Augment, targets []ColourStats) (dark, bright, kept int) {
		rng := rand.New(rand.NewPCG(7, 8))
		pix := make([]float32, 3*size*size)
		for range n {
			a.Sample(pix, photo, size, targets, rng)
			mean, _ := labStats(pix)
			switch {
			case math.Abs(mean[0]-20) < 6:
				dark++
			case math.Abs(mean[0]-85) < 6:
				bright++
			case math.Abs(mean[0]-own[0]) < 6:
				kept++
			}
		}
		return
	}
	if d, b, k := count(Augment{MinCrop: 1, Sat: 1, Transfer: 1}, targets); d+b != n || d < n/3 || b < n/3 || k != 0 {
		t.Errorf("transfer 1: %d dark, %d bright, %d kept of %d: want all moved to either target", d, b, k, n)
	}
	if d, b, k := count(Augment{MinCrop: 1, Sat: 1, Transfer: 0.5}, targets); d+b < n/3 || k < n/3 || d+b+k != n {
		t.Errorf("transfer 0.5: %d dark, %d bright, %d kept of %d: want about half moved", d, b, k, n)
	}
	for _, c := range []struct {
		a       Augment
		targets []ColourStats
	}{{Augment{MinCrop: 1, Sat: 1}, targets}, {Augment{MinCrop: 1, Sat: 1, Transfer: 1}, nil}} {
		if d, b, k := count(c.a, c.targets); k != n {
			t.Errorf("transfer %g, %d targets: %d dark, %d bright, %d kept of %d: want all kept", c.a.Transfer, len(c.targets), d, b, k, n)
		}
	}
}
