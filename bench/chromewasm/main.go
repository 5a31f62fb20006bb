// Command chromewasm runs a GOOS=js GOARCH=wasm program in headless Chromium
// and prints what it writes, so that wasm benchmarks measure the engine the
// page runs on (V8 in Chromium) rather than node's older one. It works as a
// `go test -exec` program:
//
//	go build -o bin/chromewasm ./bench/chromewasm     # natively, not for js
//	GOOS=js GOARCH=wasm go test -exec=$PWD/bin/chromewasm \
//	    -run '^$' -bench 'Gemm/.*/wasm|GeneratorForward' -benchtime 2x ./nn
//
// The program runs in a Web Worker, as the page's translator does. It gets
// its arguments but no file system: benchmarks work, tests that read files
// do not. Chromium comes from $CHROME or the usual names (Debian:
// apt-get install chromium); $CHROMEWASM_JS_FLAGS goes to V8 (for example
// --no-liftoff, so that no timed run executes baseline-compiled code).
// Exit status: the program's.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cyclegan-go/cyclegan/site/chrome"
)

// page starts the worker and forwards its output and exit status.
const page = `<!doctype html><meta charset="utf-8"><title>chromewasm</title>
<script>
let out = [];
window.__take = () => { const s = out.join("\n"); out = []; return s; };
const w = new Worker("worker.js");
w.onmessage = (e) => {
  if (e.data.out !== undefined) out.push(e.data.out);
  if (e.data.exit !== undefined) window.__exit = e.data.exit;
};
w.onerror = (e) => { if (window.__exit !== undefined) return; out.push("chromewasm: worker: " + e.message); window.__exit = 2; };
</script>`

// worker runs the program with wasm_exec.js; Go's fs shim writes its output
// with console.log, which the worker sends to the page, where run polls it.
const worker = `importScripts("wasm_exec.js");
console.log = (s) => postMessage({out: String(s)});
console.warn = () => {};
(async () => {
  const args = await (await fetch("args.json")).json();
  const go = new Go();
  go.argv = ["prog.wasm", ...args];
  let code = 0;
  go.exit = (c) => { code = c; };
  try {
    const r = await WebAssembly.instantiateStreaming(fetch("prog.wasm"), go.importObject);
    await go.run(r.instance);
  } catch (e) {
    postMessage({out: "chromewasm: " + e});
    code = 2;
  }
  postMessage({exit: code});
})();`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: chromewasm PROGRAM.wasm [ARG...]")
		os.Exit(2)
	}
	code, err := run(os.Args[1], os.Args[2:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "chromewasm:", err)
		os.Exit(2)
	}
	os.Exit(code)
}

func run(prog string, args []string) (int, error) {
	wasmExec := filepath.Join(runtime.GOROOT(), "lib", "wasm", "wasm_exec.js")
	if out, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
		wasmExec = filepath.Join(strings.TrimSpace(string(out)), "lib", "wasm", "wasm_exec.js")
	}
	argsJSON, err := json.Marshal(append([]string{}, args...)) // [] rather than null when empty
	if err != nil {
		return 0, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, page)
	})
	mux.HandleFunc("/worker.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, worker)
	})
	mux.HandleFunc("/args.json", func(w http.ResponseWriter, r *http.Request) { w.Write(argsJSON) })
	mux.HandleFunc("/wasm_exec.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		http.ServeFile(w, r, wasmExec)
	})
	mux.HandleFunc("/prog.wasm", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/wasm")
		http.ServeFile(w, r, prog)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	exe, err := chrome.Find()
	if err != nil {
		return 0, err
	}
	dir, err := os.MkdirTemp("", "chromewasm-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(),
		append(chrome.Options(exe, dir), chromedp.Flag("js-flags", os.Getenv("CHROMEWASM_JS_FLAGS")))...)
	defer cancelA()
	ctx, cancelC := chromedp.NewContext(actx)
	defer cancelC()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
		return 0, err
	}
	for {
		// Read the exit status before the output, so that no line written
		// before the exit is left behind.
		code, err := chromedp.Run(ctx, chromedp.Evaluate[*int](`window.__exit ?? null`))
		if err != nil {
			return 0, err
		}
		text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.__take()`))
		if err != nil {
			return 0, err
		}
		if text != "" {
			fmt.Println(text)
		}
		if code != nil {
			return *code, nil
		}
		time.Sleep(200 * time.Millisecond)
	}
}
