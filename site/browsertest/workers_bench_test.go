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
// present) at full resolution (Detail "Exact": 256², 512², 1024²) and at
// the model's scale (the page's default: 1024×768, which runs at 256×192
// and is carried up: the benchmark's copy of the file is given the record
// of the models `make models` trains, scale_width_and_crop 256), and a random
// ngf 32, 9-block generator at full resolution. ms/img is
// window.cyclegan.translate's time in the page after two untimed warm-ups
// (none at 1024², where the first run's compilation weighs little);
// wasm-MB is the sum of the workers' WebAssembly memories afterwards (each
// only grows, so it is the workers' peak). Not run by CI. Example:
//
//	go test -run '^$' -bench 'Workers/default/full/512' -benchtime 3x ./site/browsertest
func BenchmarkWorkers(b *testing.B) {
	browserTimeout = time.Hour
	tmp := b.TempDir()
	models := filepath.Join(tmp, "models")
	os.MkdirAll(models, 0o755)
	root, err := site.ModuleRoot()
	if err != nil {
		b.Fatal(err)
	}
	type run struct {
		model, scale string
		w, h         int
		workers      []int
	}
	runs := []run{
		{"ngf32_b9", "full", 256, 256, []int{1, 2}},
		{"ngf32_b9", "full", 512, 512, []int{1, 2}},
	}
	if f, err := weights.ReadFile(filepath.Join(root, "models", "sunny-sunset.cgw")); err == nil {
		f.Meta.TrainingScale = &weights.TrainingScale{Preprocess: "scale_width_and_crop", LoadSize: 256, CropSize: 128}
		if err := weights.WriteFile(filepath.Join(models, "default.cgw"), f); err != nil {
			b.Fatal(err)
		}
		runs = append([]run{
			{"default", "model", 1024, 768, []int{1, 2, 4}},
			{"default", "full", 256, 256, []int{1, 2}},
			{"default", "full", 512, 512, []int{1, 2}},
			{"default", "full", 1024, 1024, []int{1, 2, 4}},
		}, runs...)
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
	for _, r := range runs {
		size := fmt.Sprint(r.w)
		if r.w != r.h {
			size = fmt.Sprintf("%dx%d", r.w, r.h)
		}
		for _, n := range r.workers {
			b.Run(fmt.Sprintf("%s/%s/%s/w%d", r.model, r.scale, size, n), func(b *testing.B) {
				br := page(n)
				for range warmups(max(r.w, r.h)) {
					benchTranslate(b, br, r.model, r.scale, r.w, r.h)
				}
				var total float64
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					total += benchTranslate(b, br, r.model, r.scale, r.w, r.h)
				}
				b.StopTimer()
				rows := r.h // the rows the forward pass splits
				if r.scale == "model" {
					rows = 192
				}
				if used := eval[int](b, br, `window.cyclegan.lastTiming.workers`); used != min(n, rows/64) {
					b.Fatalf("%d workers at %d×%d (%s scale): the photo used %d", n, r.w, r.h, r.scale, used)
				}
				b.ReportMetric(total/float64(b.N), "ms/img")
				b.ReportMetric(eval[float64](b, br, `window.cyclegan.memory().then((m) => m.reduce((a, v) => a + v, 0) / 1048576)`), "wasm-MB")
			})
		}
	}
}

// benchTranslate translates a w×h test pattern with the named model at
// scale ('model' or 'full') once; its time in the page, in ms.
func benchTranslate(b testing.TB, br *browser, model, scale string, w, h int) float64 {
	b.Helper()
	return eval[float64](b, br, fmt.Sprintf(`(async () => {
		const px = new Uint8ClampedArray(%d * %d * 4);
		for (let i = 0; i < px.length; i++) px[i] = (i * 37) & 255;
		await window.cyclegan.translate(new ImageData(px, %d, %d), {model: %q, scale: %q});
		return window.cyclegan.lastTiming.totalMs;
	})()`, w, h, w, h, model, scale))
}

func warmups(size int) int {
	if size >= 1024 {
		return 0
	}
	return 2
}
