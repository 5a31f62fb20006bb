package train

import "math"

// mseLoss is nn.MSELoss() (mean) between pred and a constant target (the
// LSGAN loss: target 1 for real, 0 for fake). If grad is not nil it
// receives scale * dLoss/dpred, i.e. scale * 2 (pred - target) / n.
func mseLoss(pred []float32, target float32, scale float32, grad []float32) float64 {
	var s float64
	n := float32(len(pred))
	for i, p := range pred {
		d := p - target
		s += float64(d) * float64(d)
		if grad != nil {
			grad[i] = scale * (2 * d / n)
		}
	}
	return s / float64(len(pred))
}

// l1Loss is nn.L1Loss() (mean). If grad is not nil it receives
// scale * sign(pred - target) / n (0 where they are equal, as PyTorch).
func l1Loss(pred, target []float32, scale float32, grad []float32) float64 {
	var s float64
	g := scale / float32(len(pred))
	for i, p := range pred {
		d := p - target[i]
		s += math.Abs(float64(d))
		if grad != nil {
			switch {
			case d > 0:
				grad[i] = g
			case d < 0:
				grad[i] = -g
			default:
				grad[i] = 0
			}
		}
	}
	return s / float64(len(pred))
}

// addScaled adds src to dst element-wise.
func addInto(dst, src []float32) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] += src[i]
	}
}
