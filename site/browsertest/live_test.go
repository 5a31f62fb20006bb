package browsertest

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cyclegan-go/cyclegan/site"
	"github.com/cyclegan-go/cyclegan/weights"
)

// fakeCamera are the flags that give Chromium a synthetic camera (a moving
// test pattern) and grant it without asking.
var fakeCamera = []string{"use-fake-device-for-media-stream", "use-fake-ui-for-media-stream"}

// liveStats is window.cyclegan.live.stats.
type liveStats struct {
	Running       bool
	Frames, Fps   int
	Width, Height int
	Workers       int
	Model         string
}

func readLive(t testing.TB, b *browser) liveStats {
	t.Helper()
	return eval[liveStats](t, b, `(() => { const s = window.cyclegan.live.stats;
		return {Running: s.running, Frames: s.frames, Fps: s.fps, Width: s.width, Height: s.height, Workers: s.workers, Model: s.model}; })()`)
}

// waitFrames waits until the live mode has translated at least n frames.
func waitFrames(t testing.TB, b *browser, n int) liveStats {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		s := readLive(t, b)
		if s.Frames >= n {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("the live mode translated %d frames in a minute, want %d (status %q)", s.Frames, n,
				eval[string](t, b, `document.getElementById('live-status').textContent`))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitStopped waits until the live mode has stopped, and checks that no
// frame follows.
func waitStopped(t *testing.T, b *browser, how string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for readLive(t, b).Running {
		if time.Now().After(deadline) {
			t.Fatalf("%s: the live mode still runs after 10 s", how)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // a frame in flight is dropped
	before := readLive(t, b).Frames
	time.Sleep(700 * time.Millisecond)
	if after := readLive(t, b).Frames; after != before {
		t.Errorf("%s: %d more frames after stopping", how, after-before)
	}
}

// TestLiveCamera: with a (fake) camera, "Live camera" translates frames
// one after another at a measured size of at least 128 pixels, shows each
// beside its translation, makes no network request, and stops on Stop and
// when the page is hidden.
func TestLiveCamera(t *testing.T) {
	srv := serve(t, builtSite(t))
	b := newBrowser(t, fakeCamera...)
	b.open(t, srv.URL+"/?workers=2")
	eval[any](t, b, `document.getElementById('live').click()`)
	first := waitFrames(t, b, 3)
	// From the first frames on (the model is loaded by then) nothing goes
	// over the network.
	requests := `performance.getEntriesByType('resource').map((e) => e.name).join(' ')`
	before := eval[string](t, b, requests)
	later := waitFrames(t, b, first.Frames+3)
	chosen := eval[string](t, b, `document.getElementById('model').value`)
	if !later.Running || later.Fps < 1 || max(later.Width, later.Height) < 128 || later.Model != chosen {
		t.Errorf("live stats %+v: want running, frames/s ≥ 1, a long side of at least 128, the chosen model %q", later, chosen)
	}
	t.Logf("live: %+v", later)
	// The translation is a picture, not the camera frame: compare the two
	// canvases (same size) and look for more than one colour.
	type canvases struct {
		SameSize      bool
		Colours       int
		MeanDiff      float64
		CameraColours int
	}
	c := eval[canvases](t, b, `(() => {
		const read = (id) => { const c = document.getElementById(id); return c.getContext('2d').getImageData(0, 0, c.width, c.height); };
		const cam = read('live-camera'), out = read('live-result');
		const colours = (d) => { const s = new Set(); for (let i = 0; i < d.length && s.size < 100; i += 4) s.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]); return s.size; };
		let diff = 0;
		const n = Math.min(cam.data.length, out.data.length);
		for (let i = 0; i < n; i++) if (i % 4 !== 3) diff += Math.abs(cam.data[i] - out.data[i]);
		return {SameSize: cam.width === out.width && cam.height === out.height, Colours: colours(out.data),
			MeanDiff: diff / (n * 3 / 4), CameraColours: colours(cam.data)};
	})()`)
	if !c.SameSize || c.Colours < 10 || c.MeanDiff < 5 || c.CameraColours < 10 {
		t.Errorf("canvases: %+v; want the camera and its translation side by side, the same size, each of many colours, differing by at least 5 levels on average", c)
	}
	if after := eval[string](t, b, requests); after != before {
		t.Errorf("the live mode made network requests: %q", strings.TrimPrefix(after, before))
	}
	eval[any](t, b, `document.getElementById('live-stop').click()`)
	waitStopped(t, b, "Stop")
	if live := eval[int](t, b, `window.cyclegan.live.tracks()`); live != 0 {
		t.Errorf("after Stop %d camera tracks are live", live)
	}

	// Hiding the page stops it too.
	eval[any](t, b, `document.getElementById('live').click()`)
	waitFrames(t, b, 2)
	eval[bool](t, b, `(Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true}),
		document.dispatchEvent(new Event('visibilitychange')), true)`)
	waitStopped(t, b, "page hidden")
}

// TestLiveCompanionModel: a site model NAME-live beside NAME is not offered
// in the model list; the live camera translates NAME's frames with it and
// says so; NAME itself still translates photos.
func TestLiveCompanionModel(t *testing.T) {
	models := t.TempDir()
	for name, ngf := range map[string]int{"m": 8, "m-live": 4, "other": 4} {
		if err := weights.WriteFile(filepath.Join(models, name+".cgw"), site.TinyModel(name, ngf, 1, 3, "G_A", "G_B")); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(t.TempDir(), "dist")
	if err := site.Build(site.BuildOptions{Out: dir, Models: models}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, fakeCamera...)
	b.open(t, serve(t, dir).URL+"/?workers=1")
	if opts := eval[string](t, b, `[...document.getElementById('model').options].map((o) => o.value).sort().join(' ')`); opts != "m other" {
		t.Errorf("model list %q, want \"m other\" (m-live is m's live companion)", opts)
	}
	for _, c := range []struct{ chosen, want string }{{"m", "m-live"}, {"other", "other"}} {
		eval[any](t, b, fmt.Sprintf(`(document.getElementById('model').value = %q, document.getElementById('model').dispatchEvent(new Event('change')), true)`, c.chosen))
		eval[any](t, b, `(window.cyclegan.live.start({side: 64}), true)`)
		s := waitFrames(t, b, 2)
		status := eval[string](t, b, `document.getElementById('live-status').textContent`)
		if s.Model != c.want || (c.want != c.chosen) != strings.Contains(status, "smaller model made for the live camera") {
			t.Errorf("live with %s chosen: model %q, status %q; want %s, and the status to name a companion only when one is used", c.chosen, s.Model, status, c.want)
		}
		eval[any](t, b, `(window.cyclegan.live.stop(), true)`)
		waitStopped(t, b, "Stop")
	}
}
