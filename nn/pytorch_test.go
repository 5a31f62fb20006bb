package nn

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
)

// Comparisons of every layer and of both models against PyTorch, on the
// fixtures in testdata/nn written by testdata/pytorch/gen_nn_fixtures.py
// (PyTorch 1.13; reference values computed in float64 from the float32
// inputs and weights, then rounded to float32 — so the differences measured
// here are the Go implementation's own float32 rounding).
//
// Tolerances, all on the maximum absolute difference over a tensor, where
// scale(want) = max(1, max|want|):
//   - layer forward:            1e-5 · scale(want)
//   - layer gradients (dx, dW): 1e-5 · max|want| (relative; the parameter
//     gradients are sums over N·OH·OW products, e.g. 7200 for 72×100)
//   - generator output:         1e-4 absolute (outputs lie in [-1, 1]; the bound)
//   - discriminator output:     1e-4 · scale(want)
//   - model gradients:          1e-4 · max|want| (relative, per tensor; through
//     up to 20 InstanceNorm backward passes in float32)
//   - the bias of a convolution feeding an InstanceNorm has a gradient that is
//     mathematically zero (the norm subtracts the plane mean); PyTorch's float64
//     value is ~1e-14, ours is float32 cancellation noise, so it is compared
//     with an absolute tolerance: the model-gradient tolerance times
//     max|gradient| of that layer's weight.

const (
	tolLayerForward = 1e-5
	tolLayerGrad    = 1e-5
	tolGenForward   = 1e-4
	tolDiscForward  = 1e-4
	tolModelGrad    = 1e-4
)

func maxAbs(t *Tensor) float64 {
	m := 0.0
	for _, v := range t.Data {
		m = math.Max(m, math.Abs(float64(v)))
	}
	return m
}

// compareTensor fails when max|got−want| > tol, naming the worst element.
func compareTensor(t *testing.T, what string, got, want *Tensor, tol float64) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: got nil, want %v", what, want.Shape)
		return
	}
	if !got.SameShape(want) {
		t.Errorf("%s: shape %v, want %v", what, got.Shape, want.Shape)
		return
	}
	worst, at := 0.0, 0
	for i := range want.Data {
		d := math.Abs(float64(got.Data[i]) - float64(want.Data[i]))
		if d > worst || math.IsNaN(d) {
			worst, at = d, i
			if math.IsNaN(d) {
				break
			}
		}
	}
	if !(worst <= tol) {
		t.Errorf("%s: max |diff| %.3g at index %d (got %g, want %g) exceeds tolerance %.3g",
			what, worst, at, got.Data[at], want.Data[at], tol)
	} else if testing.Verbose() {
		t.Logf("%s: max |diff| %.3g (tolerance %.3g, max|want| %.3g)", what, worst, tol, maxAbs(want))
	}
}

func scale1(t *Tensor) float64 { return math.Max(1, maxAbs(t)) }

// loadParams copies "param.<key>" from the fixture into each parameter,
// checking the shapes, and marks the keys it used.
func loadParams(t *testing.T, f *fixture, ps []NamedParam, used map[string]bool) {
	t.Helper()
	for _, np := range ps {
		want := f.tensor(t, "param."+np.Key)
		if !np.Param.Value.SameShape(want) {
			t.Fatalf("%s: parameter %s has shape %v, PyTorch %v", f.path, np.Key, np.Param.Value.Shape, want.Shape)
		}
		copy(np.Param.Value.Data, want.Data)
		used[np.Key] = true
	}
}

// checkAllParamsUsed fails if the fixture holds a parameter the Go side lacks.
func checkAllParamsUsed(t *testing.T, f *fixture, used map[string]bool) {
	t.Helper()
	for name := range f.tensors {
		if k, ok := strings.CutPrefix(name, "param."); ok && !used[k] {
			t.Errorf("%s: PyTorch parameter %s has no Go counterpart", f.path, k)
		}
	}
}

// --- layers -----------------------------------------------------------------

// layerParams lists a layer's parameters under their state_dict keys relative
// to the layer ("weight"; "conv_block.1.weight" for a ResnetBlock).
func layerParams(l Layer) []NamedParam {
	var out []NamedParam
	for _, np := range namedParams("", l) {
		out = append(out, NamedParam{Key: strings.TrimPrefix(np.Key, "."), Param: np.Param})
	}
	return out
}

// layerFromFixture builds the nn layer a layer fixture describes.
func layerFromFixture(t *testing.T, f *fixture) Layer {
	t.Helper()
	switch kind := f.meta["kind"]; kind {
	case "conv2d":
		return NewConv2d(f.metaInt(t, "in"), f.metaInt(t, "out"), f.metaInt(t, "k"),
			f.metaInt(t, "stride"), f.metaInt(t, "pad"), f.metaInt(t, "bias") == 1)
	case "convtranspose2d":
		return NewConvTranspose2d(f.metaInt(t, "in"), f.metaInt(t, "out"), f.metaInt(t, "k"),
			f.metaInt(t, "stride"), f.metaInt(t, "pad"), f.metaInt(t, "outpad"), f.metaInt(t, "bias") == 1)
	case "reflectionpad2d":
		return NewReflectionPad2d(f.metaInt(t, "pad"))
	case "instancenorm2d":
		return NewInstanceNorm2d(f.metaInt(t, "c"))
	case "relu":
		return NewReLU()
	case "leakyrelu":
		return NewLeakyReLU(0.2)
	case "tanh":
		return NewTanh()
	case "resblock":
		return NewResnetBlock(f.metaInt(t, "dim"), f.metaInt(t, "dropout") == 1)
	default:
		t.Fatalf("%s: unknown layer kind %q", f.path, kind)
		return nil
	}
}

var layerFixtures = []string{
	"conv2d_k1", "conv2d_k3s1p1", "conv2d_k3s1p0_72x100", "conv2d_k3s2p1", "conv2d_k4s2p1",
	"conv2d_k4s2p1_odd", "conv2d_k4s1p1", "conv2d_k7s1p0_72x100", "conv2d_k3_nobias",
	"convt_k3s2p1op1", "convt_k3s2p1op1_18x25", "convt_k4s2p1op0", "convt_k3s1p0", "convt_k5s3p2op1_nobias",
	"reflpad1", "reflpad3", "reflpad3_72x100", "instnorm", "instnorm_72x100",
	"relu", "leakyrelu", "tanh", "resblock", "resblock_dropout",
}

// biasFeedsNorm reports whether parameter key is a conv bias whose gradient is
// mathematically zero because an InstanceNorm follows the convolution.
func biasFeedsNorm(f *fixture, key string) bool {
	if !strings.HasSuffix(key, "bias") {
		return false
	}
	return maxAbs(f.tensors["grad."+key]) < 1e-9
}

// compareParamGrads compares every "grad.<key>" of the fixture with the Go
// gradients (keyed by full state_dict key), times factor (Backward accumulates).
func compareParamGrads(t *testing.T, f *fixture, grads map[string]*Tensor, rtol float64, factor float32) {
	t.Helper()
	var keys []string
	for name := range f.tensors {
		if k, ok := strings.CutPrefix(name, "grad."); ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		t.Fatalf("%s: no parameter gradients in fixture", f.path)
	}
	for _, k := range keys {
		want := f.tensors["grad."+k]
		if factor != 1 {
			w := want.Clone()
			for i := range w.Data {
				w.Data[i] *= factor
			}
			want = w
		}
		got := grads[k]
		if got == nil {
			t.Errorf("%s: no gradient for %s", f.path, k)
			continue
		}
		tol := rtol * maxAbs(want)
		if biasFeedsNorm(f, k) {
			wk := strings.TrimSuffix(k, "bias") + "weight"
			tol = rtol * maxAbs(f.tensors["grad."+wk]) * float64(factor)
		}
		compareTensor(t, "grad "+k, got, want, tol)
	}
}

func TestPyTorchLayers(t *testing.T) {
	for _, name := range layerFixtures {
		t.Run(name, func(t *testing.T) {
			f := loadFixture(t, name)
			l := layerFromFixture(t, f)
			used := map[string]bool{}
			loadParams(t, f, layerParams(l), used)
			checkAllParamsUsed(t, f, used)

			x := f.tensor(t, "x")
			xCopy := x.Clone()
			y := l.Forward(x)
			want := f.tensor(t, "y")
			compareTensor(t, "forward", y, want, tolLayerForward*scale1(want))

			dy := f.tensor(t, "dy")
			dyCopy := dy.Clone()
			dx := l.Backward(x, y, dy)
			compareTensor(t, "dx", dx, f.tensor(t, "dx"), tolLayerGrad*maxAbs(f.tensor(t, "dx")))
			compareTensor(t, "x unchanged by forward/backward", x, xCopy, 0)
			compareTensor(t, "dy unchanged by backward", dy, dyCopy, 0)

			ps := layerParams(l)
			if len(ps) == 0 {
				return
			}
			compareParamGrads(t, f, modelGrads(ps), tolLayerGrad, 1)

			// Backward accumulates into Param.Grad: a second pass doubles it.
			l.Backward(x, y, dy)
			compareParamGrads(t, f, modelGrads(ps), tolLayerGrad, 2)
		})
	}
}

// --- models -----------------------------------------------------------------

// loadModelParams checks that the Go model's Params() keys equal the PyTorch
// state_dict keys in order (the 1:1 mapping official checkpoints rely on)
// and loads the values.
func loadModelParams(t *testing.T, f *fixture, params []NamedParam) {
	t.Helper()
	keys := f.metaKeys(t)
	var got []string
	for _, np := range params {
		got = append(got, np.Key)
	}
	if strings.Join(got, ",") != strings.Join(keys, ",") {
		t.Fatalf("%s: Params() keys\n  %v\nstate_dict keys\n  %v", f.path, got, keys)
	}
	for _, np := range params {
		want := f.tensor(t, "param."+np.Key)
		if !np.Param.Value.SameShape(want) {
			t.Fatalf("%s: %s has shape %v, PyTorch %v", f.path, np.Key, np.Param.Value.Shape, want.Shape)
		}
		copy(np.Param.Value.Data, want.Data)
	}
}

func modelGrads(params []NamedParam) map[string]*Tensor {
	m := map[string]*Tensor{}
	for _, np := range params {
		m[np.Key] = np.Param.Grad
	}
	return m
}

var generatorFixtures = []string{
	"gen_ngf4_b1_72x100", "gen_ngf8_b2_64x64_n2", "gen_ngf8_b6_dropout_32x36",
	"gen_ngf16_b3_40x48", "gen_1ch_ngf4_b2_32x24_n2", "gen_ngf4_b0_3to1_16x20",
}

func TestPyTorchGenerator(t *testing.T) {
	for _, name := range generatorFixtures {
		t.Run(name, func(t *testing.T) {
			f := loadFixture(t, name)
			cfg := GeneratorConfig{
				InputNC: f.metaInt(t, "input_nc"), OutputNC: f.metaInt(t, "output_nc"),
				NGF: f.metaInt(t, "ngf"), NBlocks: f.metaInt(t, "n_blocks"), Dropout: f.metaInt(t, "dropout") == 1,
			}
			g := NewResnetGenerator(cfg)
			if g.Config() != cfg {
				t.Errorf("Config() = %+v, want %+v", g.Config(), cfg)
			}
			loadModelParams(t, f, g.Params())
			x, want := f.tensor(t, "x"), f.tensor(t, "y")

			// Inference path.
			y, err := g.Forward(x)
			if err != nil {
				t.Fatalf("Forward: %v", err)
			}
			compareTensor(t, "Forward", y, want, tolGenForward)

			// Training path: same output, and the gradients where the fixture has them.
			g.ZeroGrad()
			yt, tape := g.ForwardTrain(x)
			compareTensor(t, "ForwardTrain", yt, want, tolGenForward)
			if !f.has("dy") {
				return
			}
			dx := g.Backward(tape, f.tensor(t, "dy"))
			compareTensor(t, "dx", dx, f.tensor(t, "dx"), tolModelGrad*maxAbs(f.tensor(t, "dx")))
			compareParamGrads(t, f, modelGrads(g.Params()), tolModelGrad, 1)
		})
	}
}

var discriminatorFixtures = []string{
	"disc_ndf8_n3_64x64_n2", "disc_ndf8_n2_40x48", "disc_ndf4_n1_1ch_32x30",
}

func TestPyTorchDiscriminator(t *testing.T) {
	for _, name := range discriminatorFixtures {
		t.Run(name, func(t *testing.T) {
			f := loadFixture(t, name)
			cfg := DiscriminatorConfig{InputNC: f.metaInt(t, "input_nc"), NDF: f.metaInt(t, "ndf"), NLayers: f.metaInt(t, "n_layers")}
			d := NewNLayerDiscriminator(cfg)
			loadModelParams(t, f, d.Params())
			x, want := f.tensor(t, "x"), f.tensor(t, "y")

			compareTensor(t, "Forward", d.Forward(x), want, tolDiscForward*scale1(want))

			d.ZeroGrad()
			yt, tape := d.ForwardTrain(x)
			compareTensor(t, "ForwardTrain", yt, want, tolDiscForward*scale1(want))
			dx := d.Backward(tape, f.tensor(t, "dy"))
			compareTensor(t, "dx", dx, f.tensor(t, "dx"), tolModelGrad*maxAbs(f.tensor(t, "dx")))
			compareParamGrads(t, f, modelGrads(d.Params()), tolModelGrad, 1)
		})
	}
}

// batchItem returns image i of an NCHW tensor as a 1×C×H×W copy.
func batchItem(x *Tensor, i int) *Tensor {
	per := len(x.Data) / x.N()
	return FromData(append([]float32(nil), x.Data[i*per:(i+1)*per]...), 1, x.C(), x.H(), x.W())
}

// Two forward passes of one generator in flight at once, one image each,
// backpropagated in reverse order: their tapes must not interfere, and the
// accumulated parameter gradients must equal PyTorch's for the batch of two
// (InstanceNorm is per image, so the batch gradient is the sum of the two).
func TestPyTorchGeneratorTapesIndependent(t *testing.T) {
	f := loadFixture(t, "gen_ngf8_b2_64x64_n2")
	g := NewResnetGenerator(GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 8, NBlocks: 2})
	loadModelParams(t, f, g.Params())
	x, y, dy, dx := f.tensor(t, "x"), f.tensor(t, "y"), f.tensor(t, "dy"), f.tensor(t, "dx")
	if x.N() != 2 {
		t.Fatalf("%s: batch %d, want 2", f.path, x.N())
	}
	g.ZeroGrad()
	y0, tape0 := g.ForwardTrain(batchItem(x, 0))
	y1, tape1 := g.ForwardTrain(batchItem(x, 1))
	compareTensor(t, "y[0]", y0, batchItem(y, 0), tolGenForward)
	compareTensor(t, "y[1]", y1, batchItem(y, 1), tolGenForward)
	dx1 := g.Backward(tape1, batchItem(dy, 1))
	dx0 := g.Backward(tape0, batchItem(dy, 0))
	tol := tolModelGrad * maxAbs(dx)
	compareTensor(t, "dx[0]", dx0, batchItem(dx, 0), tol)
	compareTensor(t, "dx[1]", dx1, batchItem(dx, 1), tol)
	compareParamGrads(t, f, modelGrads(g.Params()), tolModelGrad, 1)
}

// Inference with frozen weights (packed once, reused across calls) gives
// PyTorch's output on the first call and on every later one.
func TestPyTorchGeneratorFrozen(t *testing.T) {
	f := loadFixture(t, "gen_ngf4_b1_72x100")
	g := NewResnetGenerator(GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 4, NBlocks: 1})
	loadModelParams(t, f, g.Params())
	g.Freeze()
	for i := 0; i < 2; i++ {
		y, err := g.Forward(f.tensor(t, "x"))
		if err != nil {
			t.Fatalf("Forward %d: %v", i, err)
		}
		compareTensor(t, fmt.Sprintf("Forward %d", i), y, f.tensor(t, "y"), tolGenForward)
	}
}
