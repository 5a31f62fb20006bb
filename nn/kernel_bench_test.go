package nn

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// Kernel benchmarks: the two GEMM shapes that dominate the generator, and the
// same two as whole convolutions (B packed straight from the image), for every
// micro-kernel this CPU runs, on one goroutine and on GOMAXPROCS. Each reports
// GFLOP/s = 2·M·N·K / time.
//
//	go test -bench 'Gemm|ConvForward' -run '^$' -benchtime=3x -count=3 ./nn
//	go test -bench 'GeneratorForwardKernels/ngf64' -run '^$' -benchtime=3x -cpu 1 ./nn
//	GOOS=js GOARCH=wasm go test -exec=$(go env GOROOT)/lib/wasm/go_js_wasm_exec -bench . -run '^$' ./nn

var benchGemmShapes = []struct {
	name    string
	m, k, n int
}{
	{"res-M256-K2304-N4096", 256, 2304, 4096}, // 3×3 residual conv, ngf 64, 256² image
	{"c7-M64-K147-N65536", 64, 147, 65536},    // 7×7 first conv, ngf 64, 256² image
}

// benchThreads is 1 and, natively with more than one core, GOMAXPROCS.
func benchThreads() []int {
	if p := runtime.GOMAXPROCS(0); p > 1 && runtime.GOARCH != "wasm" {
		return []int{1, p}
	}
	return []int{1}
}

// reportGFLOPs reports the wall-clock rate and, where the OS tells, the rate
// per CPU-second since cpu0 (= per core actually used: robust to a busy machine).
func reportGFLOPs(b *testing.B, flops float64, cpu0 float64) {
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	if cpu := processCPUSeconds() - cpu0; cpu > 0 {
		b.ReportMetric(flops*float64(b.N)/cpu/1e9, "GFLOP/cpu-s")
	}
}

func BenchmarkGemm(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, s := range benchGemmShapes {
		a, bm, c := randSlice(r, s.m*s.k), randSlice(r, s.k*s.n), make([]float32, s.m*s.n)
		for _, kern := range gemmKernels {
			for _, th := range benchThreads() {
				b.Run(fmt.Sprintf("%s/%s/threads=%d", s.name, kern.name, th), func(b *testing.B) {
					old := parallelThreads
					parallelThreads = th
					defer func() { parallelThreads = old }()
					cpu0 := processCPUSeconds()
					for b.Loop() {
						sgemmWith(kern, false, false, s.m, s.n, s.k, 1, a, s.k, bm, s.n, 0, c, s.n)
					}
					reportGFLOPs(b, 2*float64(s.m)*float64(s.n)*float64(s.k), cpu0)
				})
			}
		}
	}
}

// BenchmarkConvForward runs the whole forward convolution (bias included) with
// frozen, pre-packed weights, as at inference.
func BenchmarkConvForward(b *testing.B) {
	r := rand.New(rand.NewPCG(2, 2))
	convs := []struct {
		name         string
		cin, h, cout int
		g            ConvGeom
	}{
		{"res-256ch-3x3-64x64", 256, 66, 256, ConvGeom{3, 3, 1, 1, 0, 0}},
		{"res-64ch-3x3-64x64", 64, 66, 64, ConvGeom{3, 3, 1, 1, 0, 0}}, // ngf 16, the shipped models
		{"c7-3ch-7x7-256x256", 3, 262, 64, ConvGeom{7, 7, 1, 1, 0, 0}},
		{"down-128ch-3x3s2-64x64", 128, 128, 256, ConvGeom{3, 3, 2, 2, 1, 1}},
	}
	for _, cv := range convs {
		x := FromData(randSlice(r, cv.cin*cv.h*cv.h), 1, cv.cin, cv.h, cv.h)
		w := FromData(randSlice(r, cv.cout*cv.cin*cv.g.KH*cv.g.KW), cv.cout, cv.cin, cv.g.KH, cv.g.KW)
		bias := randSlice(r, cv.cout)
		oh, ow := cv.g.OutSize(cv.h, cv.h)
		flops := 2 * float64(cv.cout) * float64(oh*ow) * float64(cv.cin*cv.g.KH*cv.g.KW)
		for _, kern := range gemmKernels {
			if !slices.Contains(gemmKernels[:1], kern) && testing.Short() {
				continue
			}
			for _, th := range benchThreads() {
				b.Run(fmt.Sprintf("%s/%s/threads=%d", cv.name, kern.name, th), func(b *testing.B) {
					old := parallelThreads
					parallelThreads = th
					defer func() { parallelThreads = old }()
					cache := &convCache{frozen: true}
					cpu0 := processCPUSeconds()
					for b.Loop() {
						conv2dForwardWith(kern, x, w, bias, cv.g, cache)
					}
					reportGFLOPs(b, flops, cpu0)
				})
			}
		}
	}
}

// BenchmarkTile runs each micro-kernel alone on L1-resident packed panels
// (depth 256), the ceiling the whole GEMM can reach.
func BenchmarkTile(b *testing.B) {
	const kc = 256
	r := rand.New(rand.NewPCG(5, 5))
	for _, kern := range gemmKernels {
		a := randSlice(r, kc*kern.mr*kern.aRep)
		bp := randSlice(r, kc*kern.nr)
		c := make([]float32, kern.mr*kern.nr)
		b.Run(kern.name, func(b *testing.B) {
			const calls = 1000
			cpu0 := processCPUSeconds()
			for b.Loop() {
				for range calls {
					kern.tile(kc, a, bp, c, kern.nr, true)
				}
			}
			reportGFLOPs(b, 2*float64(kc*kern.mr*kern.nr)*calls, cpu0)
		})
	}
}

// BenchmarkGeneratorForwardKernels is BenchmarkGeneratorForward (bench_test.go)
// on one thread for every kernel this CPU runs, one after the other in the
// same run, to compare a candidate kernel with the selected one on the real
// generator shapes (a kernel is verified in kernelTable only if it wins here).
func BenchmarkGeneratorForwardKernels(b *testing.B) {
	for _, bg := range benchGenerators {
		g := NewResnetGenerator(bg.cfg)
		InitNormal(g.Params(), 0.02, rand.New(rand.NewPCG(1, 2)))
		for _, p := range g.Params() { // non-zero biases, as in BenchmarkGeneratorForward
			if len(p.Param.Value.Shape) == 1 {
				for i := range p.Param.Value.Data {
					p.Param.Value.Data[i] = 0.01 * float32(i%7)
				}
			}
		}
		g.Freeze()
		x := gcRand(rand.New(rand.NewPCG(3, 4)), 1, 1, 3, bg.size, bg.size)
		flops := 2 * float64(GeneratorMACs(bg.cfg, bg.size, bg.size))
		for _, e := range kernelTable {
			kern := e.kernel
			if !e.runs() || e.usable == nil {
				continue // not here; or the portable kernel, 10–20× slower
			}
			b.Run(bg.name+"/"+kern.name, func(b *testing.B) {
				old := activeKernel
				activeKernel = kern
				defer func() { activeKernel = old }()
				benchWithThreads(1, func() { timeForward(b, g, x, flops) }) // the untimed pass packs the weights for kern
			})
		}
	}
}
