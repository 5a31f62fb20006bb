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

// BenchmarkWorkers times the page with 1, 2 and 4 workers (site/pool.js)
// side by side in headless Chromium, on a page served without cross-origin
// isolation: the shipped default model (models/sunny-sunset.cgw, when
// present) and a random ngf 32, 9-block generator, square images. ms/img is
// window.cyclegan.translate's time in the page after two untimed warm-ups
// (none at 1024², where the first run's compilation weighs little);
// wasm-MB is the sum of the workers' WebAssembly memories afterwards (each
// only grows, so it is the workers' peak). Not run by CI. Example:
//
//	go test -run '^$' -bench 'Workers/default/512' -benchtime 3x ./site/browsertest
func BenchmarkWorkers(b *testing.B) {
	browserTimeout = time.Hour
	tmp := b.TempDir()
	models := filepath.Join(tmp, "models")
	os.MkdirAll(models, 0o755)
	root, err := site.ModuleRoot()
	if err != nil {
		b.Fatal(err)
	}
	configs := []struct {
		name  string
		sizes []int
	}{{"ngf32_b9", []int{256, 512}}}
	if data, err := os.ReadFile(filepath.Join(root, "models", "sunny-sunset.cgw")); err == nil {
		os.WriteFile(filepath.Join(models, "default.cgw"), data, 0o644)
		configs = append([]struct {
			name  string
			sizes []int
		}{{"default", []int{256, 512, 1024}}}, configs...)
	}
	if err := weights.WriteFile(filepath.Join(models, "ngf32_b9.cgw"), site.TinyModel("ngf32_b9", 32, 9, 1, "G_A")); err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(tmp, "dist")
	if err := site.Build(site.BuildOptions{Out: dir, Models: models}); err != nil {
		b.Fatal(err)
	}
	srv := serve(b, dir)
	pages := map[int]*browser{}
	page := func(n int) *browser {
		if pages[n] == nil {
			br := newBrowser(b)
			br.open(b, fmt.Sprintf("%s/?workers=%d", srv.URL, n))
			pages[n] = br
		}
		return pages[n]
	}
	for _, c := range configs {
		for _, size := range c.sizes {
			for _, n := range []int{1, 2, 4} {
				if n == 4 && size != 1024 {
					continue
				}
				b.Run(fmt.Sprintf("%s/%d/w%d", c.name, size, n), func(b *testing.B) {
					br := page(n)
					for range warmups(size) {
						ourTranslate(b, br, c.name, size)
					}
					var total float64
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						total += ourTranslate(b, br, c.name, size).TotalMs
					}
					b.StopTimer()
					if used := eval[int](b, br, `window.cyclegan.lastTiming.workers`); used != min(n, size/64) {
						b.Fatalf("%d workers at %d²: the photo used %d", n, size, used)
					}
					b.ReportMetric(total/float64(b.N), "ms/img")
					b.ReportMetric(eval[float64](b, br, `window.cyclegan.memory().then((m) => m.reduce((a, v) => a + v, 0) / 1048576)`), "wasm-MB")
				})
			}
		}
	}
}

func warmups(size int) int {
	if size >= 1024 {
		return 0
	}
	return 2
}
