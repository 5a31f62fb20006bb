package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

// chanPeers connects the bands of one image by buffered channels, as Web
// Workers are connected by MessageChannels; closing quit fails every Recv.
type chanPeers struct {
	me    int
	links [][]chan BandMessage // links[from][to]
	quit  chan struct{}
}

func newChanPeers(n int) []*chanPeers {
	links := make([][]chan BandMessage, n)
	for i := range links {
		links[i] = make([]chan BandMessage, n)
		for j := range links[i] {
			links[i][j] = make(chan BandMessage, 64)
		}
	}
	quit := make(chan struct{})
	ps := make([]*chanPeers, n)
	for i := range ps {
		ps[i] = &chanPeers{me: i, links: links, quit: quit}
	}
	return ps
}

func (p *chanPeers) Send(to int, m BandMessage) error {
	p.links[p.me][to] <- m
	return nil
}

func (p *chanPeers) Recv(from int) (BandMessage, error) {
	select {
	case m := <-p.links[from][p.me]:
		return m, nil
	case <-p.quit:
		return BandMessage{}, errors.New("a band stopped")
	}
}

// bandSlice copies rows [r0, r1) of a 1×C×H×W tensor.
func bandSlice(x *Tensor, r0, r1 int) *Tensor {
	c, h, w := x.C(), x.H(), x.W()
	t := NewTensor(1, c, r1-r0, w)
	for ci := range c {
		copy(t.Data[ci*(r1-r0)*w:(ci+1)*(r1-r0)*w], x.Data[(ci*h+r0)*w:(ci*h+r1)*w])
	}
	return t
}

// forwardBands runs g over x in n bands, one goroutine each, and joins
// the bands' outputs; fail(i) may replace band i's peers.
func forwardBands(g *Generator, x *Tensor, n int, wrap func(i int, p BandPeers) BandPeers) (*Tensor, []error) {
	bands, err := SplitRows(x.H(), n)
	if err != nil {
		return nil, []error{err}
	}
	peers := newChanPeers(len(bands))
	outs := make([]*Tensor, len(bands))
	errs := make([]error, len(bands))
	var wg sync.WaitGroup
	for i, b := range bands {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var p BandPeers = peers[i]
			if wrap != nil {
				p = wrap(i, p)
			}
			outs[i], errs[i] = g.ForwardBand(bandSlice(x, b.Row0, b.Row1), b, NewBandExchange(b, p), nil)
			if errs[i] != nil {
				select {
				case <-peers[0].quit:
				default:
					close(peers[0].quit) // as the page does when a worker fails: the others stop
				}
			}
		}()
	}
	wg.Wait()
	for _, e := range errs {
		if e != nil {
			return nil, errs
		}
	}
	c, w := outs[0].C(), x.W()
	y := NewTensor(1, c, x.H(), w)
	for i, b := range bands {
		for ci := range c {
			copy(y.Data[(ci*x.H()+b.Row0)*w:(ci*x.H()+b.Row1)*w], outs[i].Data[ci*b.Rows()*w:(ci+1)*b.Rows()*w])
		}
	}
	return y, nil
}

func randInput(rng *rand.Rand, c, h, w int) *Tensor {
	x := NewTensor(1, c, h, w)
	for i := range x.Data {
		x.Data[i] = 2*rng.Float32() - 1
	}
	return x
}

// TestForwardBandMatchesForward runs the generator in 1 to 4 bands at odd
// sizes and compares with Forward: one band is bit-identical; more differ
// only by the rounding of the norms' combined statistics.
func TestForwardBandMatchesForward(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, c := range []struct {
		cfg  GeneratorConfig
		h, w int
	}{
		{GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 8, NBlocks: 2}, 44, 36},
		{GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 8, NBlocks: 1, Dropout: true}, 20, 12},
		{GeneratorConfig{InputNC: 1, OutputNC: 3, NGF: 4, NBlocks: 3}, 100, 28},
	} {
		g := ltGenerator(c.cfg, 3)
		g.Freeze()
		x := randInput(rng, c.cfg.InputNC, c.h, c.w)
		want, err := g.Forward(x)
		if err != nil {
			t.Fatal(err)
		}
		for n := 1; n <= 4; n++ {
			t.Run(fmt.Sprintf("ngf%d_%dx%d_bands%d", c.cfg.NGF, c.w, c.h, n), func(t *testing.T) {
				got, errs := forwardBands(g, x, n, nil)
				if got == nil {
					t.Fatal(errs)
				}
				var maxd float64
				same := 0
				for i, v := range got.Data {
					d := math.Abs(float64(v - want.Data[i]))
					maxd = max(maxd, d)
					if d == 0 {
						same++
					}
				}
				t.Logf("max |Δ| %.2g, %d of %d values bit-identical", maxd, same, len(got.Data))
				if n == 1 && same != len(got.Data) {
					t.Errorf("one band: %d of %d values differ from Forward (max %.3g); want all identical", len(got.Data)-same, len(got.Data), maxd)
				}
				if maxd > 1e-4 {
					t.Errorf("max |Δ| = %.3g from Forward; want ≤ 1e-4 (one 8-bit level is 7.8e-3)", maxd)
				}
			})
		}
	}
}

// flakyPeers fails band `bad`'s exchange at its call number `at`.
type flakyPeers struct {
	BandPeers
	calls, at int
}

func (p *flakyPeers) Recv(from int) (BandMessage, error) {
	if p.calls++; p.calls == p.at {
		return BandMessage{}, errors.New("worker terminated")
	}
	return p.BandPeers.Recv(from)
}

// outOfStep sends band 0's messages with a wrong sequence number.
type outOfStep struct{ BandPeers }

func (p outOfStep) Send(to int, m BandMessage) error {
	m.Seq += 5
	return p.BandPeers.Send(to, m)
}

func TestForwardBandErrors(t *testing.T) {
	g := ltGenerator(GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 4, NBlocks: 2}, 3)
	x := randInput(rand.New(rand.NewPCG(1, 2)), 3, 40, 16)
	// a band that fails mid-pass stops every band with an error, no hang
	for _, at := range []int{1, 4, 9} {
		_, errs := forwardBands(g, x, 3, func(i int, p BandPeers) BandPeers {
			if i == 1 {
				return &flakyPeers{BandPeers: p, at: at}
			}
			return p
		})
		if errs == nil || errs[1] == nil || !strings.Contains(errs[1].Error(), "worker terminated") {
			t.Errorf("band 1 failing at call %d: errors %v, want band 1's 'worker terminated'", at, errs)
		}
		for i, e := range errs {
			if e == nil {
				t.Errorf("band 1 failing at call %d: band %d finished without error", at, i)
			}
		}
	}
	_, errs := forwardBands(g, x, 2, func(i int, p BandPeers) BandPeers {
		if i == 0 {
			return outOfStep{p}
		}
		return p
	})
	if errs == nil || errs[1] == nil || !strings.Contains(errs[1].Error(), "out of step") {
		t.Errorf("out-of-step messages: errors %v, want 'out of step' from band 1", errs)
	}
	one := NewBandExchange(Band{Count: 1, Row1: 40, H: 40}, nil)
	for _, c := range []struct {
		x    *Tensor
		b    Band
		ex   BandExchange
		want string
	}{
		{x, Band{Count: 1, Row1: 40, H: 40}, nil, "no exchange"},
		{x, Band{Count: 2, Index: 2, Row1: 40, H: 40}, one, "does not exist"},
		{x, Band{Count: 1, Row1: 40, H: 42}, one, "multiple of 4"},
		{x, Band{Count: 1, Row0: 2, Row1: 40, H: 40}, one, "multiples of 4"},
		{x, Band{Count: 2, Index: 1, Row1: 40, H: 40}, one, "starts at row 0"},
		{x, Band{Count: 2, Index: 0, Row1: 40, H: 40}, one, "ends at row 40"},
		{x, Band{Count: 2, Index: 0, Row1: 20, H: 40}, one, "input of shape"},
		{nil, Band{Count: 1, Row1: 40, H: 40}, one, "input of shape"},
	} {
		y, err := g.ForwardBand(c.x, c.b, c.ex, nil)
		if err == nil || y != nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ForwardBand(%+v): (%v, %v), want an error containing %q", c.b, y, err, c.want)
		}
	}
}

func TestSplitRows(t *testing.T) {
	for _, c := range []struct{ h, n, bands int }{{8, 4, 2}, {44, 3, 3}, {256, 8, 8}, {12, 1, 1}} {
		bs, err := SplitRows(c.h, c.n)
		if err != nil || len(bs) != c.bands {
			t.Fatalf("SplitRows(%d, %d): %d bands, %v; want %d", c.h, c.n, len(bs), err, c.bands)
		}
		row := 0
		for i, b := range bs {
			if b.check() != nil || b.Row0 != row || b.Rows()%4 != 0 || b.Index != i {
				t.Errorf("SplitRows(%d, %d)[%d] = %+v", c.h, c.n, i, b)
			}
			if d := b.Rows() - bs[0].Rows(); d < -4 || d > 0 {
				t.Errorf("SplitRows(%d, %d): uneven bands %+v", c.h, c.n, bs)
			}
			row = b.Row1
		}
	}
	for _, c := range []struct{ h, n int }{{10, 2}, {4, 1}, {16, 0}} {
		if _, err := SplitRows(c.h, c.n); err == nil {
			t.Errorf("SplitRows(%d, %d): no error", c.h, c.n)
		}
	}
}
