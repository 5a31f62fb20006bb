package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/cyclegan-go/cyclegan/nn"
)

// Losses are the eight official loss values of one iteration, named as
// cycle_gan_model.loss_names.
type Losses struct {
	DA, GA, CycleA, IdtA float64
	DB, GB, CycleB, IdtB float64
}

// Names and Values list the losses in the official order
// (D_A, G_A, cycle_A, idt_A, D_B, G_B, cycle_B, idt_B).
func (l Losses) Names() []string {
	return []string{"D_A", "G_A", "cycle_A", "idt_A", "D_B", "G_B", "cycle_B", "idt_B"}
}

// Values are the losses in Names order.
func (l Losses) Values() []float64 {
	return []float64{l.DA, l.GA, l.CycleA, l.IdtA, l.DB, l.GB, l.CycleB, l.IdtB}
}

// NonFiniteError reports a NaN or infinite loss.
type NonFiniteError struct {
	Loss  string
	Value float64
}

func (e *NonFiniteError) Error() string {
	return fmt.Sprintf("loss %s is %v", e.Loss, e.Value)
}

// Visuals are the images of the last iteration (for sample grids). The
// generated ones (FakeB, RecA, FakeA, RecB) are valid until the next Step,
// which recycles their storage: copy what must outlive it.
type Visuals struct {
	RealA, FakeB, RecA, RealB, FakeA, RecB *nn.Tensor
}

// Step is one call of the official optimize_parameters with learning rate
// lr: forward (fake_B = G_A(A), rec_A = G_B(fake_B), fake_A = G_B(B),
// rec_B = G_A(fake_A)); the generators' step with the discriminators
// frozen (loss_G = GAN(D_A(fake_B), 1) + GAN(D_B(fake_A), 1) +
// cycle_A*lambda_A + cycle_B*lambda_B + idt_A*lambda_B*lambda_idt +
// idt_B*lambda_A*lambda_idt); then the discriminators' step, D_A on real_B
// against pool(fake_B) and D_B on real_A against pool(fake_A), each loss
// (MSE(D(real), 1) + MSE(D(fake), 0)) * 0.5. rng drives the image pools.
//
// If a loss is NaN or infinite, Step stops before the optimizer step that
// would use it and returns a *NonFiniteError.
func (m *Model) Step(realA, realB *nn.Tensor, lr float64, rng *rand.Rand) (Losses, *Visuals, error) {
	var L Losses
	// The images of the previous step's Visuals go back to the pool that
	// the training passes draw from, as do the gradients below once
	// consumed, so that a step in its steady state allocates little.
	nn.Recycle(m.generated[:]...)
	m.generated = [4]*nn.Tensor{}
	// The weights stay as they are until the optimizer steps: the layers
	// keep their packed weights across the passes of the step (three
	// forward and three backward passes of each generator, two or three of
	// each discriminator) and drop them before each update.
	m.pinG(true)
	m.pinD(true)
	defer func() { m.pinG(false); m.pinD(false) }()
	// The two directions touch disjoint parameters (G_A and D_A on one side,
	// G_B and D_B on the other), so they run side by side on two cores; each
	// parameter's gradient receives its terms in the same order as in a
	// sequential run, and the image pools draw from rng in the official order.
	//
	// The passes run in the order that keeps the fewest of them in memory at
	// once: a generator pass keeps its activations until its backward, and
	// the official order (the four passes of forward(), then the identity
	// passes of backward_G) holds five at once (six on two cores). Here each
	// loss's backward follows its forward, and only the fakes' passes wait
	// for the discriminators' gradients: at most three passes are held on
	// one core, four on two. The values are the same bit for bit: every
	// forward pass sees the weights of before the step, and each generator's
	// gradient receives its terms in the same order (identity, cycle, then
	// through the fake).
	var fakeB, recA, fakeA, recB *nn.Tensor
	var tFakeB, tFakeA *nn.Tape
	m.OptG.ZeroGrad()
	lA, lB, lIdt := float32(m.LambdaA), float32(m.LambdaB), float32(m.LambdaIdt)
	if m.LambdaIdt > 0 {
		// idt_A = G_A(real_B), idt_B = G_B(real_A); the real images need no gradient.
		both(func() { L.IdtA = identityStep(m.GA, realB, lB*lIdt) }, func() { L.IdtB = identityStep(m.GB, realA, lA*lIdt) })
	}
	// forward(): fake_B = G_A(real_A), fake_A = G_B(real_B), kept for the end.
	both(func() { fakeB, tFakeB = m.GA.ForwardTrain(realA) }, func() { fakeA, tFakeA = m.GB.ForwardTrain(realB) })
	// rec_A = G_B(fake_B) and rec_B = G_A(fake_A) with their cycle losses'
	// backward: dL/dfake_B = D_A's input gradient (below) + G_B's (through
	// rec_A); likewise fake_A.
	var dPredA, dRecA, dPredB, dRecB *nn.Tensor
	both(func() { recA, L.CycleA, dRecA = cycleStep(m.GB, fakeB, realA, lA) }, func() { recB, L.CycleB, dRecB = cycleStep(m.GA, fakeA, realB, lB) })
	// D_A(fake_B) and D_B(fake_A), with D frozen (no D gradients), are kept
	// for the discriminators' step, which sees the same fakes (from the
	// image pools) more often than not.
	var seenA, seenB recordedD
	both(func() { L.GA, dPredA, seenA = ganStep(m.DA, fakeB) }, func() { L.GB, dPredB, seenB = ganStep(m.DB, fakeA) })
	dFakeB := nn.PooledTensor(fakeB.Shape...)
	addInto(dFakeB.Data, dPredA.Data)
	addInto(dFakeB.Data, dRecA.Data)
	dFakeA := nn.PooledTensor(fakeA.Shape...)
	addInto(dFakeA.Data, dPredB.Data)
	addInto(dFakeA.Data, dRecB.Data)
	nn.Recycle(dPredA, dRecA, dPredB, dRecB)

	if err := checkFinite(L, "G_A", "G_B", "cycle_A", "cycle_B", "idt_A", "idt_B"); err != nil {
		seenA.tape.Release()
		seenB.tape.Release()
		return L, nil, err
	}
	both(func() { m.GA.BackwardParams(tFakeB, dFakeB); tFakeB.Release() }, // real images need no gradient
		func() { m.GB.BackwardParams(tFakeA, dFakeA); tFakeA.Release() })
	nn.Recycle(dFakeB, dFakeA)
	m.pinG(false)
	m.OptG.Update(lr)
	m.keepUpsampleBalanced()

	// backward_D_A(), backward_D_B(): fresh gradients for the discriminators.
	m.OptD.ZeroGrad()
	poolB := m.PoolB.Query(fakeB, rng)
	poolA := m.PoolA.Query(fakeA, rng)
	both(func() { L.DA = m.backwardD(m.DA, realB, poolB, seenA) }, func() { L.DB = m.backwardD(m.DB, realA, poolA, seenB) })
	for i, p := range []*nn.Tensor{poolB, poolA} {
		if p != []*nn.Tensor{fakeB, fakeA}[i] { // a pool of size 0 hands the fake back
			nn.Recycle(p)
		}
	}
	if err := checkFinite(L, "D_A", "D_B"); err != nil {
		return L, nil, err
	}
	m.pinD(false)
	m.OptD.Update(lr)
	m.generated = [4]*nn.Tensor{fakeB, recA, fakeA, recB}
	return L, &Visuals{RealA: realA, FakeB: fakeB, RecA: recA, RealB: realB, FakeA: fakeA, RecB: recB}, nil
}

// identityStep is an identity term of backward_G: idt = g(real) (the image of
// g's target domain), loss L1(idt, real)·w, whose gradient g's parameters
// receive. It returns the loss.
func identityStep(g *nn.Generator, real *nn.Tensor, w float32) float64 {
	idt, t := g.ForwardTrain(real)
	d := nn.PooledTensor(idt.Shape...)
	loss := l1Loss(idt.Data, real.Data, w, d.Data) * float64(w)
	g.BackwardParams(t, d) // the real image needs no gradient
	t.Release()
	nn.Recycle(d, idt)
	return loss
}

// cycleStep is a cycle term of backward_G: rec = g(fake), loss
// L1(rec, real)·w, whose gradient g's parameters receive. It returns rec,
// the loss and the gradient of the loss with respect to fake.
func cycleStep(g *nn.Generator, fake, real *nn.Tensor, w float32) (rec *nn.Tensor, loss float64, dFake *nn.Tensor) {
	rec, t := g.ForwardTrain(fake)
	d := nn.PooledTensor(rec.Shape...)
	loss = l1Loss(rec.Data, real.Data, w, d.Data) * float64(w)
	dFake = g.Backward(t, d)
	t.Release()
	nn.Recycle(d)
	return rec, loss, dFake
}

// ganStep is a GAN term of backward_G with d frozen: pred = d(fake), loss
// MSE(pred, 1). It returns the loss, its gradient with respect to fake and
// the pass of d, kept for the discriminators' step.
func ganStep(d *nn.Discriminator, fake *nn.Tensor) (loss float64, dFake *nn.Tensor, seen recordedD) {
	pred, t := d.ForwardTrain(fake)
	g := nn.NewTensor(pred.Shape...)
	loss = mseLoss(pred.Data, 1, 1, g.Data)
	dFake = d.BackwardInput(t, g) // D frozen: no D gradients
	return loss, dFake, recordedD{input: fake, pred: pred, tape: t}
}

// pinG and pinD pin (or unpin) the generators' weights and the
// discriminators' (nn.Generator.PinWeights).
func (m *Model) pinG(on bool) { m.GA.PinWeights(on); m.GB.PinWeights(on) }
func (m *Model) pinD(on bool) { m.DA.PinWeights(on); m.DB.PinWeights(on) }

// recordedD is a discriminator's forward pass made in the generators'
// step: its input, output and tape.
type recordedD struct {
	input, pred *nn.Tensor
	tape        *nn.Tape
}

// backwardD is the official backward_D_basic: LSGAN loss of D on a real
// and a (detached) fake batch, halved; accumulates D's gradients. When the
// fake holds the same values as seen's input, seen's forward pass is the
// one D would compute again (the same weights: the generators' step does
// not change D, and the same input), so it is used instead, bit for bit
// the same; backwardD releases seen's tape either way.
func (m *Model) backwardD(d *nn.Discriminator, real, fake *nn.Tensor, seen recordedD) float64 {
	if !sameBits(fake.Data, seen.input.Data) {
		seen.tape.Release()
		seen = recordedD{}
	}
	pr, tr := d.ForwardTrain(real)
	g := nn.NewTensor(pr.Shape...)
	lr := mseLoss(pr.Data, 1, 0.5, g.Data)
	d.BackwardParams(tr, g) // neither input needs a gradient (the fake is detached)
	tr.Release()
	pf, tf := seen.pred, seen.tape
	if tf == nil {
		pf, tf = d.ForwardTrain(fake)
	}
	g = nn.NewTensor(pf.Shape...)
	lf := mseLoss(pf.Data, 0, 0.5, g.Data)
	d.BackwardParams(tf, g)
	tf.Release()
	return (lr + lf) * 0.5
}

func checkFinite(l Losses, which ...string) error {
	names, vals := l.Names(), l.Values()
	for _, w := range which {
		for i, n := range names {
			if n == w && (math.IsNaN(vals[i]) || math.IsInf(vals[i], 0)) {
				return &NonFiniteError{Loss: n, Value: vals[i]}
			}
		}
	}
	return nil
}

// both runs a and b, side by side when there are two cores or more. They
// must touch disjoint state.
func both(a, b func()) {
	if runtime.GOMAXPROCS(0) < 2 {
		a()
		b()
		return
	}
	var wg sync.WaitGroup
	wg.Go(a)
	b()
	wg.Wait()
}

// sameBits reports whether a and b hold the same float32 values bit for bit.
func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i, v := range a {
		if math.Float32bits(v) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}
