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

// Release gives the storage of the tape's inner activations back for later
// training passes to reuse. The tape's input and output are kept (they
// belong to the caller); the tape must not be used afterwards.
func (t *Tape) Release() {
	if t == nil || len(t.acts) == 0 {
		return
	}
	seen := map[*float32]bool{}
	for _, a := range []*Tensor{t.acts[0], t.acts[len(t.acts)-1]} {
		if len(a.Data) > 0 {
			seen[&a.Data[0]] = true
		}
	}
	t.release(seen)
}

// release puts every activation but the input (which the enclosing tape or
// the caller owns) into the pool once, and clears the tape.
func (t *Tape) release(seen map[*float32]bool) {
	for i, a := range t.acts {
		if i < len(t.subs) && t.subs[i] != nil {
			t.subs[i].release(seen)
		}
		if i == 0 || a == nil || len(a.Data) == 0 || seen[&a.Data[0]] {
			continue
		}
		seen[&a.Data[0]] = true
		putScratch(a.Data)
	}
	t.acts, t.subs = nil, nil
}
