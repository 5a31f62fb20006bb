package browsertest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cyclegan-go/cyclegan/site"
	"github.com/cyclegan-go/cyclegan/weights"
)

// BenchmarkBrowserTranslate measures window.cyclegan.translate in headless
// Chromium (one worker), steady state after a warm-up run, for the peer
// comparison in docs/PERF.md ("Browser"). Not run by CI. Example:
//
//	go test -run XXX -bench 'BrowserTranslate/ngf32_b9/256' -benchtime 3x ./site/browsertest
//
// worker-ms/op is the time inside the worker (the Go forward pass plus
// pixel conversion); ns/op adds the page's messaging.
func BenchmarkBrowserTranslate(b *testing.B) {
	browserTimeout = 30 * time.Minute
	tmp := b.TempDir()
	models := filepath.Join(tmp, "models")
	os.MkdirAll(models, 0o755)
	configs := []struct {
		name        string
		ngf, blocks int
	}{{"ngf64_b9", 64, 9}, {"ngf32_b9", 32, 9}, {"ngf16_b6", 16, 6}}
	for i, c := range configs {
		if err := weights.WriteFile(filepath.Join(models, c.name+".cgw"), site.TinyModel(c.name, c.ngf, c.blocks, uint64(i+1), "G_A")); err != nil {
			b.Fatal(err)
		}
	}
	dir := filepath.Join(tmp, "dist")
	if err := site.Build(site.BuildOptions{Out: dir, Models: models}); err != nil {
		b.Fatal(err)
	}
	for _, c := range configs {
		for _, size := range []int{256, 512} {
			b.Run(fmt.Sprintf("%s/%d", c.name, size), func(b *testing.B) {
				br := newBrowser(b)
				srv := serve(b, dir)
				br.open(b, srv.URL+"/")
				ourTranslate(b, br, c.name, size) // warm-up (and model load)
				var worker float64
				b.ResetTimer()
				start := time.Now()
				for i := 0; i < b.N; i++ {
					worker += ourTranslate(b, br, c.name, size).WorkerMs
				}
				b.StopTimer()
				b.ReportMetric(worker/float64(b.N), "worker-ms/op")
				b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(b.N), "ms/op")
			})
		}
	}
}

// ourTiming is window.cyclegan.lastTiming: the time of one translation
// inside the worker (the Go forward pass plus pixel conversion) and in the
// page (that plus the messages to and from the worker).
type ourTiming struct {
	WorkerMs, TotalMs float64
}

// ourTranslate translates a size×size test pattern with the named model
// (its first direction) through window.cyclegan.translate, once, and returns
// its timing. BenchmarkBrowserTranslate and BenchmarkORTWeb share it.
func ourTranslate(t testing.TB, br *browser, model string, size int) ourTiming {
	t.Helper()
	return eval[ourTiming](t, br, fmt.Sprintf(`(async () => {
		const px = new Uint8ClampedArray(%d * %d * 4);
		for (let i = 0; i < px.length; i++) px[i] = (i * 37) & 255;
		await window.cyclegan.translate(new ImageData(px, %d, %d), {model: %q});
		const t = window.cyclegan.lastTiming;
		return {WorkerMs: t.workerMs, TotalMs: t.totalMs};
	})()`, size, size, size, size, model))
}
