package translate

import (
	"context"
	"fmt"

	"github.com/cyclegan-go/cyclegan/nn"
)

// MinBandRows is the fewest rows (of the padded image) a band gets when a
// photo is split across workers: thinner bands would spend more on
// exchanging halos and statistics than they save. Photos too small for two
// such bands run in one.
const MinBandRows = 64

// PhotoBand is one band of a photo split across workers: the generator's
// band (rows of the padded image), the photo's pixel rows it reads
// (reflection padding at the bottom included) and the rows of the result it
// holds.
type PhotoBand struct {
	nn.Band
	W, H             int // the photo's size
	SrcRow0, SrcRow1 int // the photo's rows the band reads
	OutRow0, OutRow1 int // the result's rows the band gives
}

// SplitPhoto cuts a w×h photo into at most n bands of at least
// MinBandRows rows each, top to bottom (one band for a small photo).
func SplitPhoto(w, h, n int) ([]PhotoBand, error) {
	if err := CheckSize(w, h); err != nil {
		return nil, err
	}
	ph := PaddedSize(h)
	bands, err := nn.SplitRows(ph, max(1, min(n, ph/MinBandRows)))
	if err != nil {
		return nil, err
	}
	out := make([]PhotoBand, len(bands))
	for i, b := range bands {
		s0, s1 := h, 0
		for y := b.Row0; y < b.Row1; y++ {
			s0, s1 = min(s0, reflect(y, h)), max(s1, reflect(y, h)+1)
		}
		out[i] = PhotoBand{Band: b, W: w, H: h, SrcRow0: s0, SrcRow1: s1, OutRow0: b.Row0, OutRow1: min(b.Row1, h)}
	}
	return out, nil
}

// Bands are the bands the generator's input splits into for a w×h photo
// and at most n workers: bands of the photo when t runs it at its own size
// (Plan(w, h).Full: PixelsBand), else of the photo at the plan's size
// (ScaleDown's).
func (t *Translator) Bands(w, h, n int) ([]PhotoBand, error) {
	if err := CheckSize(w, h); err != nil {
		return nil, err
	}
	p := t.Plan(w, h)
	return SplitPhoto(p.W, p.H, n)
}

// PixelsBand translates band b of a photo: in holds the photo's rows
// [b.SrcRow0, b.SrcRow1) (W×(SrcRow1−SrcRow0) pixels) and the result its rows
// [b.OutRow0, b.OutRow1). Every band of the photo runs at the same time,
// connected by ex; joined, the results equal Pixels's result within one
// level of 8 bits (nn.ForwardBand). It translates at the photo's own size,
// whatever t's options.
func (t *Translator) PixelsBand(ctx context.Context, in Pixels, b PhotoBand, ex nn.BandExchange, progress Progress) (Pixels, error) {
	if err := in.check(); err != nil {
		return Pixels{}, err
	}
	if err := b.check(); err != nil {
		return Pixels{}, err
	}
	if in.W != b.W || in.H != b.SrcRow1-b.SrcRow0 {
		return Pixels{}, fmt.Errorf("translate: band %d of a %d×%d photo reads %d×%d pixels (rows %d to %d), have %d×%d",
			b.Index, b.W, b.H, b.W, b.SrcRow1-b.SrcRow0, b.SrcRow0, b.SrcRow1, in.W, in.H)
	}
	y, err := t.TensorBand(ctx, bandTensor(in, b, t.gen.Config().InputNC), b, ex, progress)
	if err != nil {
		return Pixels{}, err
	}
	out := Pixels{W: b.W, H: b.OutRow1 - b.OutRow0, Channels: in.Channels, Pix: make([]byte, in.Channels*b.W*(b.OutRow1-b.OutRow0))}
	fromTensor(y, out)
	return out, nil
}

// check returns an error unless b is one of the bands SplitPhoto makes.
func (b PhotoBand) check() error {
	bands, err := SplitPhoto(b.W, b.H, b.Count)
	if err != nil {
		return err
	}
	if b.Index < 0 || b.Index >= len(bands) || bands[b.Index] != b {
		return fmt.Errorf("translate: band %d of %d of a %d×%d photo is not one SplitPhoto makes", b.Index, b.Count, b.W, b.H)
	}
	return nil
}

// bandTensor is the band's rows of toTensor's input: padded rows
// [b.Row0, b.Row1), from the photo's rows held in p.
func bandTensor(p Pixels, b PhotoBand, channels int) *nn.Tensor {
	rows := Pixels{W: p.W, H: b.Rows(), Channels: p.Channels, Pix: make([]byte, p.Channels*p.W*b.Rows())}
	for y := b.Row0; y < b.Row1; y++ {
		copy(rows.Pix[(y-b.Row0)*p.W*p.Channels:][:p.W*p.Channels], p.Pix[(reflect(y, b.H)-b.SrcRow0)*p.W*p.Channels:])
	}
	return toTensor(rows, channels) // b.Rows() is a multiple of Multiple: only the width is padded
}
