package nn

// Tape keeps the activations of one training forward pass of a sequence of
// layers until its Backward. acts[i] is the input of layer i and acts[i+1]
// its output; subs[i] is the inner tape of a composite layer (ResnetBlock).
// Tapes are independent: a model may have several forward passes in flight.
// The output returned with a tape is acts[len] itself: do not modify it
// before Backward (Tanh's gradient is computed from it).
type Tape struct {
	acts []*Tensor
	subs []*Tape
}

// taped is implemented by composite layers that record their own inner
// activations instead of recomputing them in Backward.
type taped interface {
	forwardTrain(x *Tensor) (*Tensor, *Tape)
	backwardTape(t *Tape, dy *Tensor) *Tensor
}

// sequential runs layers one after the other, like torch.nn.Sequential.
type sequential []Layer

// forwardTrain runs every layer and keeps every activation.
func (s sequential) forwardTrain(x *Tensor) (*Tensor, *Tape) {
	t := &Tape{acts: make([]*Tensor, len(s)+1), subs: make([]*Tape, len(s))}
	t.acts[0] = x
	for i, l := range s {
		if c, ok := l.(taped); ok {
			x, t.subs[i] = c.forwardTrain(x)
		} else {
			x = l.Forward(x)
		}
		t.acts[i+1] = x
	}
	return x, t
}

// backward walks the tape in reverse, accumulating parameter gradients, and
// returns dL/dx for the tape's input.
func (s sequential) backward(t *Tape, dy *Tensor) *Tensor {
	if t == nil || len(t.acts) != len(s)+1 {
		panic("nn: Backward: tape was recorded by a different model")
	}
	for i := len(s) - 1; i >= 0; i-- {
		if c, ok := s[i].(taped); ok && t.subs[i] != nil {
			dy = c.backwardTape(t.subs[i], dy)
		} else {
			dy = s[i].Backward(t.acts[i], t.acts[i+1], dy)
		}
	}
	return dy
}

// infer runs the layers for inference, dropping each activation as soon as
// the next one exists and running element-wise layers in place. x itself is
// never modified (the first in-place layer works on a layer's own output).
// progress, if not nil, is called after each layer.
func (s sequential) infer(x *Tensor, progress func(done, total int)) *Tensor {
	owned := false // whether x was allocated here and may be overwritten
	for i, l := range s {
		if ip, ok := l.(inPlacer); ok && owned {
			ip.forwardInPlace(x)
		} else {
			y := l.Forward(x)
			if y != x { // Dropout passes x through
				owned = true
			}
			x = y
		}
		if progress != nil {
			progress(i+1, len(s))
		}
	}
	return x
}

// params lists the layers' parameters in order, with their own names.
func (s sequential) params() []*Param {
	var out []*Param
	for _, l := range s {
		out = append(out, l.Params()...)
	}
	return out
}
