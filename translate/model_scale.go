package translate

import (
	"context"

	"github.com/cyclegan-go/cyclegan/nn"
)

// Work of the steps around a forward pass at the model's scale, in the
// units of nn.GeneratorConfig.StepCosts (multiply-adds), per pixel of the
// photo at its own size: scaling the photo down, and carrying the result up.
// They are measured times converted at the forward pass's rate
// (BenchmarkModelScale, 1024×768, the guided carry-up: the costliest; the
// others take about half), so that done/total stays near the fraction of
// the time.
const (
	downUnitsPerPixel  = 500
	carryUnitsPerPixel = 5000
)

// atModelScale translates x (1×ci×H×W in [-1, 1], unpadded) at the plan's
// size: x scaled down (bicubic, antialiased, as training scaled its photos),
// the generator's forward pass, and the result carried up to H×W by
// p.Carry.
func (t *Translator) atModelScale(ctx context.Context, x *nn.Tensor, p Plan, progress Progress) (*nn.Tensor, error) {
	n := int64(x.H()) * int64(x.W())
	m := t.meter(p, n, progress)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	xs := scaleDown(x, p)
	m.add(downUnitsPerPixel * n)
	ys, err := t.run(ctx, padTensor(xs), m)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out, err := carryUp(p.Carry, x, xs, cropTensor(ys, p.H, p.W))
	if err != nil {
		return nil, err
	}
	m.add(carryUnitsPerPixel * n)
	return out, nil
}

// scaleDown is x (unpadded) at the plan's size: bicubic, antialiased, as
// training scaled its photos, clamped to [-1, 1].
func scaleDown(x *nn.Tensor, p Plan) *nn.Tensor {
	return resizeRows(x, p.W, p.H, bicubic, func(_, _ int, row []float32) { clampUnit(row) })
}

// meter tells a call's progress function how much of its work is done.
type meter struct {
	progress    Progress
	done, total int64
}

// meter starts counting the work of translating a photo of n pixels by
// plan p: the forward pass at p.W×p.H, and when not Full the scaling down
// and the carry-up.
func (t *Translator) meter(p Plan, n int64, progress Progress) *meter {
	m := &meter{progress: progress}
	if progress == nil {
		return m
	}
	for _, c := range t.gen.Config().StepCosts(PaddedSize(p.H), PaddedSize(p.W)) {
		m.total += c
	}
	if !p.Full {
		m.total += (downUnitsPerPixel + carryUnitsPerPixel) * n
	}
	return m
}

// add counts units of work done and tells the progress function.
func (m *meter) add(units int64) {
	if m.progress != nil {
		m.done += units
		m.progress(int(m.done), int(m.total))
	}
}
