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

// scaledInBands translates in at the model's scale with its forward pass in
// at most n bands, one goroutine each, as the page's workers do: ScaleDown,
// TensorBand on each Input, CarryUp. It returns the pixels and the number
// of bands, and checks that progress reached every band's total.
func scaledInBands(t *testing.T, tr *Translator, in Pixels, n int) (Pixels, int) {
	t.Helper()
	s, err := tr.ScaleDown(context.Background(), in, n)
	if err != nil {
		t.Fatal(err)
	}
	bands := s.Bands()
	links := make([][]chan nn.BandMessage, len(bands))
	for i := range links {
		links[i] = make([]chan nn.BandMessage, len(bands))
		for j := range links[i] {
			links[i][j] = make(chan nn.BandMessage, 64)
		}
	}
	outs := make([][]float32, len(bands))
	errs := make([]error, len(bands))
	var wg sync.WaitGroup
	for i, b := range bands {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var done, total int
			y, err := tr.TensorBand(context.Background(), s.Input(i), b, nn.NewBandExchange(b.Band, memPeers{i, links}),
				func(d, tt int) { done, total = d, tt })
			if y != nil {
				outs[i] = y.Data
			}
			errs[i] = err
			if errs[i] == nil && (total == 0 || done != total) {
				errs[i] = fmt.Errorf("band %d: progress ended at %d of %d", i, done, total)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	out, err := s.CarryUp(context.Background(), outs)
	if err != nil {
		t.Fatal(err)
	}
	return out, len(bands)
}

// TestScaledBandsMatchPixels: a translation at the model's scale with its
// forward pass split into 1 to 4 bands gives Pixels's result within one
// level, for every carry-up, at odd sizes; a photo under 128 rows at the
// model's scale runs in one band.
func TestScaledBandsMatchPixels(t *testing.T) {
	m := scaledModel(t, rgb, widthScale) // photos scaled to a width of 64
	for _, c := range []struct {
		w, h, ch int
		carry    Carry
		bands    []int // how many bands 1, 2, 3, 4 workers get
	}{
		{131, 530, 4, Additive, []int{1, 2, 3, 4}}, // 64×259 at the model's scale
		{97, 301, 3, Guided, []int{1, 2, 3, 3}},    // 64×199
		{150, 317, 4, Resized, []int{1, 2, 2, 2}},  // 64×135
		{203, 150, 4, Additive, []int{1, 1, 1, 1}}, // 64×47: one band
	} {
		tr, err := m.Translator("AtoB")
		if err != nil {
			t.Fatal(err)
		}
		tr = tr.With(Options{Scale: ModelScale, Carry: c.carry})
		in := pattern(c.w, c.h, c.ch)
		want, err := tr.Pixels(context.Background(), in, nil)
		if err != nil {
			t.Fatal(err)
		}
		for n := 1; n <= 4; n++ {
			t.Run(fmt.Sprintf("%dx%d_%s_workers%d", c.w, c.h, c.carry, n), func(t *testing.T) {
				got, bands := scaledInBands(t, tr, in, n)
				if bands != c.bands[n-1] {
					t.Errorf("%d workers: %d bands, want %d", n, bands, c.bands[n-1])
				}
				if tb, err := tr.Bands(c.w, c.h, n); err != nil || len(tb) != bands || tb[0].W != 64 {
					t.Errorf("Bands(%d, %d, %d): %d bands of a %d-wide image (%v); want ScaleDown's %d of 64", c.w, c.h, n, len(tb), tb[0].W, err, bands)
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

// TestScaledBandsErrors: a photo that runs at full resolution is not
// scaled; wrong band outputs and inputs are refused with a message.
func TestScaledBandsErrors(t *testing.T) {
	tr, err := scaledModel(t, rgb, widthScale).Translator("AtoB")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := tr.ScaleDown(ctx, pattern(100, 300, 4), 2); err == nil || !strings.Contains(err.Error(), "full resolution") {
		t.Errorf("ScaleDown with full-scale options: %v, want an error saying it runs at full resolution", err)
	}
	tr = tr.With(Default)
	if _, err := tr.ScaleDown(ctx, pattern(7, 300, 4), 2); !errors.Is(err, ErrTooSmall) {
		t.Errorf("ScaleDown of a 7×300 photo: %v, want ErrTooSmall", err)
	}
	s, err := tr.ScaleDown(ctx, pattern(100, 300, 4), 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Bands()) != 2 || s.Plan().W != 64 || s.Plan().H != 192 {
		t.Fatalf("ScaleDown(100×300, 2): %d bands at %d×%d, want 2 at 64×192", len(s.Bands()), s.Plan().W, s.Plan().H)
	}
	if down, fwd, carry := s.Work(); down <= 0 || fwd <= 0 || carry <= 0 {
		t.Errorf("Work: %d, %d, %d; want three positive amounts", down, fwd, carry)
	}
	b := s.Bands()[1]
	if _, err := tr.TensorBand(ctx, nn.NewTensor(1, 3, b.Rows(), 68), b, nn.NewBandExchange(b.Band, nil), nil); err == nil || !strings.Contains(err.Error(), "64 columns") {
		t.Errorf("TensorBand with 68 columns: %v, want an error naming the padded width 64", err)
	}
	moved := b
	moved.Row0 += 4
	if _, err := tr.TensorBand(ctx, s.Input(1), moved, nn.NewBandExchange(b.Band, nil), nil); err == nil || !strings.Contains(err.Error(), "not one SplitPhoto makes") {
		t.Errorf("TensorBand of a moved band: %v, want an error", err)
	}
	ok := make([]float32, 3*s.Bands()[0].Rows()*64)
	for _, c := range []struct {
		outs [][]float32
		want string
	}{
		{[][]float32{ok}, "1 band outputs for 2 bands"},
		{[][]float32{ok, nil}, "band 1's output has 0 values, want 3×96×64"},
		{[][]float32{ok, make([]float32, 3*(b.Rows()-4)*64)}, "band 1's output has 17664 values"},
	} {
		if _, err := s.CarryUp(ctx, c.outs); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("CarryUp(%d outputs): %v, want an error containing %q", len(c.outs), err, c.want)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := tr.TensorBand(cancelled, s.Input(0), s.Bands()[0], nn.NewBandExchange(s.Bands()[0].Band, nil), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("TensorBand with a cancelled context: %v, want context.Canceled", err)
	}
}
