package nn

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
)

// Whole-generator benchmarks: the inference forward pass (frozen weights,
// packed once) of the three configurations of docs/PERF.md, with 1 thread and,
// natively, GOMAXPROCS threads. Each reports ms/op and GFLOP/s =
// 2·GeneratorMACs / time (and GFLOP/cpu-s where the OS reports CPU time).
//
//	go test -run '^$' -bench GeneratorForward -benchtime 3x ./nn
//	GOOS=js GOARCH=wasm go test -exec=$(go env GOROOT)/lib/wasm/go_js_wasm_exec \
//	    -run '^$' -bench GeneratorForward -benchtime 2x ./nn
//
// make bench runs them (scripts/bench.sh).

var benchGenerators = []struct {
	name string
	cfg  GeneratorConfig
	size int
}{
	{"ngf64-b9-256", GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 64, NBlocks: 9}, 256},
	{"ngf32-b9-256", GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 32, NBlocks: 9}, 256},
	{"ngf16-b6-256", GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 16, NBlocks: 6}, 256},
}

// benchWithThreads runs f with GOMAXPROCS and the kernels' thread count set to th.
// timeForward times g.Forward(x) after one untimed pass (which packs the
// weights), reporting ms/op and GFLOP/s for flops a pass.
func timeForward(b *testing.B, g *Generator, x *Tensor, flops float64) {
	if _, err := g.Forward(x); err != nil {
		b.Fatal(err)
	}
	cpu0 := processCPUSeconds()
	for b.Loop() {
		if _, err := g.Forward(x); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N), "ms/op")
	reportGFLOPs(b, flops, cpu0)
}

func benchWithThreads(th int, f func()) {
	oldP := runtime.GOMAXPROCS(th)
	oldT := parallelThreads
	parallelThreads = th
	defer func() { runtime.GOMAXPROCS(oldP); parallelThreads = oldT }()
	f()
}

func BenchmarkGeneratorForward(b *testing.B) {
	for _, bg := range benchGenerators {
		g := NewResnetGenerator(bg.cfg)
		InitNormal(g.Params(), 0.02, rand.New(rand.NewPCG(1, 2)))
		for _, p := range g.Params() { // non-zero biases, as trained weights have
			if len(p.Param.Value.Shape) == 1 {
				for i := range p.Param.Value.Data {
					p.Param.Value.Data[i] = 0.01 * float32(i%7)
				}
			}
		}
		g.Freeze()
		x := gcRand(rand.New(rand.NewPCG(3, 4)), 1, 1, 3, bg.size, bg.size)
		flops := 2 * float64(GeneratorMACs(bg.cfg, bg.size, bg.size))
		for _, th := range benchThreads() {
			b.Run(fmt.Sprintf("%s/threads=%d", bg.name, th), func(b *testing.B) {
				benchWithThreads(th, func() { timeForward(b, g, x, flops) })
			})
		}
	}
}

// TestGeneratorMACs checks GeneratorMACs against a count over the layers of
// a built generator (shapes propagated layer by layer) and the published
// figure for the official size.
func TestGeneratorMACs(t *testing.T) {
	if got := GeneratorMACs(GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 64, NBlocks: 9}, 256, 256); got != 49_551_507_456 {
		t.Errorf("GeneratorMACs(ngf 64, 9 blocks, 256²) = %d, want 49551507456 (bench/pytorch_peer.py conv_macs)", got)
	}
	for _, c := range []struct {
		cfg  GeneratorConfig
		h, w int
	}{
		{GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 64, NBlocks: 9}, 256, 256},
		{GeneratorConfig{InputNC: 1, OutputNC: 3, NGF: 8, NBlocks: 2, Dropout: true}, 72, 100},
		{GeneratorConfig{InputNC: 3, OutputNC: 2, NGF: 16, NBlocks: 0}, 16, 8},
	} {
		var count func(ls []Layer, ch, h, w int) (int64, int, int, int)
		count = func(ls []Layer, ch, h, w int) (int64, int, int, int) {
			var macs int64
			for _, l := range ls {
				switch l := l.(type) {
				case *ReflectionPad2d:
					h, w = h+2*l.Pad, w+2*l.Pad
				case *Conv2d:
					oh, ow := l.OutSize(h, w)
					macs += int64(oh*ow) * int64(l.OutC*l.InC*l.Geom.KH*l.Geom.KW)
					ch, h, w = l.OutC, oh, ow
				case *ConvTranspose2d:
					macs += int64(h*w) * int64(l.InC*l.OutC*l.Geom.KH*l.Geom.KW)
					ch = l.OutC
					h, w = l.OutSize(h, w)
				case *ResnetBlock:
					m, _, _, _ := count(l.ConvBlock, ch, h, w)
					macs += m
				}
			}
			return macs, ch, h, w
		}
		g := NewResnetGenerator(c.cfg)
		want, _, _, _ := count(g.Layers(), c.cfg.InputNC, c.h, c.w)
		if got := GeneratorMACs(c.cfg, c.h, c.w); got != want {
			t.Errorf("GeneratorMACs(%+v, %d, %d) = %d, layer count %d", c.cfg, c.h, c.w, got, want)
		}
	}
}
