package nn

// Restricted backward passes for training steps that need only part of the
// gradients (as PyTorch skips what requires_grad=False makes unnecessary).

// BackwardParams accumulates every parameter's gradient like Backward but
// does not compute dL/dx (the input needs no gradient: a real image, or a
// detached fake). It skips the first convolution's input gradient.
func (g *Generator) BackwardParams(t *Tape, dy *Tensor) {
	g.layers.backwardFor(t, dy, convGrads{params: true})
}

// BackwardInput returns dL/dx like Backward but leaves every parameter
// gradient untouched (the discriminator in the generators' step, whose
// parameters are frozen).
func (d *Discriminator) BackwardInput(t *Tape, dy *Tensor) *Tensor {
	return d.layers.backwardFor(t, dy, convGrads{input: true})
}

// BackwardParams accumulates every parameter's gradient like Backward but
// does not compute dL/dx.
func (d *Discriminator) BackwardParams(t *Tape, dy *Tensor) {
	d.layers.backwardFor(t, dy, convGrads{params: true})
}
