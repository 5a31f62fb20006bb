package browsertest

// Tests of the page as a new user meets it: changing the settings after a
// result, cancelling a long run, dropping photos while one is translated,
// damaged files, errors after a result, and progress in the user's terms.

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// uxLong is the side of a photo the tiny test model needs seconds for
// (about 5 s for 2048×2048 on a 2-core machine): long enough to act on a
// run while it is going.
const uxLong = 2048

// uxFile writes data to a file of the given name in a fresh folder.
func uxFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// uxPNG writes img as name.png.
func uxPNG(t *testing.T, name string, img image.Image) string {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return uxFile(t, name, buf.Bytes())
}

// uxSetMaxSide sets the page's "Longest side" field.
func uxSetMaxSide(t *testing.T, b *browser, side int) {
	t.Helper()
	eval[chromedp.Void](t, b, fmt.Sprintf(`(() => { const e = document.getElementById('max-side'); e.value = '%d'; e.dispatchEvent(new Event('change')); })()`, side))
}

// uxLabel is the status line's text.
func uxLabel(t *testing.T, b *browser) string {
	return eval[string](t, b, `document.getElementById('progress-label').textContent`)
}

// uxWaitTranslating waits until the page shows the progress of a running
// translation (a first layer is done).
func uxWaitTranslating(t *testing.T, b *browser) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if eval[bool](t, b, `document.body.dataset.state === 'working' && document.getElementById('progress-label').textContent.startsWith('Translating') && document.getElementById('progress').value > 0`) {
			return
		}
		time.Sleep(30 * time.Millisecond)
	}
	t.Fatalf("the page never showed a translation in progress (status %q)", uxLabel(t, b))
}

// uxWaitResult waits until the result canvas holds want (within 1/255).
func uxWaitResult(t *testing.T, b *browser, what string, want []byte) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		_, _, got := resultPixels(t, b)
		if len(got) == len(want) {
			if worst, _, _ := byteDiff(got, want); worst <= 1 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: the result canvas never showed the expected translation (status %q, state %q)", what, uxLabel(t, b),
				eval[string](t, b, `document.body.dataset.state`))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Changing the model or the direction after a result translates the photo
// again, instead of leaving the old result under the new label.
func TestPageSettingsChangeTranslatesAgain(t *testing.T) {
	dir := builtSite(t)
	b := newBrowser(t)
	srv := serve(t, dir)
	b.open(t, srv.URL+"/")
	img := synthetic(30, 22)
	b.do(t, chromedp.SetUploadFiles("#file", []string{uxPNG(t, "photo", img)}))
	if s := b.waitState(t, "done", "error"); s != "done" {
		t.Fatalf("page state %s, error %q", s, b.errorText(t))
	}
	uxWaitResult(t, b, "first result", native(t, img, "AtoB"))

	// The direction: right after the change the page must not claim "done".
	state := eval[string](t, b, `(() => {
		const d = document.getElementById('direction');
		d.value = 'BtoA';
		d.dispatchEvent(new Event('change'));
		return document.body.dataset.state + ': ' + document.getElementById('progress-label').textContent;
	})()`)
	if strings.HasPrefix(state, "done") {
		t.Errorf("right after the direction changed the page says %q, with the old result", state)
	}
	uxWaitResult(t, b, "after changing the direction", native(t, img, "BtoA"))
	if s := b.waitState(t, "done", "error"); s != "done" {
		t.Fatalf("page state %s, error %q", s, b.errorText(t))
	}

	// The model: loading a model file selects it (and its first direction, AtoB).
	b.do(t, chromedp.SetUploadFiles("#model-file", []string{modelPath}))
	uxWaitResult(t, b, "after loading and selecting another model", native(t, img, "AtoB"))
	if s := b.waitState(t, "done", "error"); s != "done" {
		t.Fatalf("page state %s, error %q", s, b.errorText(t))
	}
	if got := eval[string](t, b, `document.getElementById('model').value + ' ' + document.getElementById('direction').value`); got != modelName+".cgw AtoB" {
		t.Errorf("model and direction are %q", got)
	}

	// During a long run, a change stops it and starts again with the new
	// direction, rather than finishing a result that is out of date.
	eval[chromedp.Void](t, b, `(() => {
		window.uxSent = [];
		const post = Worker.prototype.postMessage;
		Worker.prototype.postMessage = function (m, transfer) {
			if (m && (m.type === 'translate' || m.type === 'translateBand' && m.index === 0)) window.uxSent.push(m.direction); // one a photo
			return post.call(this, m, transfer);
		};
	})()`)
	uxSetMaxSide(t, b, uxLong)
	b.do(t, chromedp.SetUploadFiles("#file", []string{uxPNG(t, "big", synthetic(uxLong, uxLong*3/4))}))
	uxWaitTranslating(t, b)
	eval[chromedp.Void](t, b, `(() => {
		const d = document.getElementById('direction');
		d.value = 'BtoA';
		d.dispatchEvent(new Event('change'));
	})()`)
	start := time.Now()
	for eval[int](t, b, `window.uxSent.length`) < 2 {
		if time.Since(start) > 3*time.Second {
			t.Fatalf("3 s after the direction changed during a run, the page still runs the old one (sent %v)", eval[[]string](t, b, `window.uxSent`))
		}
		time.Sleep(30 * time.Millisecond)
	}
	if got := strings.Join(eval[[]string](t, b, `window.uxSent`), " "); got != "AtoB BtoA" {
		t.Errorf("translations sent: %s, want AtoB BtoA", got)
	}
	if s := b.waitState(t, "done", "error"); s != "done" {
		t.Fatalf("page state %s, error %q", s, b.errorText(t))
	}
}

// A long run can be stopped, from the page and through window.cyclegan, and
// the page stays usable.
func TestPageCancel(t *testing.T) {
	dir := builtSite(t)
	b := newBrowser(t)
	srv := serve(t, dir)
	b.open(t, srv.URL+"/")

	// window.cyclegan.translate with an AbortSignal: aborted after the first
	// progress report, it rejects with an AbortError soon after.
	type outcome struct {
		Result  string
		AfterMs float64
	}
	js := fmt.Sprintf(`(async () => {
		const ac = new AbortController();
		let abortedAt = 0;
		const p = window.cyclegan.translate(new ImageData(%d, %d), {model: %q, direction: 'AtoB', signal: ac.signal,
			onProgress: () => { if (!abortedAt) { abortedAt = performance.now(); ac.abort(); } }});
		let result;
		try { await p; result = 'resolved'; } catch (e) { result = e.name + ': ' + e.message; }
		return {Result: result, AfterMs: abortedAt ? performance.now() - abortedAt : -1};
	})()`, uxLong, uxLong, modelName)
	o := eval[outcome](t, b, js)
	t.Logf("translate aborted by its signal: %s, %.0f ms after the abort", o.Result, o.AfterMs)
	if !strings.HasPrefix(o.Result, "AbortError") {
		t.Errorf("translate with an aborted signal: %s, want an AbortError", o.Result)
	} else if o.AfterMs > 3000 {
		t.Errorf("translate rejected %.0f ms after the abort", o.AfterMs)
	}
	// An already aborted signal rejects at once.
	if got := eval[string](t, b, fmt.Sprintf(`window.cyclegan.translate(new ImageData(8, 8), {model: %q, signal: AbortSignal.abort()}).then(() => 'resolved', (e) => e.name)`, modelName)); got != "AbortError" {
		t.Errorf("translate with an aborted signal: %s", got)
	}
	// window.cyclegan.cancel() stops a running translate.
	js = fmt.Sprintf(`(async () => {
		if (typeof window.cyclegan.cancel !== 'function') return 'window.cyclegan.cancel is ' + typeof window.cyclegan.cancel;
		let cancelled = false;
		const p = window.cyclegan.translate(new ImageData(%d, %d), {model: %q,
			onProgress: () => { if (!cancelled) { cancelled = true; window.cyclegan.cancel(); } }});
		try { await p; return 'resolved'; } catch (e) { return e.name + ': ' + e.message; }
	})()`, uxLong, uxLong, modelName)
	if got := eval[string](t, b, js); !strings.HasPrefix(got, "AbortError") {
		t.Errorf("window.cyclegan.cancel(): translate %s, want an AbortError", got)
	}
	// It still translates, in both directions (the fresh worker reloads the model).
	small := synthetic(13, 11)
	compare(t, "translate after cancelling", translateInPage(t, b, small, "BtoA"), native(t, small, "BtoA"))

	// The page's Cancel button: hidden when idle, shown and labelled while working.
	if eval[bool](t, b, `!!document.getElementById('cancel') && !document.getElementById('cancel').hidden`) {
		t.Errorf("a Cancel button is shown while nothing runs")
	}
	uxSetMaxSide(t, b, uxLong)
	b.do(t, chromedp.SetUploadFiles("#file", []string{uxPNG(t, "big", synthetic(uxLong, uxLong*3/4))}))
	uxWaitTranslating(t, b)
	if !eval[bool](t, b, `(() => { const c = document.getElementById('cancel'); return !!c && !c.hidden && !c.disabled && c.textContent.trim() !== ''; })()`) {
		t.Fatalf("no Cancel button is offered while translating (status %q)", uxLabel(t, b))
	}
	start := time.Now()
	eval[chromedp.Void](t, b, `document.getElementById('cancel').click()`)
	s := b.waitState(t, "ready", "done", "error")
	t.Logf("after Cancel: state %s in %v, status %q", s, time.Since(start).Round(time.Millisecond), uxLabel(t, b))
	if s != "ready" {
		t.Errorf("after Cancel the page state is %s (error %q), want ready", s, b.errorText(t))
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Cancel took %v", d)
	}
	if eval[bool](t, b, `!document.getElementById('cancel').hidden`) {
		t.Errorf("the Cancel button is still shown after cancelling")
	}
	if w := eval[int](t, b, `document.getElementById('result').width`); w != 0 {
		t.Errorf("after Cancel the result canvas shows a %d px wide image", w)
	}
	// And the page translates the next photo.
	b.do(t, chromedp.SetUploadFiles("#file", []string{uxPNG(t, "small", small)}))
	if s := b.waitState(t, "done", "error"); s != "done" {
		t.Fatalf("after Cancel: page state %s, error %q", s, b.errorText(t))
	}
	uxWaitResult(t, b, "the next photo after Cancel", native(t, small, "AtoB"))

	// A model loaded from a file is loaded again by the fresh worker after a
	// cancel, and the chosen direction stays.
	b.do(t, chromedp.SetUploadFiles("#model-file", []string{modelPath}))
	for deadline := time.Now().Add(time.Minute); eval[string](t, b, `document.getElementById('model').value`) != modelName+".cgw"; {
		if time.Now().After(deadline) {
			t.Fatalf("the model file was never selected (status %q, error %q)", uxLabel(t, b), b.errorText(t))
		}
		time.Sleep(30 * time.Millisecond)
	}
	b.waitState(t, "done")
	eval[chromedp.Void](t, b, `(() => {
		const d = document.getElementById('direction');
		d.value = 'BtoA';
		d.dispatchEvent(new Event('change'));
	})()`)
	b.waitState(t, "done")
	b.do(t, chromedp.SetUploadFiles("#file", []string{uxPNG(t, "big", synthetic(uxLong, uxLong*3/4))}))
	uxWaitTranslating(t, b)
	eval[chromedp.Void](t, b, `document.getElementById('cancel').click()`)
	b.waitState(t, "ready")
	b.do(t, chromedp.SetUploadFiles("#file", []string{uxPNG(t, "small", small)}))
	if s := b.waitState(t, "done", "error"); s != "done" {
		t.Fatalf("after Cancel with a model file: page state %s, error %q", s, b.errorText(t))
	}
	if got := eval[string](t, b, `document.getElementById('model').value + ' ' + document.getElementById('direction').value`); got != modelName+".cgw BtoA" {
		t.Errorf("after Cancel and reloading the model file, model and direction are %q, want %s.cgw BtoA", got, modelName)
	}
	uxWaitResult(t, b, "the model file after Cancel", native(t, small, "BtoA"))
}

// A photo dropped while another is translated waits; a third replaces it
// (at most one waits), and its time is its own.
func TestPageDroppedPhotoReplacesWaitingOne(t *testing.T) {
	dir := builtSite(t)
	b := newBrowser(t)
	srv := serve(t, dir)
	b.open(t, srv.URL+"/")
	// Record the translations the page sends to its worker (the page looks
	// postMessage up on the prototype at every call, fresh workers too), and
	// hold the first one back for a few seconds: a long run on any machine.
	// Also note when a result appears (the result canvas changes size).
	eval[chromedp.Void](t, b, `(() => {
		window.uxSent = [];
		const post = Worker.prototype.postMessage;
		let held = false;
		Worker.prototype.postMessage = function (m, transfer) {
			// one message a photo: 'translate', or band 0 of a photo split
			// across workers (the other bands wait for its rows)
			if (!m || m.type !== 'translate' && !(m.type === 'translateBand' && m.index === 0)) return post.call(this, m, transfer);
			const send = () => {
				window.uxSent.push({W: m.width, H: m.height, At: performance.now()});
				post.call(this, m, transfer);
			};
			if (held) return send();
			held = true;
			setTimeout(send, 4000);
		};
		window.uxResults = [];
		const result = document.getElementById('result');
		new MutationObserver(() => window.uxResults.push({W: result.width, H: result.height, At: performance.now()})).
			observe(result, {attributes: true, attributeFilter: ['width']});
	})()`)
	b.do(t, chromedp.SetUploadFiles("#file", []string{uxPNG(t, "first", synthetic(300, 200))}))
	b.waitState(t, "working")
	b.do(t, chromedp.SetUploadFiles("#file", []string{uxPNG(t, "second", synthetic(40, 30))}))
	time.Sleep(300 * time.Millisecond) // the second photo is decoded before the third arrives
	third := synthetic(50, 20)
	b.do(t, chromedp.SetUploadFiles("#file", []string{uxPNG(t, "third", third)}))
	droppedAt := eval[float64](t, b, `performance.now()`)
	deadline := time.Now().Add(2 * time.Minute)
	for eval[int](t, b, `document.getElementById('result').width`) != 50 || eval[string](t, b, `document.body.dataset.state`) != "done" {
		if time.Now().After(deadline) {
			t.Fatalf("the third photo's result never came (status %q, error %q)", uxLabel(t, b), b.errorText(t))
		}
		time.Sleep(50 * time.Millisecond)
	}
	now := eval[float64](t, b, `performance.now()`)
	type sent struct {
		W, H int
		At   float64
	}
	msgs := eval[[]sent](t, b, `window.uxSent`)
	var sizes []string
	for _, m := range msgs {
		sizes = append(sizes, fmt.Sprintf("%d×%d", m.W, m.H))
	}
	if got, want := strings.Join(sizes, " "), "300×200 50×20"; got != want {
		t.Errorf("translated %s, want %s (the second photo replaced by the third)", got, want)
	}
	uxWaitResult(t, b, "the third photo", native(t, third, "AtoB"))
	// Its time counts from its own start, not from when it was dropped. Its
	// own run starts after the first photo's result has come and after its
	// own translation was sent to the worker.
	label := uxLabel(t, b)
	m := regexp.MustCompile(`([0-9.]+) s`).FindStringSubmatch(label)
	if m == nil {
		t.Fatalf("status %q gives no time", label)
	}
	reported, _ := strconv.ParseFloat(m[1], 64)
	ownStart := msgs[len(msgs)-1].At
	for _, r := range eval[[]sent](t, b, `window.uxResults`) {
		if r.W == 300 {
			ownStart = max(ownStart, r.At)
		}
	}
	own := (now - ownStart) / 1000
	waited := (ownStart - droppedAt) / 1000
	t.Logf("status %q; the third photo waited %.1f s, its own run took at most %.1f s", label, waited, own)
	if reported > own+0.2 {
		t.Errorf("the status reports %.1f s for the third photo, but its translation started only %.1f s before it was done (it waited %.1f s before)", reported, own, waited)
	}
}

// A damaged or incomplete image file is reported as such, not as "not an
// image"; a file that is no image at all still is.
func TestPageDamagedImage(t *testing.T) {
	dir := builtSite(t)
	b := newBrowser(t)
	srv := serve(t, dir)
	b.open(t, srv.URL+"/")
	var jpg, pngb bytes.Buffer
	if err := jpeg.Encode(&jpg, synthetic(160, 120), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(&pngb, synthetic(160, 120)); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"holiday.jpg", jpg.Bytes()[:jpg.Len()/2], "damaged or incomplete"},
		{"holiday.png", pngb.Bytes()[:pngb.Len()/3], "damaged or incomplete"},
		{"anim.gif", []byte("GIF89a\x10\x00\x10\x00"), "damaged or incomplete"},
		{"pic.webp", []byte("RIFF\x20\x00\x00\x00WEBPVP8 \x10\x00\x00\x00garbage"), "damaged or incomplete"},
		{"notes.txt", []byte("these are my holiday notes, not a photo"), "not an image"},
	}
	for _, c := range cases {
		eval[chromedp.Void](t, b, `document.getElementById('error').hidden = true`)
		b.do(t, chromedp.SetUploadFiles("#file", []string{uxFile(t, c.name, c.data)}))
		msg := b.waitError(t)
		t.Logf("%s: %s", c.name, msg)
		if !strings.Contains(msg, c.want) || !strings.Contains(msg, c.name) {
			t.Errorf("%s: error %q, want one naming the file and saying %q", c.name, msg, c.want)
		}
		if c.want != "not an image" && strings.Contains(msg, "not an image") {
			t.Errorf("%s: error %q calls a damaged image not an image", c.name, msg)
		}
	}
}

// After an error, the previous result, size note and Download button are
// gone.
func TestPageErrorClearsResult(t *testing.T) {
	dir := builtSite(t)
	b := newBrowser(t)
	srv := serve(t, dir)
	b.open(t, srv.URL+"/")
	uxSetMaxSide(t, b, 64)
	b.do(t, chromedp.SetUploadFiles("#file", []string{uxPNG(t, "photo", synthetic(100, 80))}))
	if s := b.waitState(t, "done", "error"); s != "done" {
		t.Fatalf("page state %s, error %q", s, b.errorText(t))
	}
	type view struct {
		ResultW, OriginalW int
		SizeNote, Download bool
		Elapsed            string
	}
	look := `(() => ({
		ResultW: document.getElementById('result').width,
		OriginalW: document.getElementById('original').width,
		SizeNote: !document.getElementById('size-note').hidden,
		Download: !document.getElementById('download').hidden,
		Elapsed: document.getElementById('elapsed').textContent,
	}))()`
	v := eval[view](t, b, look)
	if v.ResultW != 64 || !v.SizeNote || !v.Download {
		t.Fatalf("after a result: %+v, want a 64 px result, the size note and a Download button", v)
	}
	b.do(t, chromedp.SetUploadFiles("#file", []string{uxFile(t, "notes.txt", []byte("not a photo"))}))
	msg := b.waitError(t)
	v = eval[view](t, b, look)
	t.Logf("error %q; then %+v", msg, v)
	if v.ResultW != 0 || v.SizeNote || v.Download || v.Elapsed != "" {
		t.Errorf("after the error %q the page still shows the previous result: %+v", msg, v)
	}
	if v.OriginalW != 0 {
		t.Errorf("after the error %q the page still shows the previous photo (%d px wide)", msg, v.OriginalW)
	}
}

// Progress is told in percent and time left, not in layers.
func TestPageProgressInUsersTerms(t *testing.T) {
	dir := builtSite(t)
	b := newBrowser(t)
	srv := serve(t, dir)
	b.open(t, srv.URL+"/")
	uxSetMaxSide(t, b, uxLong)
	b.do(t, chromedp.SetUploadFiles("#file", []string{uxPNG(t, "big", synthetic(uxLong, uxLong*3/4))}))
	seen := map[string]bool{}
	var order []string
	deadline := time.Now().Add(2 * time.Minute)
	for {
		label := uxLabel(t, b)
		if strings.HasPrefix(label, "Translating") && !seen[label] {
			seen[label] = true
			order = append(order, label)
		}
		if s := eval[string](t, b, `document.body.dataset.state`); s == "done" || s == "error" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the translation never ended")
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("progress: %q", order)
	percent, left := false, false
	for _, l := range order {
		if strings.Contains(l, "layer") {
			t.Errorf("progress %q talks of layers", l)
		}
		percent = percent || regexp.MustCompile(`\d+ ?%`).MatchString(l)
		left = left || strings.Contains(l, "left")
	}
	if !percent {
		t.Errorf("progress never in percent: %q", order)
	}
	// The time left is estimated after a second of work: a fast machine may
	// be done before.
	label := uxLabel(t, b)
	secs := 0.0
	if m := regexp.MustCompile(`Done in ([0-9.]+) s`).FindStringSubmatch(label); m != nil {
		secs, _ = strconv.ParseFloat(m[1], 64)
	}
	switch {
	case left:
	case secs < 2:
		t.Logf("the translation took %.1f s (%q), too short to estimate the time left", secs, label)
	default:
		t.Errorf("progress never says how much time is left in %.1f s: %q", secs, order)
	}
}

// Cancelling works offline too: the fresh worker and the model it reloads
// come from the service worker's cache.
func TestPageCancelOffline(t *testing.T) {
	dir := builtSite(t)
	b := newBrowser(t)
	srv := serve(t, dir)
	b.open(t, srv.URL+"/")
	eval[chromedp.Void](t, b, `navigator.serviceWorker.ready.then(() => new Promise((res) => {
		if (navigator.serviceWorker.controller) return res();
		navigator.serviceWorker.addEventListener('controllerchange', () => res());
	}))`)
	srv.Close() // the network is gone
	got := eval[string](t, b, fmt.Sprintf(`(async () => {
		const ac = new AbortController();
		const p = window.cyclegan.translate(new ImageData(%d, %d), {model: %q, signal: ac.signal, onProgress: () => ac.abort()});
		try { await p; return 'resolved'; } catch (e) { return e.name + ': ' + e.message; }
	})()`, uxLong, uxLong, modelName))
	if !strings.HasPrefix(got, "AbortError") {
		t.Errorf("aborted translate: %s, want an AbortError", got)
	}
	img := synthetic(17, 9)
	compare(t, "offline translate after cancelling", translateInPage(t, b, img, "AtoB"), native(t, img, "AtoB"))
}
