package nn

// sequential runs layers one after the other, like torch.nn.Sequential.
type sequential []Layer

// forwardTrain runs every layer and keeps every activation.
func (s sequential) forwardTrain(x *Tensor) (*Tensor, *Tape) {
	t := &Tape{acts: make([]*Tensor, len(s)+1), subs: make([]*Tape, len(s))}
	t.acts[0] = x
	for i, l := range s {
		if c, ok := l.(taped); ok {
			x, t.subs[i] = c.forwardTrain(x)
		} else if ip, ok := l.(inPlacer); ok && !isDropout(l) {
			if i > 0 && outputUnread(s[i-1]) && readsOutputOnly(l) {
				// x was made by the layer before, whose backward does not
				// read it, and l's backward reads only its own output (or
				// its sign): transformed in place, x serves as both (the
				// tape then holds the same tensor at i and i+1).
				ip.forwardInPlace(x)
			} else {
				// Element-wise: a pooled copy of x, transformed in place.
				y := newScratchTensor(false, x.Shape...)
				copy(y.Data, x.Data)
				ip.forwardInPlace(y)
				x = y
			}
		} else {
			x = l.Forward(x)
		}
		t.acts[i+1] = x
	}
	return x, t
}

func isDropout(l Layer) bool { _, ok := l.(*Dropout); return ok }

// outputUnread reports whether l's forward pass in training makes a tensor
// of its own that l's backward does not read (it reads its input).
func outputUnread(l Layer) bool {
	switch l.(type) {
	case *Conv2d, *ConvTranspose2d, *InstanceNorm2d:
		return true
	}
	return false
}

// readsOutputOnly reports whether the element-wise layer l's backward gives
// the same result when handed its output for its input: ReLU and Tanh read
// the output; LeakyReLU reads the input's sign, which its output keeps for
// a positive slope.
func readsOutputOnly(l Layer) bool {
	switch l := l.(type) {
	case *ReLU, *Tanh:
		return true
	case *LeakyReLU:
		return l.Slope > 0
	}
	return false
}

// isReLU reports whether l is a ReLU (not a LeakyReLU).
func isReLU(l Layer) bool { _, ok := l.(*ReLU); return ok }

// backward walks the tape in reverse, accumulating parameter gradients, and
// returns dL/dx for the tape's input.
func (s sequential) backward(t *Tape, dy *Tensor) *Tensor { return s.backwardFor(t, dy, allGrads) }

// inPlaceBackwarder is implemented by element-wise layers whose gradient
// can overwrite dy (dy becomes dx).
type inPlaceBackwarder interface {
	backwardInPlace(x, y, dy *Tensor)
}

// backwardFor is backward restricted to want: without want.params the
// convolutions leave their gradients alone; without want.input it returns
// nil and skips what only dx needs (the first convolution's input gradient).
// Gradients it allocated itself are overwritten in place by element-wise
// layers and recycled once consumed; the caller's dy is never modified.
func (s sequential) backwardFor(t *Tape, dy *Tensor, want convGrads) *Tensor {
	if t == nil || len(t.acts) != len(s)+1 {
		panic("nn: Backward: tape was recorded by a different model")
	}
	owned := false // dy was allocated here
	for i := len(s) - 1; i >= 0; i-- {
		x, y := t.acts[i], t.acts[i+1]
		sub := convGrads{input: i > 0 || want.input, params: want.params}
		var dx *Tensor
		switch l := s[i].(type) {
		case *Conv2d:
			dx = l.backward(x, dy, sub)
		case *ConvTranspose2d:
			dx = l.backward(x, dy, sub)
		case *ResnetBlock:
			if t.subs[i] == nil {
				panic("nn: Backward: tape was recorded by a different model")
			}
			dx = l.backwardTapeFor(t.subs[i], dy, want.params)
		default:
			if !sub.input && len(l.Params()) == 0 {
				break
			}
			if ip, ok := l.(inPlaceBackwarder); ok && owned {
				ip.backwardInPlace(x, y, dy)
				continue
			}
			dx = l.Backward(x, y, dy)
		}
		if dx == dy { // Dropout
			continue
		}
		if owned {
			putScratch(dy.Data)
		}
		dy, owned = dx, true
		if dy == nil {
			return nil
		}
	}
	return dy
}

// inferPoolMax is the largest activation (in floats, 32 MB) whose storage
// inference hands to the scratch pool once consumed. Reusing storage saves
// the zeroing and page faults of fresh allocations (ngf 16 and 32 generators
// at 256²: 20–35% faster); larger activations (ngf 64 at 1024², 67–270 MB
// each) go back to the garbage collector, which keeps the peak memory of
// large images where it was.
const inferPoolMax = 1 << 23

// infer runs the layers for inference, dropping each activation as soon as
// the next one exists and running element-wise layers in place. x itself is
// never modified (the first in-place layer works on a layer's own output).
// step, if not nil, is called after each layer with the layers done and
// their total; an error it returns stops the pass and is returned.
func (s sequential) infer(x *Tensor, step func(done, total int) error) (*Tensor, error) {
	owned := false // whether x was allocated here and may be overwritten
	fused := false // the layer was done with the one before it
	for i, l := range s {
		if fused {
			fused = false
		} else if norm, ok := l.(*InstanceNorm2d); ok && owned && i+1 < len(s) && isReLU(s[i+1]) {
			norm.forwardReLUInPlace(x) // InstanceNorm then ReLU, in one pass over x
			fused = true
		} else if ip, ok := l.(inPlacer); ok && owned {
			ip.forwardInPlace(x)
		} else {
			y := l.Forward(x)
			if y != x { // Dropout passes x through
				if owned && len(x.Data) <= inferPoolMax {
					putScratch(x.Data) // x was made here and is consumed: its storage serves later layers
				}
				owned = true
			}
			x = y
		}
		if step != nil {
			if err := step(i+1, len(s)); err != nil {
				return nil, err
			}
		}
	}
	return x, nil
}

// params lists the layers' parameters in order, with their own names.
func (s sequential) params() []*Param {
	var out []*Param
	for _, l := range s {
		out = append(out, l.Params()...)
	}
	return out
}
