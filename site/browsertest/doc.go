// Package browsertest drives the built translator site in real headless
// Chromium (github.com/chromedp/chromedp): page load, translation through
// window.cyclegan.translate and through the file input compared with the
// native Go forward pass, offline reload through the service worker, and
// readable errors for bad files. Every page test also fails on a console
// error or uncaught exception of the page, and when the console collector
// cannot show that it was listening (harness_test.go, newBrowser).
//
// The tests build the site themselves (GOOS=js go build into a temporary
// folder). They need Chromium: `make test` installs it when it can
// (scripts/test-deps.sh); or set CHROME to its path, or install it at
// /usr/bin/chromium. Without one they fail, unless CYCLEGAN_SKIP_BROWSER=1
// says to skip them (never set on CI).
//
// Two benchmarks, never run by CI: BenchmarkBrowserTranslate times our
// translator alone; BenchmarkORTWeb times it side by side with ONNX Runtime
// Web on the same weights and skips unless bench/ort_web/prepare.sh (npm and
// PyTorch) has filled its cache. docs/PERF.md says how to run them.
package browsertest
