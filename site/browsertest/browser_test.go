package browsertest

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cyclegan-go/cyclegan/translate"
)

// synthetic is a deterministic opaque test image whose sides are not
// multiples of 4, so padding and cropping are exercised.
func synthetic(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x*7 + y*13) % 256), 255})
		}
	}
	return img
}

// native translates img with the Go forward pass on this machine.
func native(t *testing.T, img *image.NRGBA, direction string) []byte {
	t.Helper()
	m, err := translate.Open(modelPath)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := m.Translator(direction)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	out, err := tr.Pixels(context.Background(), translate.Pixels{W: b.Dx(), H: b.Dy(), Channels: 4, Pix: img.Pix}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out.Pix
}

// compare fails when any channel differs by more than 1/255.
func compare(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d bytes, want %d", what, len(got), len(want))
	}
	if flat(want) {
		t.Fatalf("%s: every pixel of the native result has the colour %v; the comparison proves nothing", what, want[:min(3, len(want))])
	}
	worst, at, differing := byteDiff(got, want)
	if worst > 1 {
		t.Fatalf("%s: byte %d (pixel %d channel %d) is %d, native %d: differs by %d/255 (limit 1)", what, at, at/4, at%4, got[at], want[at], worst)
	}
	t.Logf("%s: %d of %d bytes differ by 1/255, none by more", what, differing, len(got))
}

// flat reports whether every pixel of RGBA bytes has the same colour (red,
// green, blue; alpha is 255 in every result, so it is not looked at). An
// all-zero or all-grey result is flat: a broken forward pass or a result
// buffer never written, which would match itself.
func flat(px []byte) bool {
	for i := 4; i+2 < len(px); i += 4 {
		if px[i] != px[0] || px[i+1] != px[1] || px[i+2] != px[2] {
			return false
		}
	}
	return true
}

// byteDiff compares a with b (at least as long): the largest difference
// of two bytes (in 1/255 steps for pixels), the first index where it
// occurs, and how many bytes differ at all.
func byteDiff(a, b []byte) (worst, at, differing int) {
	for i := range a {
		d := int(a[i]) - int(b[i])
		if d < 0 {
			d = -d
		}
		if d > 0 {
			differing++
		}
		if d > worst {
			worst, at = d, i
		}
	}
	return worst, at, differing
}

// translateInPage runs window.cyclegan.translate on img with the test model
// and returns the RGBA bytes.
func translateInPage(t *testing.T, b *browser, img *image.NRGBA, direction string) []byte {
	t.Helper()
	return translateModelInPage(t, b, img, modelName, direction)
}

// translateModelInPage runs window.cyclegan.translate on img with the named
// model and returns the RGBA bytes.
func translateModelInPage(t testing.TB, b *browser, img *image.NRGBA, model, direction string) []byte {
	t.Helper()
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	js := fmt.Sprintf(`(async () => {
		const raw = Uint8ClampedArray.from(atob(%q), (c) => c.charCodeAt(0));
		const out = await window.cyclegan.translate(new ImageData(raw, %d, %d), {model: %q, direction: %q});
		if (out.width !== %d || out.height !== %d) throw new Error('result is ' + out.width + 'x' + out.height);
		let s = ''; for (const v of out.data) s += String.fromCharCode(v);
		return btoa(s);
	})()`, base64.StdEncoding.EncodeToString(img.Pix), w, h, model, direction, w, h)
	out, err := base64.StdEncoding.DecodeString(eval[string](t, b, js))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// resultPixels reads the page's result canvas.
func resultPixels(t *testing.T, b *browser) (int, int, []byte) {
	t.Helper()
	type res struct {
		W, H int
		Data string
	}
	r := eval[res](t, b, `(() => {
		const c = document.getElementById('result');
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		let s = ''; for (const v of d) s += String.fromCharCode(v);
		return {W: c.width, H: c.height, Data: btoa(s)};
	})()`)
	data, err := base64.StdEncoding.DecodeString(r.Data)
	if err != nil {
		t.Fatal(err)
	}
	return r.W, r.H, data
}

// cliTranslate runs `cyclegan translate` (built once, cyclegan) on img.
func cliTranslate(t *testing.T, img *image.NRGBA, direction string) []byte {
	t.Helper()
	in := writePNG(t, img)
	outPath := filepath.Join(t.TempDir(), "out.png")
	cmd := exec.Command(cyclegan(t), "translate", "-w", modelPath, "--direction", direction, "-max_size", "0", "-o", outPath, in)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cyclegan translate: %v\n%s", err, out)
	}
	return readNRGBA(t, outPath).Pix
}

func writePNG(t *testing.T, img image.Image) string {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "photo.png")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPageLoadsWithoutConsoleErrors(t *testing.T) {
	dir := builtSite(t)
	b := newBrowser(t)
	srv := serve(t, dir)
	b.open(t, srv.URL+"/")
	type model struct {
		Name       string
		Directions []string
	}
	models := eval[[]model](t, b, `window.cyclegan.models`)
	if len(models) != 1 || models[0].Name != modelName || strings.Join(models[0].Directions, ",") != "AtoB,BtoA" {
		t.Errorf("window.cyclegan.models = %+v", models)
	}
	if s := b.errorText(t); s != "" {
		t.Errorf("the page shows an error: %s", s)
	}
	t.Logf("engine: %s", eval[string](t, b, `window.cyclegan.version`))
	// Every control has a label (accessibility).
	unlabelled := eval[[]string](t, b, `Array.from(document.querySelectorAll('input, select, button')).
		filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !(e.tagName === 'BUTTON' && e.textContent.trim())).map((e) => e.id)`)
	if len(unlabelled) > 0 {
		t.Errorf("controls without a label: %v", unlabelled)
	}
	// The page fits a 360 px wide phone without horizontal scrolling.
	b.do(t, chromedp.EmulateViewport(360, 640))
	if w := eval[int](t, b, `document.documentElement.scrollWidth`); w > 360 {
		t.Errorf("at 360 px the page is %d px wide", w)
	}
	// newBrowser's cleanup fails the test on any console error.
}

func TestTranslateMatchesNative(t *testing.T) {
	dir := builtSite(t)
	b := newBrowser(t)
	srv := serve(t, dir)
	b.open(t, srv.URL+"/")
	img := synthetic(30, 22)
	for _, d := range []string{"AtoB", "BtoA"} {
		compare(t, "window.cyclegan.translate "+d, translateInPage(t, b, img, d), native(t, img, d))
	}
	// The same image through the file input and the UI (default direction AtoB).
	b.do(t, chromedp.SetUploadFiles("#file", []string{writePNG(t, img)}))
	if s := b.waitState(t, "done", "error"); s != "done" {
		t.Fatalf("file input: page state %s, error %q", s, b.errorText(t))
	}
	w, h, px := resultPixels(t, b)
	if w != 30 || h != 22 {
		t.Fatalf("result canvas is %d×%d, want 30×22", w, h)
	}
	compare(t, "file input", px, native(t, img, "AtoB"))
	// And the same as the command line's translate (its own image I/O and padding).
	for _, d := range []string{"AtoB", "BtoA"} {
		compare(t, "window.cyclegan.translate vs cyclegan translate "+d, translateInPage(t, b, img, d), cliTranslate(t, img, d))
	}
}

func TestOfflineReloadStillTranslates(t *testing.T) {
	dir := builtSite(t)
	b := newBrowser(t)
	srv := serve(t, dir)
	b.open(t, srv.URL+"/")
	// Wait until the service worker has installed (cached everything) and controls the page.
	eval[chromedp.Void](t, b, `navigator.serviceWorker.ready.then(() => new Promise((res) => {
		if (navigator.serviceWorker.controller) return res();
		navigator.serviceWorker.addEventListener('controllerchange', () => res());
	}))`)
	srv.Close() // the network is gone: nothing answers at this origin any more
	b.do(t, chromedp.Reload())
	eval[chromedp.Void](t, b, `window.cyclegan.ready`)
	img := synthetic(17, 9)
	compare(t, "offline translate", translateInPage(t, b, img, "AtoB"), native(t, img, "AtoB"))
}

func TestBadFilesShowReadableErrors(t *testing.T) {
	dir := builtSite(t)
	b := newBrowser(t)
	srv := serve(t, dir)
	b.open(t, srv.URL+"/")
	tmp := t.TempDir()

	good, err := os.ReadFile(modelPath)
	if err != nil {
		t.Fatal(err)
	}
	corrupt := append([]byte(nil), good...)
	corrupt[len(corrupt)/2] ^= 0x55
	corruptPath := filepath.Join(tmp, "corrupt.cgw")
	os.WriteFile(corruptPath, corrupt, 0o644)
	textPath := filepath.Join(tmp, "notes.txt")
	os.WriteFile(textPath, []byte("these are my holiday notes, not a photo"), 0o644)

	cases := []struct {
		input, file string
		want        []string
	}{
		{"#model-file", corruptPath, []string{"corrupt.cgw", "checksum"}},
		{"#model-file", textPath, []string{"notes.txt", "not a CycleGAN weight file"}},
		{"#file", textPath, []string{"notes.txt", "not an image"}},
	}
	for _, c := range cases {
		eval[chromedp.Void](t, b, `document.getElementById('error').hidden = true`)
		b.do(t, chromedp.SetUploadFiles(c.input, []string{c.file}))
		msg := b.waitError(t)
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s via %s: error %q does not mention %q", filepath.Base(c.file), c.input, msg, w)
			}
		}
		t.Logf("%s via %s: %s", filepath.Base(c.file), c.input, msg)
	}
	// The page still works after the errors.
	img := synthetic(8, 8)
	compare(t, "translate after errors", translateInPage(t, b, img, "BtoA"), native(t, img, "BtoA"))
}

func TestModelLinkAndContentSecurityPolicy(t *testing.T) {
	dir := builtSite(t)
	b := newBrowser(t)
	page := serve(t, dir)
	models := serve(t, dir) // another origin (another port) that shares its models
	other := serve(t, dir)  // an origin the page must not reach
	// The blocked fetches below are reported in the console, as they should be.
	b.expectConsoleErrors("violates the following Content Security Policy directive", "violates the document's Content Security Policy")
	// Without ?model= the page may connect to its own origin only.
	b.open(t, page.URL+"/")
	blocked := `fetch(%q).then(() => 'reached', (e) => 'blocked: ' + e.message)`
	if got := eval[string](t, b, fmt.Sprintf(blocked, models.URL+"/models.json")); !strings.HasPrefix(got, "blocked") {
		t.Errorf("without ?model=, a fetch to another origin was %s", got)
	}
	if got := eval[string](t, b, fmt.Sprintf(blocked, page.URL+"/models.json")); got != "reached" {
		t.Errorf("a fetch to the page's own origin was %s", got)
	}
	// With ?model=URL, that origin (only) is allowed, and the model translates.
	link := models.URL + "/models/" + modelName + ".cgw"
	b.open(t, page.URL+"/?model="+url.QueryEscape(link))
	if got := eval[string](t, b, fmt.Sprintf(blocked, models.URL+"/models.json")); got != "reached" {
		t.Errorf("with ?model=, a fetch to the model's origin was %s", got)
	}
	if got := eval[string](t, b, fmt.Sprintf(blocked, other.URL+"/models.json")); !strings.HasPrefix(got, "blocked") {
		t.Errorf("with ?model=, a fetch to a third origin was %s", got)
	}
	names := eval[[]string](t, b, `window.cyclegan.models.map((m) => m.name)`)
	if strings.Join(names, ",") != modelName+","+modelName+".cgw" {
		t.Fatalf("models %v", names)
	}
	img := synthetic(12, 12)
	w, h := 12, 12
	js := fmt.Sprintf(`(async () => {
		const raw = Uint8ClampedArray.from(atob(%q), (c) => c.charCodeAt(0));
		const out = await window.cyclegan.translate(new ImageData(raw, %d, %d), {model: %q, direction: 'BtoA'});
		let s = ''; for (const v of out.data) s += String.fromCharCode(v);
		return btoa(s);
	})()`, base64.StdEncoding.EncodeToString(img.Pix), w, h, modelName+".cgw")
	out, err := base64.StdEncoding.DecodeString(eval[string](t, b, js))
	if err != nil {
		t.Fatal(err)
	}
	compare(t, "model from a link", out, native(t, img, "BtoA"))
}
