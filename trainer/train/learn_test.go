package train

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cyclegan-go/cyclegan/nn"
)

// synthA draws an image of domain A: a smooth pattern in a reddish colour
// (R high, B low), NCHW in [-1, 1].
func synthA(r *rand.Rand, size int) []float32 {
	img := make([]float32, 3*size*size)
	base := [3]float64{0.5 + 0.4*r.Float64(), -0.3 + 0.5*r.Float64(), -0.9 + 0.4*r.Float64()}
	fx, fy, ph := 1+3*r.Float64(), 1+3*r.Float64(), 2*math.Pi*r.Float64()
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			v := 0.25 * math.Sin(fx*float64(x)/float64(size)*2*math.Pi+fy*float64(y)/float64(size)*2*math.Pi+ph)
			for c := 0; c < 3; c++ {
				img[c*size*size+y*size+x] = float32(math.Max(-1, math.Min(1, base[c]+v)))
			}
		}
	}
	return img
}

// swapRB is the known answer: domain B is domain A with red and blue swapped.
func swapRB(img []float32) []float32 {
	n := len(img) / 3
	out := append([]float32(nil), img...)
	copy(out[:n], img[2*n:])
	copy(out[2*n:], img[:n])
	return out
}

// On an unpaired task with a known answer (B = A with red and blue
// swapped, A and B images drawn independently), a small model learns the
// mapping: the mean error of G_A(a) against swap(a) falls to at most half
// that of the identity map.
func TestLearnsColourSwap(t *testing.T) {
	const size = 32
	o := Defaults()
	o.NGF, o.NDF, o.NetG, o.NetD, o.NLayersD = 8, 8, "resnet_2blocks", "n_layers", 2
	// The official lr 2e-4 and losses; a small network.
	m, err := NewModel(&o, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	pool := rand.New(rand.NewPCG(5, 6))
	var evalA [][]float32
	for i := 0; i < 16; i++ {
		evalA = append(evalA, synthA(r, size))
	}
	score := func() (model, identity float64) {
		for _, a := range evalA {
			want := swapRB(a)
			y, err := m.GA.Forward(nn.FromData(append([]float32(nil), a...), 1, 3, size, size))
			if err != nil {
				t.Fatal(err)
			}
			for i := range want {
				model += math.Abs(float64(y.Data[i] - want[i]))
				identity += math.Abs(float64(a[i] - want[i]))
			}
		}
		n := float64(len(evalA) * len(evalA[0]))
		return model / n, identity / n
	}
	const iters = 200
	for it := 1; it <= iters; it++ {
		a := synthA(r, size)
		b := swapRB(synthA(r, size)) // independent of a: unpaired
		if _, _, err := m.Step(nn.FromData(a, 1, 3, size, size), nn.FromData(b, 1, 3, size, size), o.LR, pool); err != nil {
			t.Fatal(err)
		}
		if it%50 == 0 {
			e, id := score()
			t.Logf("iteration %d: error of G_A %.4f, of the identity %.4f", it, e, id)
		}
	}
	e, id := score()
	if e > id/2 {
		t.Fatalf("after %d iterations G_A's error %.4f is more than half the identity's %.4f", iters, e, id)
	}
}
