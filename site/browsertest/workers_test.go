package browsertest

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cyclegan-go/cyclegan/site"
	"github.com/cyclegan-go/cyclegan/weights"
)

// workersTranslate translates a w×h synthetic image in the page with the
// test model, with the page's workers set to n first; it returns the
// pixels and how many workers the translation used.
func workersTranslate(t *testing.T, b *browser, w, h, n int) ([]byte, int) {
	t.Helper()
	return workersTranslateModel(t, b, modelName, w, h, n)
}

// workersTranslateModel is workersTranslate with the named model.
func workersTranslateModel(t *testing.T, b *browser, model string, w, h, n int) ([]byte, int) {
	t.Helper()
	eval[any](t, b, fmt.Sprintf(`window.cyclegan.workers = %d`, n))
	px := translateModelInPage(t, b, synthetic(w, h), model, "AtoB")
	return px, eval[int](t, b, `window.cyclegan.lastTiming.workers`)
}

// TestWorkersMatchOneWorker: a photo split across 2, 3 and 4 workers gives
// the one-worker result within one level, at odd sizes; a small photo
// runs on one worker whatever the setting.
func TestWorkersMatchOneWorker(t *testing.T) {
	srv := serve(t, builtSite(t))
	b := newBrowser(t)
	b.open(t, srv.URL+"/?workers=3")
	if n := eval[int](t, b, `window.cyclegan.workers`); n != 3 {
		t.Fatalf("?workers=3: window.cyclegan.workers is %d", n)
	}
	if n := eval[int](t, b, `window.cyclegan.workerObjects.length`); n != 3 {
		t.Fatalf("?workers=3: the page runs %d workers", n)
	}
	for _, c := range []struct {
		w, h  int
		bands [5]int // bands used with 1 to 4 workers (index 0 unused)
	}{
		{131, 203, [5]int{0, 1, 2, 3, 3}},
		{97, 261, [5]int{0, 1, 2, 3, 4}},
		{150, 61, [5]int{0, 1, 1, 1, 1}}, // too small to split
	} {
		one, used := workersTranslate(t, b, c.w, c.h, 1)
		if used != 1 {
			t.Fatalf("%d×%d, 1 worker: used %d", c.w, c.h, used)
		}
		for n := 2; n <= 4; n++ {
			got, used := workersTranslate(t, b, c.w, c.h, n)
			if used != c.bands[n] {
				t.Errorf("%d×%d, %d workers: split into %d bands, want %d", c.w, c.h, n, used, c.bands[n])
			}
			compare(t, fmt.Sprintf("%d×%d, %d workers (%d bands) vs 1", c.w, c.h, n, used), got, one)
		}
	}
	if msg := eval[string](t, b, `(() => { try { window.cyclegan.workers = 0; return ''; } catch (e) { return e.message; } })()`); !strings.Contains(msg, "1 to 16") {
		t.Errorf("workers = 0: %q, want a RangeError naming 1 to 16", msg)
	}
}

// TestWorkersAtTheModelsScale: at the model's scale (the default) the
// scaled photo is split across the workers too, and gives the one-worker
// result within one level, at odd sizes; a photo under 128 rows at the
// model's scale runs on one worker.
func TestWorkersAtTheModelsScale(t *testing.T) {
	srv := serve(t, builtSite(t))
	b := newBrowser(t)
	b.open(t, srv.URL+"/?workers=4")
	f := site.TinyModel("scaled", 4, 2, 9, "G_A")
	f.Meta.TrainingScale = &weights.TrainingScale{Preprocess: "scale_width_and_crop", LoadSize: 64, CropSize: 32}
	scaled := filepath.Join(t.TempDir(), "scaled.cgw")
	if err := weights.WriteFile(scaled, f); err != nil {
		t.Fatal(err)
	}
	b.do(t, chromedp.SetUploadFiles("#model-file", []string{scaled}))
	eval[bool](t, b, `(async () => {
		while (!window.cyclegan.models.some((m) => m.name === 'scaled.cgw')) await new Promise((r) => setTimeout(r, 20));
		return true;
	})()`)
	for _, c := range []struct {
		w, h  int
		bands [5]int // bands used with 1 to 4 workers (index 0 unused)
	}{
		{131, 530, [5]int{0, 1, 2, 3, 4}}, // 64×259 at the model's scale
		{97, 301, [5]int{0, 1, 2, 3, 3}},  // 64×199
		{203, 150, [5]int{0, 1, 1, 1, 1}}, // 64×47: one worker
	} {
		one, used := workersTranslateModel(t, b, "scaled.cgw", c.w, c.h, 1)
		if used != 1 {
			t.Fatalf("%d×%d, 1 worker: used %d", c.w, c.h, used)
		}
		for n := 2; n <= 4; n++ {
			got, used := workersTranslateModel(t, b, "scaled.cgw", c.w, c.h, n)
			if used != c.bands[n] {
				t.Errorf("%d×%d at the model's scale, %d workers: split into %d bands, want %d", c.w, c.h, n, used, c.bands[n])
			}
			compare(t, fmt.Sprintf("%d×%d at the model's scale, %d workers (%d bands) vs 1", c.w, c.h, n, used), got, one)
		}
	}
	// Progress rises to the total through the three stages; Cancel stops
	// the bands at once.
	type report struct {
		Reports, Workers int
		Rising, Complete bool
	}
	r := eval[report](t, b, `(async () => {
		const img = new ImageData(256, 1024); // 64×256 at the model's scale
		for (let i = 0; i < img.data.length; i++) img.data[i] = (i * 37 + (i >> 11)) & 255;
		const seen = [];
		await window.cyclegan.translate(img, {model: 'scaled.cgw', onProgress: (p) => seen.push(p)});
		const last = seen[seen.length - 1];
		return {Reports: seen.length, Workers: window.cyclegan.lastTiming.workers,
			Rising: seen.every((p, i) => i === 0 || p.done >= seen[i - 1].done), Complete: last.done === last.total && last.total > 0};
	})()`)
	if r.Workers != 4 || r.Reports < 4 || !r.Rising || !r.Complete {
		t.Errorf("256×1024 at the model's scale on 4 workers: %+v; want 4 workers, at least 4 progress reports, rising to the total", r)
	}
	if got := killDuringModel(t, b, "scaled.cgw", 256, 1024, `window.cyclegan.cancel()`); !strings.HasPrefix(got, "AbortError") {
		t.Errorf("cancel during a model-scale translation on 4 workers: %q, want an AbortError", got)
	}
	if _, used := workersTranslateModel(t, b, "scaled.cgw", 131, 530, 4); used != 4 {
		t.Errorf("after cancel the photo used %d workers, want 4", used)
	}
}

// killDuring starts translating a large photo with n workers and runs
// action (JavaScript) at the first progress report; it returns the
// translation's outcome: "done", the error's name and message, or that
// none came within a minute.
func killDuring(t *testing.T, b *browser, action string) string {
	t.Helper()
	return killDuringModel(t, b, "", 1024, 1024, action)
}

// killDuringModel is killDuring with the named model ("": the page's
// first) and a w×h photo.
func killDuringModel(t *testing.T, b *browser, model string, w, h int, action string) string {
	t.Helper()
	return eval[string](t, b, fmt.Sprintf(`(async () => {
		const img = new ImageData(%d, %d);
		for (let i = 0; i < img.data.length; i++) img.data[i] = (i * 37 + (i >> 11)) & 255;
		let fired = false;
		try {
			const run = window.cyclegan.translate(img, {model: %q, onProgress: () => { if (!fired) { fired = true; %s; } }});
			const timeout = new Promise((res) => setTimeout(() => res('timeout'), 60000));
			if (await Promise.race([run, timeout]) === 'timeout') return 'no answer within 60 s';
			return 'done, fired ' + fired;
		} catch (e) {
			return e.name + ': ' + e.message;
		}
	})()`, w, h, model, action))
}

// TestWorkerKilledMidPhoto: a worker terminated mid-photo gives a clear
// error, and the page recovers: the next photo is split and translated.
func TestWorkerKilledMidPhoto(t *testing.T) {
	srv := serve(t, builtSite(t))
	b := newBrowser(t)
	b.open(t, srv.URL+"/?workers=2")
	want, _ := workersTranslate(t, b, 131, 203, 2)
	eval[bool](t, b, `(window.oldWorker = window.cyclegan.workerObjects[1], true)`)
	got := killDuring(t, b, `window.cyclegan.workerObjects[1].terminate()`)
	if !strings.Contains(got, "worker 2 of 2 stopped") {
		t.Fatalf("worker 2 terminated mid-photo: %q, want an error saying worker 2 of 2 stopped", got)
	}
	t.Logf("killed worker: %s", got)
	if eval[bool](t, b, `window.cyclegan.workerObjects[1] === window.oldWorker`) {
		t.Error("the page still holds the dead worker")
	}
	again, used := workersTranslate(t, b, 131, 203, 2)
	if used != 2 {
		t.Errorf("after the failure the photo used %d workers, want 2", used)
	}
	compare(t, "after a killed worker", again, want)
}

// TestWorkersCancel: Cancel stops a photo split across workers at once,
// and the next photo is split again.
func TestWorkersCancel(t *testing.T) {
	srv := serve(t, builtSite(t))
	b := newBrowser(t)
	b.open(t, srv.URL+"/?workers=3")
	want, _ := workersTranslate(t, b, 97, 261, 3)
	got := killDuring(t, b, `window.cyclegan.cancel()`)
	if !strings.HasPrefix(got, "AbortError") {
		t.Fatalf("cancel during a 3-worker translation: %q, want an AbortError", got)
	}
	again, used := workersTranslate(t, b, 97, 261, 3)
	if used != 3 {
		t.Errorf("after cancel the photo used %d workers, want 3", used)
	}
	compare(t, "after cancel", again, want)
}
