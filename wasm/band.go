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
	msg := jsx.Obj("job", p.job, "seq", m.Seq, key, data)
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

// plan(id, direction, width, height, workers, scale) → {bands: [{src0, src1, out0, out1}], scaled, width, height}:
// the bands the generator's input splits into for a width×height photo and
// at most workers workers (translate.Translator.Bands; scale as
// translate's). Not scaled: bands of the photo, with the photo's rows each
// reads and gives. Scaled: bands of the photo at the model's scale,
// width×height (scaleDown, carryUp).
func plan(args []js.Value) (any, error) {
	if len(args) < 5 {
		return nil, errors.New("plan(id, direction, width, height, workers): missing arguments")
	}
	v, err := jsx.Ints(args, 2, 5)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	tr, err := translator(args[0].String(), args[1].String())
	if err != nil {
		return nil, err
	}
	if tr, err = withScale(tr, jsx.Arg(args, 5), "plan"); err != nil {
		return nil, err
	}
	bands, err := tr.Bands(v[0], v[1], v[2])
	if err != nil {
		return nil, err
	}
	out := make([]any, len(bands))
	for i, b := range bands {
		out[i] = jsx.Obj("src0", b.SrcRow0, "src1", b.SrcRow1, "out0", b.OutRow0, "out1", b.OutRow1)
	}
	p := tr.Plan(v[0], v[1])
	return jsx.Obj("bands", out, "scaled", !p.Full, "width", p.W, "height", p.H), nil
}

// translateBand(id, direction, input, width, height, bands, index, job, onProgress)
// → {pixels | tensor, ms}: band index of the bands plan gave for a
// width×height photo. input is either the photo's rows src0 to src1 (RGBA,
// a Uint8ClampedArray), and the result its rows out0 to out1, or, at the
// model's scale, the band's input from scaleDown (a Float32Array; width and
// height are plan's), and the result the band's output (tensor, for
// carryUp). job numbers the photo; every worker of the photo runs it at
// once.
func translateBand(args []js.Value) (any, error) {
	if len(args) < 8 {
		return nil, errors.New("translateBand(id, direction, input, width, height, bands, index, job, onProgress): missing arguments")
	}
	v, err := jsx.Ints(args, 3, 8)
	if err != nil {
		return nil, fmt.Errorf("translateBand: %w", err)
	}
	tr, err := translator(args[0].String(), args[1].String())
	if err != nil {
		return nil, err
	}
	w, h, n, index := v[0], v[1], v[2], v[3]
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
	b := bands[index]
	var peers nn.BandPeers
	if ports != nil {
		ports.job = v[4]
		peers = ports
	}
	ex := nn.NewBandExchange(b.Band, peers)
	start := time.Now()
	progress := jsx.Progress(jsx.Arg(args, 8), start)
	if jsx.IsFloat32Array(args[2]) { // a band at the model's scale
		x, err := jsx.Float32s(args[2])
		if err != nil {
			return nil, fmt.Errorf("translateBand: input: %w", err)
		}
		c := tr.Config().InputNC
		if len(x) != c*b.Rows()*translate.PaddedSize(w) {
			return nil, fmt.Errorf("translateBand: band %d's input has %d values, want %d×%d×%d", index, len(x), c, b.Rows(), translate.PaddedSize(w))
		}
		y, err := tr.TensorBand(context.Background(), &nn.Tensor{Shape: []int{1, c, b.Rows(), translate.PaddedSize(w)}, Data: x}, b, ex, progress)
		if err != nil {
			return nil, err
		}
		return jsx.Obj("tensor", jsx.Float32Array(y.Data), "ms", jsx.Ms(start)), nil
	}
	pixels, err := jsx.Bytes(args[2])
	if err != nil {
		return nil, fmt.Errorf("translateBand: pixels: %w", err)
	}
	in := translate.Pixels{W: w, H: b.SrcRow1 - b.SrcRow0, Channels: 4, Pix: pixels}
	out, err := tr.PixelsBand(context.Background(), in, b, ex, progress)
	if err != nil {
		return nil, err
	}
	return jsx.Obj("pixels", jsx.ClampedArray(out.Pix), "ms", jsx.Ms(start)), nil
}
