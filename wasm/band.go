//go:build js && wasm

package main

// The banded translation: the page's coordinator (site/pool.js) splits a
// photo across several workers, each running this program with the model
// loaded. connect gives a worker a MessagePort to every other worker, once;
// translateBand then runs one band, exchanging halo rows and norm
// statistics with the other bands over those ports while the JavaScript
// event loop delivers them (the translation's goroutine blocks on a channel
// that the ports' onmessage handlers feed).

import (
	"context"
	"errors"
	"fmt"
	"syscall/js"
	"time"

	"github.com/cyclegan-go/cyclegan/nn"
	"github.com/cyclegan-go/cyclegan/translate"
	"github.com/cyclegan-go/cyclegan/wasm/jsx"
)

// portQueue is the most messages from one worker that may wait unread; the
// bands run in step, so a correct run holds two or three at most.
const portQueue = 1024

// ports is this worker's connection to the others, nil before connect.
var ports *portPeers

// portPeers implements nn.BandPeers over MessagePorts for one job (a
// photo): messages carry the job's number, which Recv checks.
type portPeers struct {
	me       int
	ports    []js.Value      // ports[j]: to and from worker j (undefined at me)
	queues   []chan js.Value // the messages from worker j, in order
	overflow []bool
	job      int
}

// connect(me, ports): ports[j] is a MessagePort to worker j (null at me).
func connect(args []js.Value) (any, error) {
	if ports != nil {
		return nil, errors.New("connect: this worker is already connected")
	}
	if len(args) < 2 || args[0].Type() != js.TypeNumber || args[1].Type() != js.TypeObject {
		return nil, errors.New("connect(me, ports): missing arguments")
	}
	me, n := args[0].Int(), args[1].Get("length").Int()
	if me < 0 || me >= n {
		return nil, fmt.Errorf("connect: worker %d of %d", me, n)
	}
	p := &portPeers{me: me, ports: make([]js.Value, n), queues: make([]chan js.Value, n), overflow: make([]bool, n)}
	for j := range n {
		if j == me {
			continue
		}
		port := args[1].Index(j)
		if port.Type() != js.TypeObject || port.Get("postMessage").Type() != js.TypeFunction {
			return nil, fmt.Errorf("connect: ports[%d] is not a MessagePort", j)
		}
		q := make(chan js.Value, portQueue)
		p.ports[j], p.queues[j] = port, q
		port.Set("onmessage", js.FuncOf(func(_ js.Value, a []js.Value) any {
			select {
			case q <- a[0].Get("data"):
			default:
				p.overflow[j] = true
			}
			return nil
		}))
	}
	ports = p
	return n, nil
}

func (p *portPeers) Send(to int, m nn.BandMessage) error {
	if to < 0 || to >= len(p.ports) || to == p.me {
		return fmt.Errorf("no worker %d to send to", to)
	}
	var data js.Value
	key := "rows"
	if m.Stats != nil {
		data, key = jsx.Float64Array(m.Stats), "stats"
	} else {
		data = jsx.Float32Array(m.Rows)
	}
	msg := jsx.Object(map[string]any{"job": p.job, "seq": m.Seq, key: data})
	p.ports[to].Call("postMessage", msg, []any{data.Get("buffer")})
	return nil
}

func (p *portPeers) Recv(from int) (nn.BandMessage, error) {
	if from < 0 || from >= len(p.ports) || from == p.me {
		return nn.BandMessage{}, fmt.Errorf("no worker %d to hear from", from)
	}
	if p.overflow[from] {
		return nn.BandMessage{}, fmt.Errorf("worker %d sent more messages than a translation makes", from)
	}
	v := <-p.queues[from]
	if job := v.Get("job"); job.Type() != js.TypeNumber || job.Int() != p.job {
		return nn.BandMessage{}, fmt.Errorf("worker %d sent a message of another photo", from)
	}
	m := nn.BandMessage{Seq: v.Get("seq").Int()}
	var err error
	if s := v.Get("stats"); s.Truthy() {
		m.Stats, err = jsx.Float64s(s)
	} else {
		m.Rows, err = jsx.Float32s(v.Get("rows"))
	}
	if err != nil {
		return nn.BandMessage{}, fmt.Errorf("worker %d: %w", from, err)
	}
	return m, nil
}

// plan(id, direction, width, height, workers, scale) → [{src0, src1, out0, out1}]:
// the bands a width×height photo is split into for at most workers
// workers, with the photo's rows each reads and gives; one band when the
// translation would not run at the photo's own size (scale as translate's).
func plan(args []js.Value) (any, error) {
	if len(args) < 5 {
		return nil, errors.New("plan(id, direction, width, height, workers): missing arguments")
	}
	tr, err := translator(args[0].String(), args[1].String())
	if err != nil {
		return nil, err
	}
	opts := translate.Default
	if len(args) > 5 && args[5].Type() == js.TypeString {
		if opts.Scale, err = translate.ParseScale(args[5].String()); err != nil {
			return nil, fmt.Errorf("plan: %w", err)
		}
	}
	tr = tr.With(opts)
	bands, err := tr.Bands(args[2].Int(), args[3].Int(), args[4].Int())
	if err != nil {
		return nil, err
	}
	out := make([]any, len(bands))
	for i, b := range bands {
		out[i] = jsx.Object(map[string]any{"src0": b.SrcRow0, "src1": b.SrcRow1, "out0": b.OutRow0, "out1": b.OutRow1})
	}
	return out, nil
}

// translateBand(id, direction, pixels, width, height, bands, index, job, onProgress)
// → {pixels, ms}: band index of the bands plan gave for a width×height
// photo; pixels are the photo's rows src0 to src1 (RGBA) and the result
// its rows out0 to out1. job numbers the photo; every worker of the photo
// runs it at once.
func translateBand(args []js.Value) (any, error) {
	if len(args) < 8 {
		return nil, errors.New("translateBand(id, direction, pixels, width, height, bands, index, job, onProgress): missing arguments")
	}
	for i := 3; i < 8; i++ {
		if args[i].Type() != js.TypeNumber {
			return nil, errors.New("translateBand: width, height, bands, index and job must be numbers")
		}
	}
	tr, err := translator(args[0].String(), args[1].String())
	if err != nil {
		return nil, err
	}
	w, h, n, index := args[3].Int(), args[4].Int(), args[5].Int(), args[6].Int()
	bands, err := translate.SplitPhoto(w, h, n)
	if err != nil {
		return nil, err
	}
	if len(bands) != n || index < 0 || index >= n {
		return nil, fmt.Errorf("translateBand: band %d of %d: a %d×%d photo splits into %d", index, n, w, h, len(bands))
	}
	if n > 1 && (ports == nil || len(ports.ports) < n) {
		return nil, fmt.Errorf("translateBand: %d bands need %d connected workers", n, n)
	}
	pixels, err := jsx.Bytes(args[2])
	if err != nil {
		return nil, fmt.Errorf("translateBand: pixels: %w", err)
	}
	b := bands[index]
	var peers nn.BandPeers
	if ports != nil {
		ports.job = args[7].Int()
		peers = ports
	}
	start := time.Now()
	var progress translate.Progress
	if len(args) > 8 && args[8].Type() == js.TypeFunction {
		cb := args[8]
		progress = func(done, total int) {
			cb.Invoke(done, total, float64(time.Since(start).Microseconds())/1000)
		}
	}
	in := translate.Pixels{W: w, H: b.SrcRow1 - b.SrcRow0, Channels: 4, Pix: pixels}
	out, err := tr.PixelsBand(context.Background(), in, b, nn.NewBandExchange(b.Band, peers), progress)
	if err != nil {
		return nil, err
	}
	ms := float64(time.Since(start).Microseconds()) / 1000
	return jsx.Object(map[string]any{"pixels": jsx.ClampedArray(out.Pix), "ms": ms}), nil
}
