package train

import (
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/cyclegan-go/cyclegan/nn"
)

func fixtureModel(t testing.TB, f *stepFixture) *Model {
	o := Defaults()
	o.NGF, o.NDF, o.NetG, o.NetD, o.NLayersD = f.Config.NGF, f.Config.NDF, "resnet_"+strconv.Itoa(f.Config.NBlocks)+"blocks", "n_layers", f.Config.NLayersD
	o.LambdaA, o.LambdaB, o.LambdaIdentity = f.Config.LambdaA, f.Config.LambdaB, f.Config.LambdaI
	o.LR, o.Beta1, o.PoolSize = f.Config.LR, f.Config.Beta1, f.Config.PoolSize
	m, err := NewModel(&o, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range NetNames {
		if err := m.SetNet(n, f.net("init", n)); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// noiseBiases are the conv biases that feed an InstanceNorm: their true
// gradient is 0 and Adam turns rounding noise into steps of about lr.
func noiseBiases(name string, ps []nn.NamedParam) map[string]bool {
	var biases []string
	for _, p := range ps {
		if strings.HasSuffix(p.Key, ".bias") {
			biases = append(biases, p.Key)
		}
	}
	out := map[string]bool{}
	for i, k := range biases {
		last := i == len(biases)-1
		first := i == 0
		if last || (name[0] == 'D' && first) {
			continue
		}
		out[k] = true
	}
	return out
}

// Two full iterations from the fixture's weights and images give PyTorch's
// losses (relative 1e-4) and weights.
func TestStepMatchesPyTorch(t *testing.T) {
	f := loadStepFixture(t)
	m := fixtureModel(t, f)
	rng := rand.New(rand.NewPCG(9, 9))
	for it := 0; it < 2; it++ {
		a, sa := f.array("iter" + strconv.Itoa(it) + "/real_A")
		b, sb := f.array("iter" + strconv.Itoa(it) + "/real_B")
		L, _, err := m.Step(nn.FromData(append([]float32(nil), a...), sa...), nn.FromData(append([]float32(nil), b...), sb...), f.Config.LR, rng)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range L.Values() {
			want := f.Losses[it][i]
			if rel := math.Abs(v-want) / math.Abs(want); rel > 1e-4 {
				t.Errorf("iteration %d loss %s = %.7g, PyTorch %.7g (relative %.2g)", it, f.LossNames[i], v, want, rel)
			}
		}
	}
	lr := f.Config.LR
	for ni, name := range NetNames {
		ps := m.nets()[ni]
		noisy := noiseBiases(name, ps)
		want := f.net("final", name)
		init := f.net("init", name)
		var worst, worstNoise float64
		for _, p := range ps {
			w := want[p.Key]
			for j, v := range p.Param.Value.Data {
				d := math.Abs(float64(v - w[j]))
				if noisy[p.Key] {
					worstNoise = max(worstNoise, d)
					// Two Adam steps of about lr each (at most ~1.5 lr with
					// beta1 0.5), in any direction, on each side.
					if d > 6*lr {
						t.Errorf("%s %s[%d]: %g vs %g (noise bias, tolerance %g)", name, p.Key, j, v, w[j], 6*lr)
					}
					continue
				}
				worst = max(worst, d)
				// The update moved the weight by about 2*lr; it must be the same update.
				if d > 1e-6+1e-2*math.Abs(float64(w[j]-init[p.Key][j])) {
					t.Errorf("%s %s[%d]: %g vs PyTorch %g (moved %g from %g)", name, p.Key, j, v, w[j], w[j]-init[p.Key][j], init[p.Key][j])
				}
			}
		}
		t.Logf("%s: largest weight difference %.3g (biases before InstanceNorm: %.3g)", name, worst, worstNoise)
	}
}

// A NaN input makes the step stop with the name of a non-finite loss.
func TestStepStopsOnNaN(t *testing.T) {
	f := loadStepFixture(t)
	m := fixtureModel(t, f)
	a, sa := f.array("iter0/real_A")
	b, sb := f.array("iter0/real_B")
	x := append([]float32(nil), a...)
	x[5] = float32(math.NaN())
	before := append([]float32(nil), m.GA.Params()[0].Param.Value.Data...)
	_, _, err := m.Step(nn.FromData(x, sa...), nn.FromData(append([]float32(nil), b...), sb...), 2e-4, rand.New(rand.NewPCG(1, 2)))
	var nf *NonFiniteError
	if !errors.As(err, &nf) {
		t.Fatalf("want a NonFiniteError, got %v", err)
	}
	for i, v := range m.GA.Params()[0].Param.Value.Data {
		if v != before[i] {
			t.Fatal("generator weights changed although a loss was NaN")
		}
	}
	t.Log(err)
}
