package nn

import (
	"fmt"
	"strconv"
)

// Layer is one module of a network. Forward computes y from x and allocates
// y; it never changes x. Backward receives the x and y of a matching Forward
// and dL/dy, ACCUMULATES the parameter gradients into each Param.Grad and
// returns a new dL/dx. A layer keeps no per-call state, so several forward
// passes may be awaiting their backward at once.
type Layer interface {
	Forward(x *Tensor) *Tensor
	Backward(x, y, dy *Tensor) *Tensor
	Params() []*Param
}

// inPlacer is implemented by element-wise layers that inference may run over
// their input's own storage, so that no second copy of a large activation exists.
type inPlacer interface {
	forwardInPlace(x *Tensor)
}

// container is implemented by layers made of sub-layers (ResnetBlock); the
// sub-layers' state_dict keys are prefixed with name ("conv_block").
type container interface {
	children() (name string, layers []Layer)
}

// namedParams lists the parameters of l in state_dict order under prefix
// ("model.10" gives "model.10.conv_block.1.weight", ...).
func namedParams(prefix string, l Layer) []NamedParam {
	if c, ok := l.(container); ok {
		name, subs := c.children()
		var out []NamedParam
		for j, s := range subs {
			out = append(out, namedParams(prefix+"."+name+"."+strconv.Itoa(j), s)...)
		}
		return out
	}
	var out []NamedParam
	for _, p := range l.Params() {
		out = append(out, NamedParam{Key: prefix + "." + p.Name, Param: p})
	}
	return out
}

// check4D panics with a message naming the layer when x is not a consistent
// NCHW tensor with c channels (c < 0: any). Layers are called by the models,
// which validate user input first, so this only catches programming errors.
func check4D(layer string, x *Tensor, c int) {
	if len(x.Shape) != 4 {
		panic(fmt.Sprintf("nn: %s: input must be NCHW, have shape %v", layer, x.Shape))
	}
	if x.N()*x.C()*x.H()*x.W() != len(x.Data) {
		panic(fmt.Sprintf("nn: %s: shape %v does not match %d values", layer, x.Shape, len(x.Data)))
	}
	if c >= 0 && x.C() != c {
		panic(fmt.Sprintf("nn: %s: input has %d channels, want %d", layer, x.C(), c))
	}
}

// addInto adds src to dst element-wise.
func addInto(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] += v
	}
}

// addBiasGrad adds the sum of each of dy's channel planes (n×c×plane) to db.
func addBiasGrad(db []float32, dy []float32, n, c, plane int) {
	for i := 0; i < n; i++ {
		for ch := 0; ch < c; ch++ {
			db[ch] += float32(sumRow64(dy[(i*c+ch)*plane : (i*c+ch+1)*plane]))
		}
	}
}

// addBias adds b[ch] to every element of channel plane ch of y (n×c×plane).
func addBias(y []float32, b []float32, n, c, plane int) {
	for i := 0; i < n; i++ {
		for ch := 0; ch < c; ch++ {
			v := b[ch]
			p := y[(i*c+ch)*plane : (i*c+ch+1)*plane]
			for j := range p {
				p[j] += v
			}
		}
	}
}
