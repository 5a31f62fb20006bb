package eval

import (
	"github.com/cyclegan-go/cyclegan/nn"
)

// Translate runs the generator on one image (sides must be multiples of
// 4): [0, 1] is mapped to the network's [-1, 1] and the output back.
func Translate(g *nn.Generator, m *Image) (*Image, error) {
	x := nn.NewTensor(1, 3, m.H, m.W)
	for i, v := range m.Pix {
		x.Data[i] = 2*v - 1
	}
	y, err := g.Forward(x)
	if err != nil {
		return nil, err
	}
	out := NewImage(m.W, m.H)
	for i := range out.Pix {
		v := (y.Data[i] + 1) / 2
		out.Pix[i] = min(max(v, 0), 1)
	}
	return out, nil
}
