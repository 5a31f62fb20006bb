package classify

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Lab conversion: known values and a round trip.
func TestLab(t *testing.T) {
	for _, c := range []struct {
		rgb [3]float32
		lab [3]float64
	}{
		{[3]float32{1, 1, 1}, [3]float64{100, 0, 0}},
		{[3]float32{0, 0, 0}, [3]float64{0, 0, 0}},
		{[3]float32{1, 0, 0}, [3]float64{53.24, 80.09, 67.20}},
		{[3]float32{0, 0, 1}, [3]float64{32.30, 79.19, -107.86}},
	} {
		l := rgbToLab(c.rgb[0], c.rgb[1], c.rgb[2])
		for k := range 3 {
			if math.Abs(l[k]-c.lab[k]) > 0.05 {
				t.Errorf("Lab of %v = %.2f, want %.2f", c.rgb, l, c.lab)
				break
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for range 1000 {
		r, g, b := rng.Float32(), rng.Float32(), rng.Float32()
		R, G, B := labToRGB(rgbToLab(r, g, b))
		if d := max(abs32(R-r), abs32(G-g), abs32(B-b)); d > 1e-4 {
			t.Fatalf("round trip of %v: %v", [3]float32{r, g, b}, [3]float32{R, G, B})
		}
	}
}

func abs32(v float32) float32 { return float32(math.Abs(float64(v))) }

// The transfer gives the photo the target's Lab statistics (where the
// gamut allows: targets well inside it here).
func TestTransferColour(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 1))
	pix := make([]float32, 3*400)
	for i := range pix {
		pix[i] = 0.3 + 0.4*rng.Float32()
	}
	to := ColourStats{Mean: [3]float64{45, 12, 20}, Std: [3]float64{8, 3, 4}}
	mean, std := labStats(TransferColour(pix, to))
	for k := range 3 {
		if math.Abs(mean[k]-to.Mean[k]) > 0.3 || math.Abs(std[k]-to.Std[k]) > 0.3 {
			t.Errorf("channel %d: mean %.2f std %.2f, want %.2f %.2f", k, mean[k], std[k], to.Mean[k], to.Std[k])
		}
	}
}
