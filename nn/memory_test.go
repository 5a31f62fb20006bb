package nn

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

// BenchmarkGeneratorPeakMemory runs the official-size generator (ngf 64,
// 9 blocks, frozen, as the translate command and the page use it) and
// reports its memory: peak-heap-MB is the highest HeapInuse seen by a 1 ms
// sampler during the pass (live data plus garbage not yet collected);
// peak-rss-MB the process's VmHWM (Linux only, whole process since start:
// run one size alone to read it), e.g.
//
//	go test -run '^$' -bench 'GeneratorPeakMemory/1024' -benchtime 1x ./nn
func BenchmarkGeneratorPeakMemory(b *testing.B) {
	for _, size := range []int{256, 512, 1024} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			g := NewResnetGenerator(GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 64, NBlocks: 9})
			InitNormal(g.Params(), 0.02, rand.New(rand.NewPCG(1, 2)))
			g.Freeze()
			x := gcRand(rand.New(rand.NewPCG(3, 4)), 0.5, 1, 3, size, size)
			runtime.GC()
			var peak uint64
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				var ms runtime.MemStats
				for {
					runtime.ReadMemStats(&ms)
					peak = max(peak, ms.HeapInuse)
					select {
					case <-stop:
						return
					case <-time.After(time.Millisecond):
					}
				}
			}()
			b.ResetTimer()
			for b.Loop() {
				if _, err := g.Forward(x); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			close(stop)
			wg.Wait()
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			if rss := vmHWM(); rss > 0 {
				b.ReportMetric(float64(rss)/(1<<20), "peak-rss-MB")
			}
		})
	}
}

// vmHWM is the process's peak resident set size in bytes, or 0 where
// /proc/self/status does not exist.
func vmHWM() uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		if f := bytes.Fields(line); len(f) >= 2 && string(f[0]) == "VmHWM:" {
			kb, _ := strconv.ParseUint(string(f[1]), 10, 64)
			return kb << 10
		}
	}
	return 0
}
