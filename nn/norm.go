package nn

import (
	"fmt"
	"math"
)

// InstanceNorm2d is torch.nn.InstanceNorm2d(c) with affine=False and
// track_running_stats=False: each plane of each image is normalised with its
// own mean and biased variance, y = (x − mean) / sqrt(var + 1e-5), in training
// and inference alike. Statistics are accumulated in float64, in two passes
// (mean, then the squared deviations), as PyTorch's CPU kernel does.
type InstanceNorm2d struct {
	C   int
	Eps float64
}

// NewInstanceNorm2d returns an instance normalisation over c channels.
func NewInstanceNorm2d(c int) *InstanceNorm2d { return &InstanceNorm2d{C: c, Eps: 1e-5} }

// Params is empty (affine=False).
func (l *InstanceNorm2d) Params() []*Param { return nil }

// planeStats returns the mean and 1/sqrt(var+eps) of one plane.
func (l *InstanceNorm2d) planeStats(x []float32) (mean, invStd float64) {
	var s float64
	for _, v := range x {
		s += float64(v)
	}
	mean = s / float64(len(x))
	var ss float64
	for _, v := range x {
		d := float64(v) - mean
		ss += d * d
	}
	return mean, 1 / math.Sqrt(ss/float64(len(x))+l.Eps)
}

func (l *InstanceNorm2d) check(x *Tensor) {
	check4D("InstanceNorm2d", x, l.C)
	if x.H()*x.W() < 2 {
		panic(fmt.Sprintf("nn: InstanceNorm2d: planes of %dx%d have a single value", x.H(), x.W()))
	}
}

// Forward normalises a copy of x.
func (l *InstanceNorm2d) Forward(x *Tensor) *Tensor {
	y := x.Clone()
	l.forwardInPlace(y)
	return y
}

// forwardInPlace normalises x over its own storage.
func (l *InstanceNorm2d) forwardInPlace(x *Tensor) {
	l.check(x)
	hw := x.H() * x.W()
	for i := 0; i < x.N()*x.C(); i++ {
		p := x.Data[i*hw : (i+1)*hw]
		mean, inv := l.planeStats(p)
		m, r := float32(mean), float32(inv)
		for j, v := range p {
			p[j] = (v - m) * r
		}
	}
}

// Backward, per plane, with x̂ = (x − mean)·r and r = 1/sqrt(var+eps):
//
//	dx = r · (dy − mean(dy) − x̂ · mean(dy · x̂))
//
// x̂ is recomputed from x, so y is not needed.
func (l *InstanceNorm2d) Backward(x, y, dy *Tensor) *Tensor {
	l.check(x)
	if len(dy.Data) != len(x.Data) {
		panic(fmt.Sprintf("nn: InstanceNorm2d.Backward: dy has shape %v, want %v", dy.Shape, x.Shape))
	}
	hw := x.H() * x.W()
	dx := NewTensor(x.Shape...)
	for i := 0; i < x.N()*x.C(); i++ {
		xp := x.Data[i*hw : (i+1)*hw]
		gp := dy.Data[i*hw : (i+1)*hw]
		mean, inv := l.planeStats(xp)
		var sg, sgx float64
		for j, g := range gp {
			sg += float64(g)
			sgx += float64(g) * (float64(xp[j]) - mean) * inv
		}
		mg, mgx := float32(sg/float64(hw)), float32(sgx/float64(hw))
		m, r := float32(mean), float32(inv)
		out := dx.Data[i*hw : (i+1)*hw]
		for j, g := range gp {
			xh := (xp[j] - m) * r
			out[j] = r * (g - mg - xh*mgx)
		}
	}
	return dx
}
