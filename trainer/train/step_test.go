package train

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cyclegan-go/cyclegan/nn"
)

// fixtureOptions are the fixture's configuration as training options.
func fixtureOptions(f *stepFixture) Options {
	o := Defaults()
	o.NGF, o.NDF, o.NetG, o.NetD, o.NLayersD = f.Config.NGF, f.Config.NDF, "resnet_"+strconv.Itoa(f.Config.NBlocks)+"blocks", "n_layers", f.Config.NLayersD
	o.LambdaA, o.LambdaB, o.LambdaIdentity = f.Config.LambdaA, f.Config.LambdaB, f.Config.LambdaI
	o.LR, o.Beta1, o.PoolSize = f.Config.LR, f.Config.Beta1, f.Config.PoolSize
	o.NEpochs, o.NEpochsDecay, o.EpochCount = f.Config.NEpochs, f.Config.NEpochsDecay, f.Config.EpochCount
	return o
}

func fixtureModel(t testing.TB, f *stepFixture) *Model {
	o := fixtureOptions(f)
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

// noiseBiases are the conv biases that feed an InstanceNorm: every bias
// but the last, and but the first of a discriminator (whose first conv has
// no norm). TestBiasesBeforeInstanceNormAreFree shows that these, and only
// these, leave the network's output unchanged.
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

// replay is a rand.Source that returns recorded 64-bit words, so that the
// image pools make PyTorch's random choices (the fixture saves Python's
// draws as the words math/rand/v2 turns into the same values).
type replay struct {
	t     testing.TB
	words []uint64
	used  int
}

func (r *replay) Uint64() uint64 {
	if r.used == len(r.words) {
		r.t.Fatalf("the image pools drew more than the %d random numbers PyTorch's drew", len(r.words))
	}
	r.used++
	return r.words[r.used-1]
}

// Three full iterations from the fixture's weights and images give
// PyTorch's losses (relative 1e-4) and weights. The image pools (size 1)
// take both branches, keep and swap, with PyTorch's random draws, and the
// learning rate decays (1, 0.75, 0.5 times lr) as the official LambdaLR.
func TestStepMatchesPyTorch(t *testing.T) {
	f := loadStepFixture(t)
	if len(f.LRs) != 3 || !slices.Contains(f.PoolSwaps, true) || !slices.Contains(f.PoolSwaps, false) {
		t.Fatalf("fixture: want 3 iterations whose pools both swap and keep, have learning rates %v and swaps %v", f.LRs, f.PoolSwaps)
	}
	o := fixtureOptions(f)
	m := fixtureModel(t, f)
	src := &replay{t: t, words: f.PoolDraws}
	rng := rand.New(src)
	var lrSum float64
	for it := range f.LRs {
		lr := o.LRAt(o.EpochCount + it) // one iteration per epoch
		if math.Abs(lr-f.LRs[it]) > 1e-12*f.LRs[it] {
			t.Errorf("iteration %d: learning rate %g, PyTorch's LambdaLR %g", it, lr, f.LRs[it])
		}
		lrSum += lr
		a, sa := f.array("iter" + strconv.Itoa(it) + "/real_A")
		b, sb := f.array("iter" + strconv.Itoa(it) + "/real_B")
		L, _, err := m.Step(nn.FromData(append([]float32(nil), a...), sa...), nn.FromData(append([]float32(nil), b...), sb...), lr, rng)
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
	if src.used != len(src.words) {
		t.Errorf("the image pools drew %d random numbers, PyTorch's %d", src.used, len(src.words))
	}
	for ni, name := range NetNames {
		ps := m.nets()[ni]
		free := noiseBiases(name, ps)
		want := f.net("final", name)
		init := f.net("init", name)
		var worst float64
		skipped := 0
		for _, p := range ps {
			if free[p.Key] {
				// Their gradient is 0 up to rounding, which Adam turns
				// into steps of about lr in either direction: Go's and
				// PyTorch's rounding differ, so their values are not
				// compared (TestBiasesBeforeInstanceNormAreFree).
				skipped++
				continue
			}
			w := want[p.Key]
			for j, v := range p.Param.Value.Data {
				d := math.Abs(float64(v - w[j]))
				worst = max(worst, d)
				// The updates moved the weight by about the sum of the
				// learning rates; it must be the same move.
				if d > 1e-6+1e-2*math.Abs(float64(w[j]-init[p.Key][j])) {
					t.Errorf("%s %s[%d]: %g vs PyTorch %g (moved %g from %g)", name, p.Key, j, v, w[j], w[j]-init[p.Key][j], init[p.Key][j])
				}
			}
		}
		t.Logf("%s: largest weight difference %.3g (learning rates sum to %.3g; %d biases before an InstanceNorm not compared)", name, worst, lrSum, skipped)
	}
}

// The biases noiseBiases lists are free: adding any constant to them
// leaves the network's output unchanged (the InstanceNorm after each
// subtracts its channel's mean), so their true gradient is 0 and comparing
// their trained values with PyTorch's would compare rounding noise. Every
// other bias does change the output.
func TestBiasesBeforeInstanceNormAreFree(t *testing.T) {
	f := loadStepFixture(t)
	m := fixtureModel(t, f)
	a, sa := f.array("iter0/real_A")
	x := nn.FromData(a, sa...)
	forward := []func() []float32{
		func() []float32 { y, tp := m.GA.ForwardTrain(x); tp.Release(); return y.Data },
		func() []float32 { y, tp := m.GB.ForwardTrain(x); tp.Release(); return y.Data },
		func() []float32 { y, tp := m.DA.ForwardTrain(x); tp.Release(); return y.Data },
		func() []float32 { y, tp := m.DB.ForwardTrain(x); tp.Release(); return y.Data },
	}
	for ni, name := range NetNames {
		ps := m.nets()[ni]
		free := noiseBiases(name, ps)
		base := slices.Clone(forward[ni]())
		nFree, nBound := 0, 0
		for _, p := range ps {
			if !strings.HasSuffix(p.Key, ".bias") {
				continue
			}
			b := p.Param.Value.Data
			keep := slices.Clone(b)
			for c := range b {
				b[c] += 0.1 * float32(c%3+1) // a different shift per channel
			}
			var moved float64
			for i, v := range forward[ni]() {
				moved = max(moved, math.Abs(float64(v-base[i])))
			}
			copy(b, keep)
			switch {
			case free[p.Key] && moved > 1e-4:
				t.Errorf("%s %s is treated as free, but shifting it moves the output by %.3g", name, p.Key, moved)
			case !free[p.Key] && moved < 1e-3:
				t.Errorf("%s %s is compared with PyTorch, but shifting it moves the output by only %.3g", name, p.Key, moved)
			}
			if free[p.Key] {
				nFree++
			} else {
				nBound++
			}
		}
		if nFree == 0 || nBound == 0 {
			t.Errorf("%s: %d free and %d other biases; want some of each", name, nFree, nBound)
		}
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
