package translate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/cyclegan-go/cyclegan/nn"
)

// memPeers connects bands by buffered channels (the page uses MessageChannels).
type memPeers struct {
	me    int
	links [][]chan nn.BandMessage
}

func (p memPeers) Send(to int, m nn.BandMessage) error { p.links[p.me][to] <- m; return nil }
func (p memPeers) Recv(from int) (nn.BandMessage, error) {
	return <-p.links[from][p.me], nil
}

// pixelsInBands translates in split into n bands, one goroutine each, and
// joins the results.
func pixelsInBands(t *testing.T, tr *Translator, in Pixels, n int) (Pixels, int) {
	t.Helper()
	bands, err := tr.Bands(in.W, in.H, n)
	if err != nil {
		t.Fatal(err)
	}
	links := make([][]chan nn.BandMessage, len(bands))
	for i := range links {
		links[i] = make([]chan nn.BandMessage, len(bands))
		for j := range links[i] {
			links[i][j] = make(chan nn.BandMessage, 64)
		}
	}
	out := Pixels{W: in.W, H: in.H, Channels: in.Channels, Pix: make([]byte, len(in.Pix))}
	row := in.W * in.Channels
	var wg sync.WaitGroup
	errs := make([]error, len(bands))
	for i, b := range bands {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src := Pixels{W: in.W, H: b.SrcRow1 - b.SrcRow0, Channels: in.Channels, Pix: in.Pix[b.SrcRow0*row : b.SrcRow1*row]}
			got, err := tr.PixelsBand(context.Background(), src, b, nn.NewBandExchange(b.Band, memPeers{i, links}), nil)
			if err != nil {
				errs[i] = err
				return
			}
			copy(out.Pix[b.OutRow0*row:b.OutRow1*row], got.Pix)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	return out, len(bands)
}

// TestPixelsBandMatchesPixels: a photo split into 1 to 4 bands gives
// Pixels's result within one level, at odd sizes, RGB, RGBA and grey.
func TestPixelsBandMatchesPixels(t *testing.T) {
	grey := nn.GeneratorConfig{InputNC: 1, OutputNC: 1, NGF: 4, NBlocks: 1}
	for _, c := range []struct {
		cfg      nn.GeneratorConfig
		w, h, ch int
		bands    []int // how many bands 1, 2, 3, 4 workers get
	}{
		{rgb, 37, 259, 4, []int{1, 2, 3, 4}},
		{rgb, 131, 203, 3, []int{1, 2, 3, 3}},
		{grey, 9, 130, 4, []int{1, 2, 2, 2}},
		{rgb, 40, 61, 4, []int{1, 1, 1, 1}}, // small: one band
	} {
		tr, err := testModel(t, c.cfg, "G_A").Translator("AtoB")
		if err != nil {
			t.Fatal(err)
		}
		in := pattern(c.w, c.h, c.ch)
		want, err := tr.Pixels(context.Background(), in, nil)
		if err != nil {
			t.Fatal(err)
		}
		for n := 1; n <= 4; n++ {
			t.Run(fmt.Sprintf("%dx%d_%dch_workers%d", c.w, c.h, c.ch, n), func(t *testing.T) {
				got, bands := pixelsInBands(t, tr, in, n)
				if bands != c.bands[n-1] {
					t.Errorf("%d workers: %d bands, want %d", n, bands, c.bands[n-1])
				}
				diff, maxd := byteDiff(got.Pix, want.Pix)
				t.Logf("%d bands: %d of %d bytes differ, by at most %d", bands, diff, len(got.Pix), maxd)
				if maxd > 1 {
					t.Errorf("%d bands: bytes differ by up to %d from Pixels; want at most 1", bands, maxd)
				}
			})
		}
	}
}

func TestPixelsBandErrors(t *testing.T) {
	tr, err := testModel(t, rgb, "G_A").Translator("AtoB")
	if err != nil {
		t.Fatal(err)
	}
	bands, err := SplitPhoto(20, 200, 3)
	if err != nil || len(bands) != 3 {
		t.Fatalf("SplitPhoto(20, 200, 3): %d bands, %v", len(bands), err)
	}
	b := bands[1]
	rows := func(n int) Pixels { return Pixels{W: 20, H: n, Channels: 4, Pix: make([]byte, 80*n)} }
	moved := b
	moved.Row0 += 4
	for _, c := range []struct {
		in   Pixels
		b    PhotoBand
		want string
	}{
		{rows(b.SrcRow1 - b.SrcRow0 - 1), b, "reads 20×"},
		{Pixels{W: 20, H: 2, Channels: 4}, b, "bytes of pixels"},
		{rows(b.SrcRow1 - b.SrcRow0), moved, "not one SplitPhoto makes"},
	} {
		_, err := tr.PixelsBand(context.Background(), c.in, c.b, nn.NewBandExchange(c.b.Band, nil), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("PixelsBand(%d×%d, band %+v): %v, want an error containing %q", c.in.W, c.in.H, c.b, err, c.want)
		}
	}
	if _, err := SplitPhoto(7, 100, 2); !errors.Is(err, ErrTooSmall) {
		t.Errorf("SplitPhoto(7, 100, 2): %v, want ErrTooSmall", err)
	}
}
