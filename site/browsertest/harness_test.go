package browsertest

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
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

// browser is one fresh headless Chromium (own profile) with its console
// errors collected.
type browser struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

func newBrowser(t testing.TB) *browser {
	t.Helper()
	exe := chromePath(t)
	opts := append(chrome.Options(exe, t.TempDir()), chromedp.Flag("force-color-profile", "srgb"))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, browserTimeout)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	b := &browser{ctx: ctx}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				b.mu.Lock()
				b.errors = append(b.errors, fmt.Sprintf("%s (%s:%d)", m.String(), m.URL, m.Line))
				b.mu.Unlock()
			}
		}
	}()
	return b
}

func (b *browser) consoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
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
