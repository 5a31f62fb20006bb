package train

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// Step runs the two directions side by side when it has two cores; every
// gradient receives its terms in the same order either way, so the losses
// and the weights after a few iterations are identical bit for bit.
func TestStepSameOnOneAndTwoCores(t *testing.T) {
	run := func(procs int) (*Model, []Losses) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		o := Defaults()
		o.NGF, o.NDF, o.NetG, o.PoolSize = 4, 4, "resnet_6blocks", 2
		m, err := NewModel(&o, rand.New(rand.NewPCG(5, 6)))
		if err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(7, 8))
		var ls []Losses
		for range 4 {
			l, _, err := m.Step(randomImage(r, 32), randomImage(r, 32), o.LR, r)
			if err != nil {
				t.Fatal(err)
			}
			ls = append(ls, l)
		}
		return m, ls
	}
	m1, l1 := run(1)
	m2, l2 := run(2)
	for i := range l1 {
		for j, v := range l1[i].Values() {
			if w := l2[i].Values()[j]; math.Float64bits(v) != math.Float64bits(w) {
				t.Fatalf("iteration %d: loss %s is %v on one core, %v on two", i, l1[i].Names()[j], v, w)
			}
		}
	}
	for n, ps := range m1.nets() {
		for k, p := range ps {
			q := m2.nets()[n][k].Param.Value.Data
			for i, v := range p.Param.Value.Data {
				if math.Float32bits(v) != math.Float32bits(q[i]) {
					t.Fatalf("%s %s[%d]: %v on one core, %v on two", NetNames[n], p.Key, i, v, q[i])
				}
			}
		}
	}
}
