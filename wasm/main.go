//go:build js && wasm

// Command wasm is the browser translator: built with GOOS=js GOARCH=wasm
// into cyclegan.wasm, it runs inside site/worker.js and sets
// globalThis.cycleganGo to
//
//	load(id, stream, sha256, label, onProgress(bytes)) → Promise<{directions}>
//	translate(id, direction, pixels, width, height, onProgress(done, total, ms), source, scale)
//	    → Promise<{pixels, width, height, ms}>
//	unload(id)
//	version
//
// load decodes a weight file from a ReadableStream while it downloads;
// translate runs the generator on RGBA pixels (a Uint8ClampedArray); source,
// when given, is {width, height, maxSide}: the photo's size before the page
// scaled it (onProgress reports units of work); scale, when given, is
// "model" or "full" (translate.ParseScale; default translate.Default).
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"syscall/js"
	"time"

	"github.com/cyclegan-go/cyclegan/nn"
	"github.com/cyclegan-go/cyclegan/translate"
	"github.com/cyclegan-go/cyclegan/wasm/jsx"
	"github.com/cyclegan-go/cyclegan/weights"
)

var (
	mu     sync.Mutex
	models = map[string]*translate.Model{}
)

func main() {
	api := jsx.Obj(
		"load", jsx.Func(load),
		"translate", jsx.Func(translateJS),
		// the banded translation across workers (band.go)
		"connect", jsx.Func(connect),
		"plan", jsx.Func(plan),
		"translateBand", jsx.Func(translateBand),
		// the model-scale translation across workers (band_scale.go)
		"scaleDown", jsx.Func(scaleDown),
		"carryUp", jsx.Func(carryUp),
		"unload", js.FuncOf(func(_ js.Value, args []js.Value) any {
			if len(args) > 0 {
				mu.Lock()
				delete(models, args[0].String())
				mu.Unlock()
				runtime.GC()
			}
			return nil
		}),
		"version", runtime.Version()+" "+nn.GemmKernel(),
	)
	g := jsx.Global()
	g.Set("cycleganGo", api)
	if ready := g.Get("cycleganGoReady"); ready.Type() == js.TypeFunction {
		ready.Invoke()
	}
	select {}
}

// load(id, stream, sha256, label, onProgress)
func load(args []js.Value) (any, error) {
	if len(args) < 2 {
		return nil, errors.New("load(id, stream, sha256, label, onProgress): missing arguments")
	}
	id := args[0].String()
	label := id
	if len(args) > 3 && args[3].Type() == js.TypeString {
		label = args[3].String()
	}
	want := ""
	if len(args) > 2 && args[2].Type() == js.TypeString {
		want = strings.ToLower(args[2].String())
	}
	var onProgress js.Value
	if len(args) > 4 {
		onProgress = args[4]
	}
	sr, err := jsx.NewStreamReader(args[1])
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", label, err)
	}
	h := sha256.New()
	var last time.Time
	dec := weights.Decoder{Progress: func(done, total int64) {
		if onProgress.Type() == js.TypeFunction && (time.Since(last) > 50*time.Millisecond || done == total) {
			last = time.Now()
			onProgress.Invoke(float64(done))
		}
	}}
	f, err := dec.Decode(io.TeeReader(sr, h))
	if err != nil {
		sr.Cancel(err)
		return nil, fmt.Errorf("model file %s: %w", label, err)
	}
	if want != "" {
		if got := hex.EncodeToString(h.Sum(nil)); got != want {
			return nil, fmt.Errorf("model file %s: its SHA-256 is %s but models.json lists %s (a stale or altered download)", label, got, want)
		}
	}
	m, err := translate.New(f)
	if err != nil {
		return nil, fmt.Errorf("model file %s: %w", label, err)
	}
	f = nil
	mu.Lock()
	models[id] = m
	mu.Unlock()
	runtime.GC()
	dirs := make([]any, len(m.Directions))
	labels := map[string]any{}
	for i, d := range m.Directions {
		dirs[i] = d.ID
		labels[d.ID] = d.Label
	}
	return jsx.Obj("directions", dirs, "labels", jsx.Object(labels), "name", m.Name()), nil
}

// translate(id, direction, pixels, width, height, onProgress, source, scale)
func translateJS(args []js.Value) (any, error) {
	if len(args) < 5 {
		return nil, errors.New("translate(id, direction, pixels, width, height, onProgress): missing arguments")
	}
	wh, err := jsx.Ints(args, 3, 5)
	if err != nil {
		return nil, fmt.Errorf("translate: %w", err)
	}
	w, h := wh[0], wh[1]
	tr, err := translator(args[0].String(), args[1].String())
	if err != nil {
		return nil, err
	}
	if tr, err = withScale(tr, jsx.Arg(args, 7), "translate"); err != nil {
		return nil, err
	}
	if len(args) > 6 && args[6].Type() == js.TypeObject {
		// The photo's own size and the long side the page scaled it to: a
		// photo too thin to translate gets the command's message.
		src := args[6]
		v, err := jsx.Ints([]js.Value{src.Get("width"), src.Get("height"), src.Get("maxSide")}, 0, 3)
		if err != nil {
			return nil, errors.New("translate: source must be {width, height, maxSide}, three numbers")
		}
		if err := translate.CheckFit(v[0], v[1], v[2]); err != nil {
			return nil, err
		}
	}
	pixels, err := jsx.Bytes(args[2])
	if err != nil {
		return nil, fmt.Errorf("translate: pixels: %w", err)
	}
	start := time.Now()
	out, err := tr.Pixels(context.Background(), translate.Pixels{W: w, H: h, Channels: 4, Pix: pixels}, jsx.Progress(jsx.Arg(args, 5), start))
	if err != nil {
		return nil, err
	}
	pixels = out.Pix
	ms := jsx.Ms(start)
	return jsx.Obj("pixels", jsx.ClampedArray(pixels), "width", w, "height", h, "ms", ms), nil
}

// translator is the translator of a loaded model's direction.
func translator(id, dir string) (*translate.Translator, error) {
	mu.Lock()
	m := models[id]
	mu.Unlock()
	if m == nil {
		return nil, fmt.Errorf("no model %q is loaded", id)
	}
	tr, err := m.Translator(dir)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", id, err)
	}
	return tr, nil
}

// withScale returns tr with translate's default options, the scale taken
// from arg ("model" or "full") where the page passes one; call names the
// JavaScript function in an error.
func withScale(tr *translate.Translator, arg js.Value, call string) (*translate.Translator, error) {
	opts := translate.Default
	if arg.Type() == js.TypeString {
		var err error
		if opts.Scale, err = translate.ParseScale(arg.String()); err != nil {
			return nil, fmt.Errorf("%s: %w", call, err)
		}
	}
	return tr.With(opts), nil
}
