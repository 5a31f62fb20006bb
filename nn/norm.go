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
// Four partial sums break the chain of dependent float64 additions (one
// add latency per value otherwise), in both passes.
func (l *InstanceNorm2d) planeStats(x []float32) (mean, invStd float64) {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v := x[i : i+4 : i+4]
		s0 += float64(v[0])
		s1 += float64(v[1])
		s2 += float64(v[2])
		s3 += float64(v[3])
	}
	for ; i < len(x); i++ {
		s0 += float64(x[i])
	}
	mean = (s0 + s1 + s2 + s3) / float64(len(x))
	s0, s1, s2, s3 = 0, 0, 0, 0
	for i = 0; i+4 <= len(x); i += 4 {
		v := x[i : i+4 : i+4]
		d0, d1, d2, d3 := float64(v[0])-mean, float64(v[1])-mean, float64(v[2])-mean, float64(v[3])-mean
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; i < len(x); i++ {
		d := float64(x[i]) - mean
		s0 += d * d
	}
	return mean, 1 / math.Sqrt((s0+s1+s2+s3)/float64(len(x))+l.Eps)
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
	parallelElems(x.N()*x.C(), 3*float64(hw), func(i0, i1 int) {
		for i := i0; i < i1; i++ {
			p := x.Data[i*hw : (i+1)*hw]
			mean, inv := l.planeStats(p)
			m, r := float32(mean), float32(inv)
			for j, v := range p {
				p[j] = (v - m) * r
			}
		}
	})
}

// Backward, per plane, with x̂ = (x − mean)·r and r = 1/sqrt(var+eps):
//
//	dx = r · (dy − mean(dy) − x̂ · mean(dy · x̂))
//
// x̂ is recomputed from x, so y is not needed.
func (l *InstanceNorm2d) Backward(x, y, dy *Tensor) *Tensor {
	dx := newScratchTensor(false, dy.Shape...)
	copy(dx.Data, dy.Data)
	l.backwardInPlace(x, y, dx)
	return dx
}

// backwardInPlace turns dy into dx, the planes spread over the cores.
func (l *InstanceNorm2d) backwardInPlace(x, y, dy *Tensor) {
	l.check(x)
	if len(dy.Data) != len(x.Data) {
		panic(fmt.Sprintf("nn: InstanceNorm2d.Backward: dy has shape %v, want %v", dy.Shape, x.Shape))
	}
	hw := x.H() * x.W()
	parallelElems(x.N()*x.C(), 5*float64(hw), func(lo, hi int) {
		for i := lo; i < hi; i++ {
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
			for j, g := range gp {
				xh := (xp[j] - m) * r
				gp[j] = r * (g - mg - xh*mgx)
			}
		}
	})
}
