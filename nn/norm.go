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

// normBlock is the most values summed in float32 (in SIMD lanes) before a
// float64 accumulation: a few units of float32 rounding per block at most.
const normBlock = 1024

// planeStats returns the mean and 1/sqrt(var+eps) of one plane (biased
// variance, two passes). Blocks of normBlock values are summed in float32
// vector lanes (sumRow, sumSqDevRow: SIMD where the build has it) and the
// block sums in float64.
func (l *InstanceNorm2d) planeStats(x []float32) (mean, invStd float64) {
	mean, m2 := planeMoments(x)
	return mean, 1 / math.Sqrt(m2/float64(len(x))+l.Eps)
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
func (l *InstanceNorm2d) forwardInPlace(x *Tensor) { l.normalize(x, false) }

// forwardReLUInPlace is forwardInPlace followed by ReLU, in one pass.
func (l *InstanceNorm2d) forwardReLUInPlace(x *Tensor) { l.normalize(x, true) }

func (l *InstanceNorm2d) normalize(x *Tensor, relu bool) {
	l.check(x)
	hw := x.H() * x.W()
	parallelElems(x.N()*x.C(), 3*float64(hw), func(i0, i1 int) {
		for i := i0; i < i1; i++ {
			p := x.Data[i*hw : (i+1)*hw]
			mean, inv := l.planeStats(p)
			normRow(p, float32(mean), float32(inv), relu)
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
			sg, sgx := normGradSums(gp, xp, mean, inv)
			mg, mgx := float32(sg/float64(hw)), float32(sgx/float64(hw))
			normGradRow(gp, xp, float32(mean), float32(inv), mg, mgx)
		}
	})
}
