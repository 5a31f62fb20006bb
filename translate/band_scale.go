package translate

import (
	"context"
	"fmt"

	"github.com/cyclegan-go/cyclegan/nn"
)

// Scaled is a translation at the model's scale whose forward pass runs in
// bands (on several workers): ScaleDown scales the photo down once, each
// band runs TensorBand on its Input, and CarryUp joins the bands' outputs
// and carries them up to the photo's size once. The pixels equal Pixels's
// within one level of 8 bits.
type Scaled struct {
	t     *Translator
	plan  Plan
	in    Pixels     // the photo's size and kind (no pixels)
	x, xs *nn.Tensor // the photo and the photo scaled down, unpadded
	bands []PhotoBand
}

// ScaleDown starts a translation of in at the model's scale with its
// forward pass split into at most n bands (SplitPhoto at the plan's size:
// one band under 2·MinBandRows rows). It fails when t runs in at its own
// size (Plan(...).Full): that pass is split by PixelsBand.
func (t *Translator) ScaleDown(ctx context.Context, in Pixels, n int) (*Scaled, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	if err := CheckSize(in.W, in.H); err != nil {
		return nil, err
	}
	p := t.Plan(in.W, in.H)
	if p.Full {
		return nil, fmt.Errorf("translate: a %d×%d photo runs at full resolution (%s), not at the model's scale", in.W, in.H, p.Note)
	}
	bands, err := SplitPhoto(p.W, p.H, n)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	x := toTensorSize(in, t.gen.Config().InputNC, in.W, in.H)
	return &Scaled{t: t, plan: p, in: Pixels{W: in.W, H: in.H, Channels: in.Channels}, x: x, xs: scaleDown(x, p), bands: bands}, nil
}

// Plan is the plan s follows: the model-scale size its bands split.
func (s *Scaled) Plan() Plan { return s.plan }

// Bands are the bands of the scaled photo, top to bottom.
func (s *Scaled) Bands() []PhotoBand { return s.bands }

// Input is band i's rows of the generator's input: the scaled photo padded
// by reflection, rows [Row0, Row1) (1×C×Rows×PaddedSize(W)).
func (s *Scaled) Input(i int) *nn.Tensor {
	b := s.bands[i]
	xp := padTensor(s.xs)
	c, h, w := xp.C(), xp.H(), xp.W()
	out := nn.NewTensor(1, c, b.Rows(), w)
	for ci := range c {
		copy(out.Data[ci*b.Rows()*w:(ci+1)*b.Rows()*w], xp.Data[(ci*h+b.Row0)*w:])
	}
	return out
}

// Work is the work of the three stages in the units of Progress: scaling
// down, the forward pass (all bands together) and the carry-up.
func (s *Scaled) Work() (down, forward, carry int64) {
	n := int64(s.in.W) * int64(s.in.H)
	for _, c := range s.t.gen.Config().StepCosts(PaddedSize(s.plan.H), PaddedSize(s.plan.W)) {
		forward += c
	}
	return downUnitsPerPixel * n, forward, carryUnitsPerPixel * n
}

// CarryUp joins the bands' outputs (outs[i]: the values of TensorBand's
// result for band i) and carries them up to the photo's size: the
// translated photo.
func (s *Scaled) CarryUp(ctx context.Context, outs [][]float32) (Pixels, error) {
	if len(outs) != len(s.bands) {
		return Pixels{}, fmt.Errorf("translate: %d band outputs for %d bands", len(outs), len(s.bands))
	}
	co, w, pw := s.t.gen.Config().OutputNC, s.plan.W, PaddedSize(s.plan.W)
	ys := nn.NewTensor(1, co, s.plan.H, w)
	for i, b := range s.bands {
		y := outs[i]
		if len(y) != co*b.Rows()*pw {
			return Pixels{}, fmt.Errorf("translate: band %d's output has %d values, want %d×%d×%d", i, len(y), co, b.Rows(), pw)
		}
		for c := range co {
			for r := b.OutRow0; r < b.OutRow1; r++ {
				copy(ys.Data[(c*s.plan.H+r)*w:][:w], y[(c*b.Rows()+r-b.Row0)*pw:])
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return Pixels{}, err
	}
	y, err := carryUp(s.plan.Carry, s.x, s.xs, ys)
	if err != nil {
		return Pixels{}, err
	}
	out := Pixels{W: s.in.W, H: s.in.H, Channels: s.in.Channels, Pix: make([]byte, s.in.Channels*s.in.W*s.in.H)}
	fromTensor(y, out)
	return out, nil
}

// TensorBand runs band b of a generator input split by SplitPhoto: x holds
// the padded input's rows [b.Row0, b.Row1) (1×C×Rows×W', W' a multiple of
// Multiple) and the result the same rows of the output. Every band runs at
// the same time, connected by ex (nn.ForwardBand); progress counts the
// band's steps in the units of the whole image's forward pass.
func (t *Translator) TensorBand(ctx context.Context, x *nn.Tensor, b PhotoBand, ex nn.BandExchange, progress Progress) (*nn.Tensor, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	if x == nil || len(x.Shape) != 4 || x.W() != PaddedSize(b.W) {
		return nil, fmt.Errorf("translate: band %d of a %d×%d photo: the input must be %d columns wide (the padded width)", b.Index, b.W, b.H, PaddedSize(b.W))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	costs := t.gen.Config().StepCosts(b.Band.H, PaddedSize(b.W))
	var total, done int64
	for _, c := range costs {
		total += c
	}
	y, err := t.gen.ForwardBand(x, b.Band, ex, func(step, _ int) error {
		if progress != nil {
			done += costs[step-1]
			progress(int(done), int(total))
		}
		return ctx.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("translate: %w", err)
	}
	return y, nil
}
