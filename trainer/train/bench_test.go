package train

import (
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"
)

// BenchmarkIteration is one full training iteration (forward, G step, D
// step, both Adam updates) at ngf 32, 6 blocks, 128x128, ndf 64,
// n_layers_D 3, batch 1: the configuration of docs/PERF.md.
func BenchmarkIteration(b *testing.B) {
	o := Defaults()
	o.NGF, o.NDF, o.NetG = 32, 64, "resnet_6blocks"
	m, err := NewModel(&o, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	a, bb := randomImage(r, 128), randomImage(r, 128)
	b.ResetTimer()
	cpu0 := processCPUSeconds()
	for i := 0; i < b.N; i++ {
		if _, _, err := m.Step(a, bb, o.LR, r); err != nil {
			b.Fatal(err)
		}
	}
	if cpu0 > 0 {
		b.ReportMetric((processCPUSeconds()-cpu0)/float64(b.N), "cpu-s/op")
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/op")
}

// The Adam update over 1M parameters: the fused loop used by Adam.Update
// against the same update written with gorgonia.org/tensor operations
// (in place, no allocation per op), to decide whether the library serves
// the optimizer (see docs/trainer-readme-section.md).
const adamN = 1 << 20

func adamData() (p, g, m, v []float32) {
	r := rand.New(rand.NewPCG(1, 1))
	p, g, m, v = make([]float32, adamN), make([]float32, adamN), make([]float32, adamN), make([]float32, adamN)
	for i := range p {
		p[i], g[i] = float32(r.NormFloat64()), float32(r.NormFloat64())
	}
	return
}

func BenchmarkAdamFused(b *testing.B) {
	p, g, m, v := adamData()
	b.SetBytes(adamN * 4)
	for i := 0; i < b.N; i++ {
		adamKernel(p, g, m, v, 0.5, 0.5, 0.999, 0.001, 0.5, 1e-8, 2e-4)
	}
}

func BenchmarkAdamGorgoniaTensor(b *testing.B) {
	p, g, m, v := adamData()
	P := tensor.New(tensor.WithBacking(p))
	G := tensor.New(tensor.WithBacking(g))
	M := tensor.New(tensor.WithBacking(m))
	V := tensor.New(tensor.WithBacking(v))
	tmp := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(adamN))
	den := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(adamN))
	b.SetBytes(adamN * 4)
	for i := 0; i < b.N; i++ {
		// m = 0.5 m + 0.5 g
		must(tensor.Mul(M, float32(0.5), tensor.UseUnsafe()))
		must(tensor.Mul(G, float32(0.5), tensor.WithReuse(tmp)))
		must(tensor.Add(M, tmp, tensor.UseUnsafe()))
		// v = 0.999 v + 0.001 g*g
		must(tensor.Mul(V, float32(0.999), tensor.UseUnsafe()))
		must(tensor.Mul(G, G, tensor.WithReuse(tmp)))
		must(tensor.Mul(tmp, float32(0.001), tensor.UseUnsafe()))
		must(tensor.Add(V, tmp, tensor.UseUnsafe()))
		// p -= step * m / (sqrt(v)/bc2 + eps)
		must(tensor.Sqrt(V, tensor.WithReuse(den)))
		must(tensor.Div(den, float32(0.5), tensor.UseUnsafe()))
		must(tensor.Add(den, float32(1e-8), tensor.UseUnsafe()))
		must(tensor.Div(M, den, tensor.WithReuse(tmp)))
		must(tensor.Mul(tmp, float32(2e-4), tensor.UseUnsafe()))
		must(tensor.Sub(P, tmp, tensor.UseUnsafe()))
	}
}

func must(_ tensor.Tensor, err error) {
	if err != nil {
		panic(err)
	}
}
