package translate

import (
	"context"
	"fmt"

	"github.com/cyclegan-go/cyclegan/nn"
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
}

// Config is the architecture of the translator's generator.
func (t *Translator) Config() nn.GeneratorConfig { return t.gen.Config() }

// Pixels translates an 8-bit image, returning one of the same size and
// kind (RGB or RGBA). Cancelling ctx stops the work between two layers and
// returns ctx's error; progress, when not nil, is told after each layer.
func (t *Translator) Pixels(ctx context.Context, in Pixels, progress Progress) (Pixels, error) {
	if err := in.check(); err != nil {
		return Pixels{}, err
	}
	if err := CheckSize(in.W, in.H); err != nil {
		return Pixels{}, err
	}
	y, err := t.run(ctx, toTensor(in, t.gen.Config().InputNC), progress)
	if err != nil {
		return Pixels{}, err
	}
	out := Pixels{W: in.W, H: in.H, Channels: in.Channels, Pix: make([]byte, len(in.Pix))}
	fromTensor(y, out)
	return out, nil
}

// Tensor translates one image given as a 1×C×H×W tensor in [-1, 1] (C the
// generator's input channels, H and W at least MinSide) and returns the
// 1×C'×H×W result, padding and cropping as Pixels does, without the 8-bit
// rounding (for measurements).
func (t *Translator) Tensor(ctx context.Context, x *nn.Tensor, progress Progress) (*nn.Tensor, error) {
	if x == nil || len(x.Shape) != 4 || x.N() != 1 || x.C() != t.gen.Config().InputNC {
		return nil, fmt.Errorf("translate: want a 1×%d×H×W tensor", t.gen.Config().InputNC)
	}
	if err := CheckSize(x.W(), x.H()); err != nil {
		return nil, err
	}
	y, err := t.run(ctx, padTensor(x), progress)
	if err != nil {
		return nil, err
	}
	return cropTensor(y, x.H(), x.W()), nil
}

// run is the generator's forward pass with per-call progress and
// cancellation.
func (t *Translator) run(ctx context.Context, x *nn.Tensor, progress Progress) (*nn.Tensor, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var costs []int64
	var total, done int64
	if progress != nil {
		costs = t.gen.Config().StepCosts(x.H(), x.W())
		for _, c := range costs {
			total += c
		}
	}
	y, err := t.gen.ForwardSteps(x, func(step, _ int) error {
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
