package browsertest

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cyclegan-go/cyclegan/nn"
	"github.com/cyclegan-go/cyclegan/site"
	"github.com/cyclegan-go/cyclegan/translate"
	"github.com/cyclegan-go/cyclegan/weights"
)

// ortModels are the generators bench/ort_web/prepare.sh writes, as NAME.onnx
// (for ONNX Runtime Web) and NAME.cgw (ours) from the same NAME.pth.
var ortModels = []struct{ name, label string }{
	{"ngf16_b6", "ngf 16, 6 blocks (the 2026-11-26 models' architecture)"},
	{"ngf32_b9", "ngf 32, 9 blocks (the architecture `make models` trains)"},
	{"ngf64_b9", "ngf 64, 9 blocks"},
}

// ortSizes are the image sides timed (square images).
var ortSizes = []int{256, 512}

// ortThreads are ONNX Runtime Web's thread counts, one page each.
var ortThreads = []int{1, 2}

// ortAgreeLimit is the largest difference allowed between ONNX Runtime
// Web's output and ours on the same input: 2/255 on the generator's [-1, 1]
// outputs (float32 rounding gives about 1e-4), and 2/255 on the pixels.
const ortAgreeLimit = 2.0 / 255

// BenchmarkORTWeb times our translator and ONNX Runtime Web (npm
// onnxruntime-web 1.30, wasm backend with SIMD) side by side in headless
// Chromium, in the same run, on the same weights: random-initialised
// official ResNet generators saved by PyTorch, exported to ONNX for ORT and
// imported with `cyclegan import --dtype f32` for us. Not run by CI; it
// skips unless bench/ort_web/prepare.sh has filled the cache (ORT_WEB_CACHE,
// default .cache/ort-web). Example:
//
//	bench/ort_web/prepare.sh
//	go test -run '^$' -bench ORTWeb -benchtime 3x -timeout 60m ./site/browsertest
//
// Sub-benchmarks are MODEL/SIZE/ENGINE, ENGINE one of ours (one worker,
// ?workers=1, as BenchmarkBrowserTranslate), ours-all (the page's default:
// one worker a core, site/pool.js, on a page served WITHOUT cross-origin
// isolation, as any static host serves it), ort-1t and ort-2t (numThreads 1
// and 2). The other pages are served with cross-origin isolation headers
// (needed for ORT's threads), and the benchmark fails when one is not. ms/img is
// the time of one translation measured in the page with performance.now,
// after ortWarmups untimed warm-ups at that size. Before a model is timed, ORT's
// output (both thread counts) is compared with our native forward pass and
// with our page's pixels on one 256×256 image; a difference over 2/255 fails.
// At the end a table of all results is printed.
func BenchmarkORTWeb(b *testing.B) {
	cache := ortCache(b)
	browserTimeout = 2 * time.Hour
	r := &ortRun{cache: cache, warm: map[string]bool{}, checked: map[string]bool{},
		ms: map[string]float64{}, sessionMs: map[string]float64{}}
	r.version = readORTVersion(b, cache)

	// Our page: the built site publishing the imported .cgw files.
	dir := filepath.Join(b.TempDir(), "dist")
	if err := site.Build(site.BuildOptions{Out: dir, Models: filepath.Join(cache, "cgw")}); err != nil {
		b.Fatal(err)
	}
	r.ours = newBrowser(b)
	r.ours.open(b, serveIsolated(b, site.Handler(dir)).URL+"/?workers=1")
	requireIsolated(b, r.ours, "our page")
	r.oursAll = newBrowser(b)
	r.oursAll.open(b, serve(b, dir).URL+"/")
	if eval[bool](b, r.oursAll, `self.crossOriginIsolated`) {
		b.Fatal("our all-cores page is cross-origin isolated; it must run without")
	}
	r.workers = eval[int](b, r.oursAll, `window.cyclegan.workers`)
	r.chrome = eval[string](b, r.ours, `(async () => {
		const d = navigator.userAgentData;
		const v = d && (await d.getHighEntropyValues(['fullVersionList'])).fullVersionList.find((e) => /Chrom/.test(e.brand));
		return v ? v.brand + ' ' + v.version : navigator.userAgent;
	})()`)

	// ORT's pages: a fresh browser per thread count.
	ortURL := serveIsolated(b, ortHandler(cache)).URL
	r.ort = map[int]*browser{}
	for _, n := range ortThreads {
		br := newForeignBrowser(b)
		br.do(b, chromedp.Navigate(fmt.Sprintf("%s/?threads=%d", ortURL, n)))
		eval[bool](b, br, `window.ortReady`)
		requireIsolated(b, br, fmt.Sprintf("the ORT page (%d threads)", n))
		r.ort[n] = br
	}

	for _, m := range ortModels {
		for _, size := range ortSizes {
			for _, engine := range r.engines() {
				b.Run(fmt.Sprintf("%s/%d/%s", m.name, size, engine), func(b *testing.B) {
					r.check(b, m.name)
					ms := r.measure(b, m.name, size, engine)
					b.ReportMetric(ms, "ms/img")
				})
			}
		}
	}
	r.printTable(os.Stdout)
	// The harness checks the pages' consoles at the end: ours must have no
	// errors, ORT's (newForeignBrowser) are logged.
}

// ortRun is the state of one BenchmarkORTWeb run: the pages, and the
// results so far keyed by "MODEL/SIZE/ENGINE".
type ortRun struct {
	cache, version, chrome string
	ours, oursAll          *browser         // one worker; the default workers, not isolated
	workers                int              // oursAll's workers
	ort                    map[int]*browser // by thread count
	warm, checked          map[string]bool
	ms                     map[string]float64 // mean ms per image
	sessionMs              map[string]float64 // ORT session creation, by "MODEL/ENGINE"
}

// engines lists the engines in the order they are timed.
func (r *ortRun) engines() []string {
	e := []string{"ours", "ours-all"}
	for _, n := range ortThreads {
		e = append(e, ortEngine(n))
	}
	return e
}

func ortEngine(threads int) string { return fmt.Sprintf("ort-%dt", threads) }

// ortWarmups is how many untimed translations precede the timed ones, for
// every engine alike: V8 compiles WebAssembly with a baseline compiler
// first and tiers hot functions up over the first runs (our first 256²
// translation takes about 1.4× the steady time, the second about 1.05×).
const ortWarmups = 2

// measure times b.N translations of a size×size image with one engine,
// after ortWarmups untimed ones the first time this model, size and engine
// are run, and returns the mean in milliseconds.
func (r *ortRun) measure(b *testing.B, model string, size int, engine string) float64 {
	key := fmt.Sprintf("%s/%d/%s", model, size, engine)
	var worker float64 // ours only: the part of the time spent in the worker
	once := func() float64 {
		t := ourTranslate(b, r.ours, model, size)
		worker += t.WorkerMs
		return t.TotalMs
	}
	if engine == "ours-all" {
		once = func() float64 { return ourTranslate(b, r.oursAll, model, size).TotalMs }
	} else if engine != "ours" {
		br := r.ort[r.threadsOf(engine)]
		r.ortSession(b, br, model, engine)
		once = func() float64 { return eval[float64](b, br, fmt.Sprintf(`window.ortBench.time(%q, %d)`, model, size)) }
	}
	if !r.warm[key] {
		for range ortWarmups {
			once()
		}
		r.warm[key] = true
	}
	b.ResetTimer()
	worker = 0
	var total float64
	for i := 0; i < b.N; i++ {
		total += once()
	}
	b.StopTimer()
	if engine == "ours" {
		b.ReportMetric(worker/float64(b.N), "worker-ms/img")
	}
	r.ms[key] = total / float64(b.N)
	return r.ms[key]
}

func (r *ortRun) threadsOf(engine string) int {
	for _, n := range ortThreads {
		if ortEngine(n) == engine {
			return n
		}
	}
	panic("unknown engine " + engine)
}

// ortSession creates ORT's session for model in a page once, recording how
// long that took (the first one includes compiling ORT's .wasm).
func (r *ortRun) ortSession(t testing.TB, br *browser, model, engine string) {
	t.Helper()
	key := model + "/" + engine
	if _, ok := r.sessionMs[key]; ok {
		return
	}
	r.sessionMs[key] = eval[float64](t, br, fmt.Sprintf(`window.ortBench.load(%q)`, model))
	// ORT falls back to one thread, with only a console warning, when it
	// cannot start threads; make that loud.
	if n, want := eval[int](t, br, `ort.env.wasm.numThreads`), r.threadsOf(engine); n != want {
		t.Fatalf("%s: ort.env.wasm.numThreads is %d after creating a session, want %d", engine, n, want)
	}
}

// check compares, once per model, ORT's output (each thread count) with our
// native forward pass (floats) and with our page's pixels on a 256×256
// image. Agreement within 2/255 shows both engines run the same weights.
func (r *ortRun) check(b *testing.B, model string) {
	if r.checked[model] {
		return
	}
	const size = 256
	img := synthetic(size, size)
	x, err := translate.PixelsToTensor(translate.Pixels{W: size, H: size, Channels: 4, Pix: img.Pix}, 3)
	if err != nil {
		b.Fatal(err)
	}
	f, err := weights.ReadFile(filepath.Join(r.cache, "cgw", model+".cgw"))
	if err != nil {
		b.Fatal(err)
	}
	g, err := f.Generator(f.Meta.Generator("G_A"))
	if err != nil {
		b.Fatal(err)
	}
	native, err := g.Forward(x)
	if err != nil {
		b.Fatal(err)
	}
	page := translateModelInPage(b, r.ours, img, model, "AtoB")
	for _, n := range ortThreads {
		engine := ortEngine(n)
		br := r.ort[n]
		r.ortSession(b, br, model, engine)
		out := float32s(b, eval[string](b, br, fmt.Sprintf(`window.ortBench.run(%q, %q, %d, %d)`,
			model, base64.StdEncoding.EncodeToString(float32Bytes(x.Data)), size, size)))
		if len(out) != len(native.Data) {
			b.Fatalf("%s %s: ORT gave %d values, we %d", model, engine, len(out), len(native.Data))
		}
		var worst float64
		for i, v := range out {
			worst = max(worst, math.Abs(float64(v)-float64(native.Data[i])))
		}
		y := nn.NewTensor(1, 3, size, size)
		copy(y.Data, out)
		px, err := translate.TensorToPixels(y, size, size, 4)
		if err != nil {
			b.Fatal(err)
		}
		worstPx, _, _ := byteDiff(px.Pix, page)
		b.Logf("%s %s vs ours: max |Δ| %.2g on [-1, 1] outputs (native Go), %d/255 on pixels (our page)", model, engine, worst, worstPx)
		if worst > ortAgreeLimit || float64(worstPx)/255 > ortAgreeLimit {
			b.Fatalf("%s: ORT (%s) and ours differ by %.3g on [-1, 1] outputs and %d/255 on pixels (limit 2/255): not the same weights?",
				model, engine, worst, worstPx)
		}
	}
	r.checked[model] = true
}

// printTable writes the results (ms per image) side by side.
func (r *ortRun) printTable(w *os.File) {
	cell := func(key string) string {
		if v, ok := r.ms[key]; ok {
			return fmt.Sprintf("%.0f", v)
		}
		return "—"
	}
	fmt.Fprintf(w, "\nTranslation time in %s, ms per image (ours: one worker; ours-all: %d workers, page not isolated; ORT: onnxruntime-web %s, wasm SIMD)\n", r.chrome, r.workers, r.version)
	fmt.Fprintf(w, "%-50s  %4s  %9s  %9s  %9s  %9s  %12s  %15s\n", "model", "size", "ours", "ours-all", "ORT 1t", "ORT 2t", "ours/ORT-1t", "ours-all/ORT-2t")
	for _, m := range ortModels {
		for _, size := range ortSizes {
			k := fmt.Sprintf("%s/%d/", m.name, size)
			ratio := func(a, b string) string {
				if o, ok := r.ms[k+a]; ok {
					if t, ok := r.ms[k+b]; ok && t > 0 {
						return fmt.Sprintf("%.2f", o/t)
					}
				}
				return "—"
			}
			fmt.Fprintf(w, "%-50s  %4d  %9s  %9s  %9s  %9s  %12s  %15s\n", m.label, size, cell(k+"ours"), cell(k+"ours-all"),
				cell(k+"ort-1t"), cell(k+"ort-2t"), ratio("ours", "ort-1t"), ratio("ours-all", "ort-2t"))
		}
	}
	var sessions []string
	for _, m := range ortModels {
		for _, n := range ortThreads {
			if v, ok := r.sessionMs[m.name+"/"+ortEngine(n)]; ok {
				sessions = append(sessions, fmt.Sprintf("%s %s %.0f ms", m.name, ortEngine(n), v))
			}
		}
	}
	if len(sessions) > 0 {
		fmt.Fprintf(w, "ORT session creation (the first per page includes compiling ORT's .wasm): %s\n", strings.Join(sessions, ", "))
	}
	fmt.Fprintln(w)
}

// ortCache returns the folder prepare.sh fills, or skips the benchmark.
func ortCache(t testing.TB) string {
	t.Helper()
	cache := os.Getenv("ORT_WEB_CACHE")
	if cache == "" {
		root, err := site.ModuleRoot()
		if err != nil {
			t.Fatal(err)
		}
		cache = filepath.Join(root, ".cache", "ort-web")
	}
	need := []string{"node_modules/onnxruntime-web/dist/ort.wasm.min.js"}
	for _, m := range ortModels {
		need = append(need, "torch/"+m.name+".onnx", "cgw/"+m.name+".cgw")
	}
	for _, n := range need {
		if _, err := os.Stat(filepath.Join(cache, n)); err != nil {
			t.Skipf("no %s: run bench/ort_web/prepare.sh first (it needs npm and PyTorch), or set ORT_WEB_CACHE to the folder it filled", filepath.Join(cache, n))
		}
	}
	return cache
}

// readORTVersion is the installed onnxruntime-web version.
func readORTVersion(t testing.TB, cache string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(cache, "node_modules", "onnxruntime-web", "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	var pkg struct{ Version string }
	if err := json.Unmarshal(b, &pkg); err != nil {
		t.Fatal(err)
	}
	return pkg.Version
}

// serveIsolated serves h with the headers that make a page cross-origin
// isolated (window.crossOriginIsolated, SharedArrayBuffer, and so wasm
// threads).
func serveIsolated(t testing.TB, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cross-Origin-Opener-Policy", "same-origin")
		w.Header().Set("Cross-Origin-Embedder-Policy", "require-corp")
		w.Header().Set("Cross-Origin-Resource-Policy", "same-origin")
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// requireIsolated fails unless the page is cross-origin isolated.
func requireIsolated(t testing.TB, br *browser, what string) {
	t.Helper()
	if !eval[bool](t, br, `self.crossOriginIsolated === true`) {
		t.Fatalf("%s is not cross-origin isolated (crossOriginIsolated false): ORT's threads cannot run", what)
	}
}

// ortHandler serves the ORT page at /, onnxruntime-web's dist/ at /ort/ and
// the .onnx files at /models/.
func ortHandler(cache string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprint(w, ortPage)
	})
	files := func(dir string) http.Handler {
		fs := http.FileServer(http.Dir(dir))
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch filepath.Ext(r.URL.Path) {
			case ".js", ".mjs":
				w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
			case ".wasm":
				w.Header().Set("Content-Type", "application/wasm")
			default:
				w.Header().Set("Content-Type", "application/octet-stream")
			}
			fs.ServeHTTP(w, r)
		})
	}
	mux.Handle("/ort/", http.StripPrefix("/ort/", files(filepath.Join(cache, "node_modules", "onnxruntime-web", "dist"))))
	mux.Handle("/models/", http.StripPrefix("/models/", files(filepath.Join(cache, "torch"))))
	return mux
}

// ortPage is the minimal ORT page. ?threads=N sets ort.env.wasm.numThreads
// (before the first session, as ORT requires). window.ortBench.load(name)
// creates the session for models/NAME.onnx and resolves to its creation
// time in ms; time(name, size) runs one inference on a size×size input and
// resolves to its time in ms; run(name, b64, h, w) runs a 1×3×h×w input
// (little-endian float32, base64) and resolves to the output, encoded the
// same way.
const ortPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ONNX Runtime Web benchmark</title><link rel="icon" href="data:,">
<script src="/ort/ort.wasm.min.js"></script>
<script>
'use strict';
ort.env.wasm.numThreads = Number(new URLSearchParams(location.search).get('threads') || 1);
ort.env.wasm.simd = true;
ort.env.wasm.proxy = false;
ort.env.wasm.wasmPaths = new URL('/ort/', location.href).href;
const sessions = new Map();
const inputs = new Map();
function toBase64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
async function infer(name, data, h, w) {
  const s = sessions.get(name);
  const out = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', data, [1, 3, h, w]) });
  return out[s.outputNames[0]];
}
window.ortBench = {
  async load(name) {
    const t0 = performance.now();
    sessions.set(name, await ort.InferenceSession.create('/models/' + name + '.onnx',
      { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }));
    return performance.now() - t0;
  },
  async time(name, size) {
    if (!inputs.has(size)) {
      const x = new Float32Array(3 * size * size);
      for (let i = 0; i < x.length; i++) x[i] = ((i * 37) & 255) / 127.5 - 1;
      inputs.set(size, x);
    }
    const t0 = performance.now();
    const y = await infer(name, inputs.get(size), size, size);
    const ms = performance.now() - t0;
    y.dispose();
    return ms;
  },
  async run(name, b64, h, w) {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const y = await infer(name, new Float32Array(bytes.buffer), h, w);
    const out = toBase64(new Uint8Array(y.data.buffer, y.data.byteOffset, y.data.byteLength));
    y.dispose();
    return out;
  },
};
window.ortReady = true;
</script></head><body><p>ONNX Runtime Web benchmark page (site/browsertest/ort_bench_test.go).</p></body></html>
`

func float32Bytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return b
}

func float32s(t testing.TB, b64 string) []float32 {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(b64)
	if err == nil && len(b)%4 != 0 {
		err = errors.New("length not a multiple of 4")
	}
	if err != nil {
		t.Fatalf("decoding ORT's output: %v", err)
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}
