package translate

import (
	"fmt"

	"github.com/cyclegan-go/cyclegan/nn"
)

// carryUp brings a translation made at the model's scale to the photo's
// size: x is the photo (1×ci×H×W, in [-1, 1], as the generator sees it),
// xs the photo scaled to the model's scale (1×ci×h×w) and ys the
// generator's output for xs (1×co×h×w). The result is 1×co×H×W, in
// [-1, 1].
func carryUp(c Carry, x, xs, ys *nn.Tensor) (*nn.Tensor, error) {
	switch c {
	case Guided:
		return guidedUp(x, xs, ys), nil
	case Additive:
		return additiveUp(x, xs, ys), nil
	case Resized:
		out := resize(ys, x.W(), x.H(), bicubic)
		clampUnit(out.Data)
		return out, nil
	}
	return nil, fmt.Errorf("translate: unknown carry-up %d", c)
}

// additiveUp is x + up(ys − xs): the change the generator made, enlarged
// (bicubic), added to the photo.
func additiveUp(x, xs, ys *nn.Tensor) *nn.Tensor {
	co, ci := ys.C(), x.C()
	d := matchChannels(xs, co)
	for i := range d.Data {
		d.Data[i] = ys.Data[i] - d.Data[i]
	}
	// Each enlarged row of the change gets its row of the photo (its
	// channels matched as matchChannels does) added and is clamped while
	// it is in the cache.
	W, n := x.W(), x.H()*x.W()
	return resizeRows(d, W, x.H(), bicubic, func(k, r int, row []float32) {
		row = row[:W]
		o := r * W
		switch {
		case ci == co:
			p := x.Data[k*n+o:][:W]
			for i, v := range row {
				row[i] = min(max(v+p[i], -1), 1)
			}
		case ci == 3:
			pr, pg, pb := x.Data[o:][:W], x.Data[n+o:][:W], x.Data[2*n+o:][:W]
			for i, v := range row {
				row[i] = min(max(v+(0.299*pr[i]+0.587*pg[i]+0.114*pb[i]), -1), 1)
			}
		default:
			p := x.Data[o:][:W]
			for i, v := range row {
				row[i] = min(max(v+p[i], -1), 1)
			}
		}
	})
}

// matchChannels returns a copy of x (1×ci×H×W) with co channels: itself,
// its luma (ITU-R 601, as PIL's convert("L")) for 3 → 1, or its one plane
// repeated for 1 → 3.
func matchChannels(x *nn.Tensor, co int) *nn.Tensor {
	ci, n := x.C(), x.H()*x.W()
	out := nn.NewTensor(1, co, x.H(), x.W())
	switch {
	case ci == co:
		copy(out.Data, x.Data)
	case ci == 3:
		for i := range n {
			out.Data[i] = 0.299*x.Data[i] + 0.587*x.Data[n+i] + 0.114*x.Data[2*n+i]
		}
	default:
		for c := range co {
			copy(out.Data[c*n:(c+1)*n], x.Data[:n])
		}
	}
	return out
}
