package browsertest

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"iter"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cyclegan-go/cyclegan/site"
	"github.com/cyclegan-go/cyclegan/site/chrome"
	"github.com/cyclegan-go/cyclegan/weights"
)

// The shared build: one site with one tiny two-direction model.
var (
	buildOnce sync.Once
	buildDir  string // the built site
	modelPath string // the published weight file (same bytes as the site's copy)
	buildErr  error
	tmpRoot   string
)

const modelName = "tiny"

// browserTimeout bounds one browser session (the benchmarks raise it).
var browserTimeout = 3 * time.Minute

func TestMain(m *testing.M) {
	code := m.Run()
	if tmpRoot != "" {
		os.RemoveAll(tmpRoot)
	}
	os.Exit(code)
}

// builtSite builds the site once per test binary.
func builtSite(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		tmpRoot, buildErr = os.MkdirTemp("", "cyclegan-browsertest-")
		if buildErr != nil {
			return
		}
		models := filepath.Join(tmpRoot, "models")
		os.MkdirAll(models, 0o755)
		modelPath = filepath.Join(models, modelName+".cgw")
		if buildErr = weights.WriteFile(modelPath, site.TinyModel(modelName, 4, 2, 7, "G_A", "G_B")); buildErr != nil {
			return
		}
		buildDir = filepath.Join(tmpRoot, "dist")
		buildErr = site.Build(site.BuildOptions{Out: buildDir, Models: models})
	})
	if buildErr != nil {
		t.Fatalf("building the site: %v", buildErr)
	}
	return buildDir
}

// chromePath finds Chromium or fails the test with what to do.
func chromePath(t testing.TB) string {
	t.Helper()
	p, err := chrome.Find()
	if err == nil {
		return p
	}
	msg := err.Error()
	if os.Getenv("CYCLEGAN_SKIP_BROWSER") == "1" {
		t.Skip(msg + "; skipped because CYCLEGAN_SKIP_BROWSER=1")
	}
	t.Fatal(msg + "; set CYCLEGAN_SKIP_BROWSER=1 to skip the browser tests explicitly")
	return ""
}

// serve starts a server for dir; stop it with Close (the offline test does).
func serve(t testing.TB, dir string) *httptest.Server {
	srv := httptest.NewServer(site.Handler(dir))
	t.Cleanup(srv.Close)
	return srv
}

// browser is one fresh headless Chromium (own profile). It collects the
// page's console errors and uncaught exceptions, and at the end of the test
// checks them (see checkConsole): a test cannot forget to.
type browser struct {
	ctx context.Context

	mu        sync.Mutex
	errors    []string // console errors and uncaught exceptions, in order
	marks     []string // the check marks the collector has seen
	streamErr error    // why the console stream ended while the browser ran
	ended     bool     // the collector has stopped

	// foreign is set for pages that are not ours (ONNX Runtime Web's in the
	// benchmark): their console errors are logged, not failures.
	foreign bool
	// expected are substrings of console errors the test causes on purpose
	// (see expectConsoleErrors); those are logged, not failures.
	expected []string
}

// newBrowser starts a browser for t, with Chromium's flags (switches
// without a value, such as "use-fake-device-for-media-stream") added. At
// the end of t its page must have written no console error, and the
// collector must prove it was listening.
func newBrowser(t testing.TB, flags ...string) *browser {
	t.Helper()
	exe := chromePath(t)
	opts := append(chrome.Options(exe, t.TempDir()), chromedp.Flag("force-color-profile", "srgb"))
	for _, f := range flags {
		opts = append(opts, chromedp.Flag(f, true))
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, browserTimeout)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	b := &browser{ctx: ctx}
	// Console starts the browser and subscribes before it returns, so no
	// message of the page is missed.
	b.collect(chromedp.Console(ctx))
	// Registered after the cancel above, so it runs first, while the
	// browser is still open.
	t.Cleanup(func() { b.checkConsole(t) })
	return b
}

// newForeignBrowser is newBrowser for a page that is not ours: its
// console errors are logged at the end, not counted as failures.
func newForeignBrowser(t testing.TB) *browser {
	t.Helper()
	b := newBrowser(t)
	b.foreign = true
	return b
}

// expectConsoleErrors declares console errors the test causes on purpose:
// an error containing one of the substrings is logged, not a failure.
func (b *browser) expectConsoleErrors(substrings ...string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.expected = append(b.expected, substrings...)
}

// consoleMark is the text of the message checkConsole writes to prove
// that the collector receives the page's console.
const consoleMark = "browsertest: console check "

// collect reads the console messages in the background until the stream
// ends, keeping the errors, the check marks, and why the stream ended.
func (b *browser) collect(msgs iter.Seq2[chromedp.ConsoleMessage, error]) {
	go func() {
		var err error
		for m, e := range msgs {
			if e != nil {
				err = e
				break
			}
			b.mu.Lock()
			switch {
			case strings.HasPrefix(m.Text, consoleMark):
				b.marks = append(b.marks, m.Text)
			case m.Type == chromedp.ConsoleError || m.IsException():
				b.errors = append(b.errors, fmt.Sprintf("%s (%s:%d)", m.String(), m.URL, m.Line))
			}
			b.mu.Unlock()
		}
		if err == nil {
			err = errors.New("the console stream closed")
		}
		b.mu.Lock()
		b.streamErr, b.ended = err, true
		b.mu.Unlock()
	}()
}

// checkConsole fails t when the page wrote console errors (for a foreign
// page it logs them), or when the collector cannot prove it was listening:
// then "no errors" would mean nothing.
func (b *browser) checkConsole(t testing.TB) {
	t.Helper()
	fail := t.Errorf
	if t.Failed() {
		fail = t.Logf // the test failed already; the browser may be gone with it
	}
	if err := b.proveListening(); err != nil {
		fail("console check: %v; the page's console errors are unknown", err)
		return
	}
	var unexpected []string
	for _, e := range b.consoleErrors() {
		if b.foreign || slices.ContainsFunc(b.expected, func(s string) bool { return strings.Contains(e, s) }) {
			t.Logf("console error (expected): %s", e)
		} else {
			unexpected = append(unexpected, e)
		}
	}
	if len(unexpected) > 0 {
		fail("console errors:\n%s", strings.Join(unexpected, "\n"))
	}
}

// proveListening writes a numbered mark to the page's console and waits
// until the collector has seen it. The messages keep their order, so every
// message the page wrote before the mark is collected by then.
func (b *browser) proveListening() error {
	b.mu.Lock()
	mark := fmt.Sprintf("%s%d", consoleMark, len(b.marks)+1)
	b.mu.Unlock()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[chromedp.Void](fmt.Sprintf("console.debug(%q)", mark))); err != nil {
		return fmt.Errorf("cannot write to the page's console: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		b.mu.Lock()
		seen, ended, streamErr := slices.Contains(b.marks, mark), b.ended, b.streamErr
		b.mu.Unlock()
		switch {
		case seen:
			return nil
		case ended:
			return fmt.Errorf("the console collector stopped early (%v)", streamErr)
		case time.Now().After(deadline):
			return fmt.Errorf("the console collector never received the mark %q", mark)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// consoleErrors are the console errors collected so far.
func (b *browser) consoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.errors)
}

func (b *browser) do(t testing.TB, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression (awaiting a promise) into T.
func eval[T any](t testing.TB, b *browser, expr string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluating %.80q: %v", expr, err)
	}
	return v
}

// open navigates to url and waits for window.cyclegan.ready.
func (b *browser) open(t testing.TB, url string) {
	t.Helper()
	b.do(t, chromedp.Navigate(url))
	eval[chromedp.Void](t, b, `window.cyclegan.ready`)
}

// waitState waits until document.body.dataset.state is one of want.
func (b *browser) waitState(t testing.TB, want ...string) string {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		s := eval[string](t, b, `document.body.dataset.state || ''`)
		for _, w := range want {
			if s == w {
				return s
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("page state never became %v", want)
	return ""
}

// errorText is the page's visible error message ("" when none is shown).
func (b *browser) errorText(t testing.TB) string {
	return eval[string](t, b, `(() => { const e = document.getElementById('error'); return e.hidden ? '' : e.textContent; })()`)
}

// waitError waits for a visible error message.
func (b *browser) waitError(t testing.TB) string {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if s := b.errorText(t); s != "" {
			return s
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("no error message appeared in the page")
	return ""
}

var (
	cliOnce sync.Once
	cliExe  string
	cliErr  error
)

// cyclegan builds the command once per test binary, beside the built site
// (removed by TestMain).
func cyclegan(t *testing.T) string {
	t.Helper()
	builtSite(t)
	cliOnce.Do(func() {
		var root string
		if root, cliErr = site.ModuleRoot(); cliErr != nil {
			return
		}
		cliExe = filepath.Join(tmpRoot, "cyclegan")
		build := exec.Command("go", "build", "-o", cliExe, "./trainer")
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			cliErr = err
			t.Logf("%s", out)
		}
	})
	if cliErr != nil {
		t.Fatalf("building cyclegan: %v", cliErr)
	}
	return cliExe
}

// readNRGBA decodes a PNG into 8-bit non-premultiplied RGBA.
func readNRGBA(t *testing.T, path string) *image.NRGBA {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	m, err := png.Decode(fh)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	bounds := m.Bounds()
	out := image.NewNRGBA(bounds)
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			out.Set(x, y, m.At(x, y))
		}
	}
	return out
}
