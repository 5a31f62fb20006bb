package classify

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cyclegan-go/cyclegan/nn"
)

func randTensor(rng *rand.Rand, shape ...int) *nn.Tensor {
	t := nn.NewTensor(shape...)
	for i := range t.Data {
		t.Data[i] = float32(rng.NormFloat64())
	}
	return t
}

// gradCheck compares each analytic gradient g[i] of a scalar loss with the
// central difference (loss(v+eps) − loss(v−eps))/2eps over every value of
// v: |fd − g| ≤ 1e-2·(max|g| + |g|). A value that disagrees is retried
// with steps eps/3 and eps/9: inside the model a step may cross a
// LeakyReLU's kink, but a wrong gradient disagrees at every step.
func gradCheck(t *testing.T, name string, v, g *nn.Tensor, loss func() float64) {
	t.Helper()
	maxG := 0.0
	for _, x := range g.Data {
		maxG = math.Max(maxG, math.Abs(float64(x)))
	}
	if maxG == 0 {
		t.Fatalf("%s: gradient is all zero", name)
	}
	for i := range v.Data {
		old := v.Data[i]
		var fd float64
		ok := false
		for _, eps := range []float32{1e-2, 1e-2 / 3, 1e-2 / 9} {
			v.Data[i] = old + eps
			lp := loss()
			v.Data[i] = old - eps
			lm := loss()
			v.Data[i] = old
			fd = (lp - lm) / float64(2*eps)
			if math.Abs(fd-float64(g.Data[i])) <= 1e-2*(maxG+math.Abs(float64(g.Data[i]))) {
				ok = true
				break
			}
		}
		if !ok {
			t.Errorf("%s[%d]: analytic %.6f, finite difference %.6f", name, i, g.Data[i], fd)
		}
	}
}

// dot is Σ y·r in float64: a scalar loss whose gradient dL/dy is r.
func dot(y, r *nn.Tensor) float64 {
	var s float64
	for i, v := range y.Data {
		s += float64(v) * float64(r.Data[i])
	}
	return s
}

func TestGlobalAvgPoolGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := randTensor(rng, 2, 3, 4, 5)
	var l GlobalAvgPool
	y := l.Forward(x)
	if y.Shape[0] != 2 || y.Shape[1] != 3 || len(y.Data) != 6 {
		t.Fatalf("shape %v", y.Shape)
	}
	var s float64
	for _, v := range x.Data[20:40] { // image 0, channel 1
		s += float64(v)
	}
	if math.Abs(float64(y.Data[1])-s/20) > 1e-6 {
		t.Errorf("mean of plane (0, 1) = %v, want %v", y.Data[1], s/20)
	}
	r := randTensor(rng, y.Shape...)
	dx := l.Backward(x, y, r)
	gradCheck(t, "dx", x, dx, func() float64 { return dot(l.Forward(x), r) })
}

func TestLinearGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 1))
	l := NewLinear(5, 3)
	for _, p := range l.Params() {
		for i := range p.Value.Data {
			p.Value.Data[i] = float32(rng.NormFloat64())
		}
	}
	x := randTensor(rng, 4, 5, 1, 1)
	y := l.Forward(x)
	r := randTensor(rng, y.Shape...)
	dx := l.Backward(x, y, r)
	loss := func() float64 { return dot(l.Forward(x), r) }
	gradCheck(t, "dx", x, dx, loss)
	gradCheck(t, "dW", l.Weight.Value, l.Weight.Grad, loss)
	gradCheck(t, "db", l.Bias.Value, l.Bias.Grad, loss)
	// Backward accumulates: a second call doubles the parameter gradients.
	before := l.Bias.Grad.Data[0]
	l.Backward(x, y, r)
	if got := l.Bias.Grad.Data[0]; math.Abs(float64(got-2*before)) > 1e-5 {
		t.Errorf("bias gradient after two backward passes %v, want %v", got, 2*before)
	}
}

func TestCrossEntropyGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 1))
	logits := randTensor(rng, 5, 4, 1, 1)
	labels := []int{0, 3, 1, 1, 2}
	loss, grad, err := CrossEntropy(logits, labels)
	if err != nil {
		t.Fatal(err)
	}
	// Against a direct float64 evaluation of −mean log softmax.
	var want float64
	for i, c := range labels {
		var s float64
		for j := range 4 {
			s += math.Exp(float64(logits.Data[i*4+j]))
		}
		want -= float64(logits.Data[i*4+c]) - math.Log(s)
	}
	if want /= 5; math.Abs(loss-want) > 1e-5 {
		t.Errorf("loss %v, want %v", loss, want)
	}
	gradCheck(t, "dlogits", logits, grad, func() float64 { l, _, _ := CrossEntropy(logits, labels); return l })
	if _, _, err := CrossEntropy(logits, []int{0, 1, 2, 3, 4}); err == nil {
		t.Error("label 4 of 4 classes accepted")
	}
}

// The whole model's backward, through the convolutions, LeakyReLU, the
// pool and the linear layer, against finite differences of the loss on
// a sample of the first convolution's weights and on every weight of the
// linear layer.
func TestModelGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 1))
	m, err := New(Config{Size: 32, Width: 2, Classes: []string{"a", "b", "c"}})
	if err != nil {
		t.Fatal(err)
	}
	m.Init(rng)
	for _, p := range m.Params() { // non-zero biases too
		if p.Param.Value.Shape[0] == len(p.Param.Value.Data) {
			for i := range p.Param.Value.Data {
				p.Param.Value.Data[i] = 0.1 * float32(rng.NormFloat64())
			}
		}
	}
	x := randTensor(rng, 2, 3, 32, 32)
	labels := []int{2, 0}
	loss := func() float64 {
		y, err := m.Logits(x)
		if err != nil {
			t.Fatal(err)
		}
		l, _, _ := CrossEntropy(y, labels)
		return l
	}
	acts, err := m.forwardTrain(x)
	if err != nil {
		t.Fatal(err)
	}
	_, g, _ := CrossEntropy(acts[len(acts)-1], labels)
	m.zeroGrad()
	m.backward(acts, g)
	ps := m.Params()
	fc, fcb := ps[len(ps)-2].Param, ps[len(ps)-1].Param
	gradCheck(t, "fc.weight", fc.Value, fc.Grad, loss)
	gradCheck(t, "fc.bias", fcb.Value, fcb.Grad, loss)
	conv3 := ps[4].Param // conv3.weight
	if ps[4].Key != "conv3.weight" {
		t.Fatalf("parameter 4 is %s", ps[4].Key)
	}
	gradCheck(t, "conv3.weight", conv3.Value, conv3.Grad, loss)
}
