package train

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/cyclegan-go/cyclegan/nn"
)

// Adam is torch.optim.Adam (PyTorch 1.13, single-tensor path, no weight
// decay, no amsgrad) over a fixed list of parameters, like the official
// optimizers over itertools.chain(netG_A.parameters(), netG_B.parameters()).
// The moments M and V are float32 as in PyTorch; the bias corrections are
// computed in float64 as Python does and rounded once.
type Adam struct {
	Params       []*nn.Param
	Beta1, Beta2 float64
	Eps          float64
	Step         int         // number of updates done (PyTorch's state['step'])
	M, V         [][]float32 // exp_avg, exp_avg_sq, one per parameter
}

// NewAdam returns an optimizer with zero state for params.
func NewAdam(params []*nn.Param, beta1, beta2 float64) *Adam {
	a := &Adam{Params: params, Beta1: beta1, Beta2: beta2, Eps: 1e-8}
	for _, p := range params {
		a.M = append(a.M, make([]float32, len(p.Value.Data)))
		a.V = append(a.V, make([]float32, len(p.Value.Data)))
	}
	return a
}

// ZeroGrad clears every parameter's gradient (optimizer.zero_grad()).
func (a *Adam) ZeroGrad() {
	for _, p := range a.Params {
		p.EnsureGrad().Zero()
	}
}

// Update applies one Adam step with learning rate lr to every parameter:
//
//	m = beta1*m + (1-beta1)*g
//	v = beta2*v + (1-beta2)*g*g
//	p -= step_size * m / (sqrt(v)/sqrt(bc2) + eps),  step_size = lr/bc1
func (a *Adam) Update(lr float64) {
	a.Step++
	bc1 := 1 - math.Pow(a.Beta1, float64(a.Step))
	bc2 := 1 - math.Pow(a.Beta2, float64(a.Step))
	stepSize := float32(lr / bc1)
	bc2sqrt := float32(math.Sqrt(bc2))
	b1, omb1 := float32(a.Beta1), float32(1-a.Beta1)
	b2, omb2 := float32(a.Beta2), float32(1-a.Beta2)
	eps := float32(a.Eps)
	for _, p := range a.Params {
		p.EnsureGrad()
	}
	// Element-wise, so the parameters are cut into chunks spread over the cores.
	type chunk struct{ i, lo, hi int }
	var chunks []chunk
	for i, p := range a.Params {
		for lo := 0; lo < len(p.Value.Data); lo += adamChunk {
			chunks = append(chunks, chunk{i, lo, min(lo+adamChunk, len(p.Value.Data))})
		}
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(chunks)) {
		wg.Go(func() {
			for {
				c := int(next.Add(1)) - 1
				if c >= len(chunks) {
					return
				}
				ch, p := chunks[c], a.Params[chunks[c].i]
				adamKernel(p.Value.Data[ch.lo:ch.hi], p.Grad.Data[ch.lo:ch.hi], a.M[ch.i][ch.lo:ch.hi], a.V[ch.i][ch.lo:ch.hi],
					b1, omb1, b2, omb2, bc2sqrt, eps, stepSize)
			}
		})
	}
	wg.Wait()
}

// adamChunk is the number of parameters one goroutine updates at a time.
const adamChunk = 1 << 16

// adamKernelGo is the element-wise update over plain slices, in PyTorch's
// order of float32 operations (adamKernel: the vector version where there
// is one, adam_amd64.go, same operations so the same bits).
func adamKernelGo(p, g, m, v []float32, b1, omb1, b2, omb2, bc2sqrt, eps, stepSize float32) {
	m = m[:len(p)]
	v = v[:len(p)]
	g = g[:len(p)]
	for j := range p {
		gj := g[j]
		mj := m[j]*b1 + gj*omb1
		vj := v[j]*b2 + omb2*(gj*gj)
		m[j], v[j] = mj, vj
		denom := float32(math.Sqrt(float64(vj)))/bc2sqrt + eps
		p[j] += -stepSize * mj / denom
	}
}
