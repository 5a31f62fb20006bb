package classify

import (
	"fmt"
	"math"

	"github.com/cyclegan-go/cyclegan/nn"
)

// The pieces a classifier needs that nn (built for image-to-image
// networks) lacks: global average pooling, a fully connected layer and the
// softmax cross-entropy loss. Each has its forward and backward pass side
// by side; layers_test.go checks every backward against finite differences.

// GlobalAvgPool averages each channel plane: N×C×H×W → N×C×1×1.
type GlobalAvgPool struct{}

// Params is empty.
func (GlobalAvgPool) Params() []*nn.Param { return nil }

// Forward returns the mean of every plane.
func (GlobalAvgPool) Forward(x *nn.Tensor) *nn.Tensor {
	n, c, hw := x.N(), x.C(), x.H()*x.W()
	y := nn.NewTensor(n, c, 1, 1)
	for i := range y.Data {
		var s float64
		for _, v := range x.Data[i*hw : (i+1)*hw] {
			s += float64(v)
		}
		y.Data[i] = float32(s / float64(hw))
	}
	return y
}

// Backward spreads each plane's gradient evenly over its H·W inputs.
func (GlobalAvgPool) Backward(x, y, dy *nn.Tensor) *nn.Tensor {
	hw := x.H() * x.W()
	dx := nn.NewTensor(x.Shape...)
	for i, g := range dy.Data {
		g /= float32(hw)
		p := dx.Data[i*hw : (i+1)*hw]
		for j := range p {
			p[j] = g
		}
	}
	return dx
}

// Linear is a fully connected layer, y = W·x + b, over N×In×1×1 inputs
// (the pooled features), giving N×Out×1×1. Weight is Out×In.
type Linear struct {
	In, Out      int
	Weight, Bias *nn.Param
}

// NewLinear returns a layer of zero weights and biases.
func NewLinear(in, out int) *Linear {
	return &Linear{In: in, Out: out,
		Weight: &nn.Param{Name: "weight", Value: nn.NewTensor(out, in)},
		Bias:   &nn.Param{Name: "bias", Value: nn.NewTensor(out)}}
}

// Params returns the weight and the bias.
func (l *Linear) Params() []*nn.Param { return []*nn.Param{l.Weight, l.Bias} }

// Forward computes y = W·x + b for every item of the batch.
func (l *Linear) Forward(x *nn.Tensor) *nn.Tensor {
	n := len(x.Data) / l.In
	y := nn.NewTensor(n, l.Out, 1, 1)
	w, b := l.Weight.Value.Data, l.Bias.Value.Data
	for i := range n {
		xi := x.Data[i*l.In : (i+1)*l.In]
		for o := range l.Out {
			s := b[o]
			for k, v := range w[o*l.In : (o+1)*l.In] {
				s += v * xi[k]
			}
			y.Data[i*l.Out+o] = s
		}
	}
	return y
}

// Backward accumulates dW += dy·xᵀ and db += dy and returns dx = Wᵀ·dy.
func (l *Linear) Backward(x, y, dy *nn.Tensor) *nn.Tensor {
	n := len(x.Data) / l.In
	dw, db := l.Weight.EnsureGrad().Data, l.Bias.EnsureGrad().Data
	w := l.Weight.Value.Data
	dx := nn.NewTensor(x.Shape...)
	for i := range n {
		xi, dxi := x.Data[i*l.In:(i+1)*l.In], dx.Data[i*l.In:(i+1)*l.In]
		for o := range l.Out {
			g := dy.Data[i*l.Out+o]
			db[o] += g
			row, drow := w[o*l.In:(o+1)*l.In], dw[o*l.In:(o+1)*l.In]
			for k := range row {
				drow[k] += g * xi[k]
				dxi[k] += g * row[k]
			}
		}
	}
	return dx
}

// Softmax returns the class probabilities of one row of logits.
func Softmax(logits []float32) []float32 {
	m := float32(math.Inf(-1))
	for _, v := range logits {
		m = max(m, v)
	}
	p := make([]float32, len(logits))
	var s float64
	for i, v := range logits {
		e := math.Exp(float64(v - m))
		p[i] = float32(e)
		s += e
	}
	for i := range p {
		p[i] = float32(float64(p[i]) / s)
	}
	return p
}

// CrossEntropy is the softmax cross-entropy of N×K logits against the
// labels (one class index per row), averaged over the N rows, and its
// gradient with respect to the logits, (softmax − one-hot)/N.
func CrossEntropy(logits *nn.Tensor, labels []int) (loss float64, grad *nn.Tensor, err error) {
	n := len(labels)
	if n == 0 || len(logits.Data)%n != 0 {
		return 0, nil, fmt.Errorf("classify: %d logits for %d labels", len(logits.Data), n)
	}
	k := len(logits.Data) / n
	grad = nn.NewTensor(logits.Shape...)
	for i, c := range labels {
		if c < 0 || c >= k {
			return 0, nil, fmt.Errorf("classify: label %d outside 0..%d", c, k-1)
		}
		p := Softmax(logits.Data[i*k : (i+1)*k])
		loss -= math.Log(max(float64(p[c]), 1e-30))
		for j, v := range p {
			if j == c {
				v--
			}
			grad.Data[i*k+j] = v / float32(n)
		}
	}
	return loss / float64(n), grad, nil
}
