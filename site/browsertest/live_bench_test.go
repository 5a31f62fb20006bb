package browsertest

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/cyclegan-go/cyclegan/site"
)

// squareCamera makes the page's getUserMedia ask Chromium's fake camera for
// square frames (crop-and-scale), so that a live frame of side S is S×S.
const squareCamera = `(() => {
	const md = navigator.mediaDevices, get = md.getUserMedia.bind(md);
	md.getUserMedia = (c) => get({...c, video: {...c.video, width: {exact: 480}, height: {exact: 480}, resizeMode: 'crop-and-scale'}});
	return true;
})()`

// BenchmarkLive runs the live camera mode (site/live.js) on Chromium's fake
// camera with square 256×256 frames and the shipped default model
// (models/sunny-sunset.cgw, Sunny → Sunset), on the page's default workers
// (one a core, ?workers unset) and on one, at the page's default Detail (the
// model's scale) and at full resolution. frames/s is counted over
// liveSeconds after the first frames; it includes grabbing the frame and
// drawing the result, as a user sees it. Not run by CI. Example:
//
//	go test -run '^$' -bench Live -benchtime 1x ./site/browsertest
func BenchmarkLive(b *testing.B) {
	const side, liveSeconds = 256, 6
	root, err := site.ModuleRoot()
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(b.TempDir(), "dist")
	if err := site.Build(site.BuildOptions{Out: dir, Models: filepath.Join(root, "models")}); err != nil {
		b.Fatal(err)
	}
	srv := serve(b, dir)
	for _, workers := range []string{"default", "1"} {
		for _, detail := range []string{"model", "full"} {
			b.Run(fmt.Sprintf("%d/workers-%s/%s", side, workers, detail), func(b *testing.B) {
				br := newBrowser(b, fakeCamera...)
				url := srv.URL + "/"
				if workers != "default" {
					url += "?workers=" + workers
				}
				br.open(b, url)
				eval[bool](b, br, squareCamera)
				eval[any](b, br, fmt.Sprintf(`(document.getElementById('detail').value = %q, true)`, detail))
				var fps float64
				var s liveStats
				for range b.N {
					eval[any](b, br, fmt.Sprintf(`(window.cyclegan.live.start({side: %d}), true)`, side))
					first := waitFrames(b, br, 3)
					t0 := time.Now()
					time.Sleep(liveSeconds * time.Second)
					s = readLive(b, br)
					fps += float64(s.Frames-first.Frames) / time.Since(t0).Seconds()
					eval[any](b, br, `(window.cyclegan.live.stop(), true)`)
				}
				if s.Width != side || s.Height != side || s.Model != "sunny-sunset" {
					b.Fatalf("live frames of %d×%d by %q, want %d×%d by the default model sunny-sunset", s.Width, s.Height, s.Model, side, side)
				}
				if got := eval[string](b, br, `document.getElementById('detail').value`); got != detail {
					b.Fatalf("Detail is %q, want %q", got, detail)
				}
				b.ReportMetric(fps/float64(b.N), "frames/s")
				b.ReportMetric(float64(s.Workers), "workers")
			})
		}
	}
}
