package translate

import (
	"context"
	"fmt"

	"github.com/cyclegan-go/cyclegan/nn"
	"github.com/cyclegan-go/cyclegan/weights"
)

// Progress is told, after each layer of the generator, how much of the
// translation's work is done: done of total, in units of work (roughly
// multiply-adds), so that done/total is the fraction of the time spent.
type Progress func(done, total int)

// Translator runs one direction of a model. It keeps no per-call state, so
// several goroutines may translate with it at once.
type Translator struct {
	Direction Direction
	gen       *nn.Generator
	training  *weights.TrainingScale // the file's record, nil if none
	opts      Options                // Full unless With says otherwise
}

// Config is the architecture of the translator's generator.
func (t *Translator) Config() nn.GeneratorConfig { return t.gen.Config() }

// Pixels translates an 8-bit image, returning one of the same size and
// kind (RGB or RGBA), at the scale t's options and the image's size call
// for (Plan). Cancelling ctx stops the work between two layers and returns
// ctx's error; progress, when not nil, is told after each layer.
func (t *Translator) Pixels(ctx context.Context, in Pixels, progress Progress) (Pixels, error) {
	if err := in.check(); err != nil {
		return Pixels{}, err
	}
	if err := CheckSize(in.W, in.H); err != nil {
		return Pixels{}, err
	}
	ci := t.gen.Config().InputNC
	var y *nn.Tensor
	var err error
	if p := t.Plan(in.W, in.H); p.Full {
		y, err = t.run(ctx, toTensor(in, ci), t.meter(p, 0, progress))
	} else {
		y, err = t.atModelScale(ctx, toTensorSize(in, ci, in.W, in.H), p, progress)
	}
	if err != nil {
		return Pixels{}, err
	}
	out := Pixels{W: in.W, H: in.H, Channels: in.Channels, Pix: make([]byte, len(in.Pix))}
	fromTensor(y, out)
	return out, nil
}

// Tensor translates one image given as a 1×C×H×W tensor in [-1, 1] (C the
// generator's input channels, H and W at least MinSide) and returns the
// 1×C'×H×W result, padding and cropping, and scaling, as Pixels does,
// without the 8-bit rounding (for measurements).
func (t *Translator) Tensor(ctx context.Context, x *nn.Tensor, progress Progress) (*nn.Tensor, error) {
	if x == nil || len(x.Shape) != 4 || x.N() != 1 || x.C() != t.gen.Config().InputNC {
		return nil, fmt.Errorf("translate: want a 1×%d×H×W tensor", t.gen.Config().InputNC)
	}
	if err := CheckSize(x.W(), x.H()); err != nil {
		return nil, err
	}
	if p := t.Plan(x.W(), x.H()); !p.Full {
		return t.atModelScale(ctx, x, p, progress)
	}
	y, err := t.run(ctx, padTensor(x), t.meter(Plan{W: x.W(), H: x.H(), Full: true}, 0, progress))
	if err != nil {
		return nil, err
	}
	return cropTensor(y, x.H(), x.W()), nil
}

// run is the generator's forward pass with per-call progress (m) and
// cancellation.
func (t *Translator) run(ctx context.Context, x *nn.Tensor, m *meter) (*nn.Tensor, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	costs := t.gen.Config().StepCosts(x.H(), x.W())
	y, err := t.gen.ForwardSteps(x, func(step, _ int) error {
		m.add(costs[step-1])
		return ctx.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("translate: %w", err)
	}
	return y, nil
}
