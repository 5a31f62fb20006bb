// Package classify is the weather-domain classifier of `cyclegan eval`: a
// small CNN, trained from scratch with this project's own nn layers on the
// training photos of the domain folders, that says which domain a photo
// looks like. It is trained with strong colour augmentation so that its
// answer rests on content (light, shadows, sky, texture) rather than on a
// global tint, which a plain colour transfer could fake.
//
// One concept per file: layers.go (pooling, linear layer, loss), model.go
// (the network), augment.go (colour jitter, crops, flips), colour.go
// (Lab conversion and the colour-transfer baseline), train.go (the
// training loop), file.go (the file format), predict.go (inference and
// accuracy).
package classify

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/cyclegan-go/cyclegan/nn"
)

// Config is the shape of a classifier.
type Config struct {
	Size    int      // input side: photos are scaled and centre-cropped to Size x Size
	Width   int      // filters of the first convolution; each next one doubles
	Classes []string // the domain (folder) names, in logit order
}

// DefaultConfig is the committed classifier's shape for the given classes.
func DefaultConfig(classes []string) Config {
	return Config{Size: 128, Width: 20, Classes: classes}
}

// Validate says why a configuration cannot be built, or nil.
func (c Config) Validate() error {
	if c.Size < 32 || c.Size > 1024 || c.Size%16 != 0 {
		return fmt.Errorf("input size %d: want a multiple of 16 in 32..1024", c.Size)
	}
	if c.Width < 1 || c.Width > 256 {
		return fmt.Errorf("width %d: want 1..256", c.Width)
	}
	if len(c.Classes) < 2 || len(c.Classes) > 64 {
		return fmt.Errorf("%d classes: want 2..64", len(c.Classes))
	}
	seen := map[string]bool{}
	for _, n := range c.Classes {
		if n == "" || seen[n] {
			return fmt.Errorf("class names %q: want distinct, non-empty names", c.Classes)
		}
		seen[n] = true
	}
	return nil
}

// Model is the network: four strided convolutions (4×4, 4×4, 3×3, 3×3,
// stride 2: Size → Size/16) with LeakyReLU(0.2), a global average pool and
// a linear layer to one logit per class.
type Model struct {
	Config Config
	layers []nn.Layer
	names  []string // layer names for the parameters' keys ("conv1", ...)
}

// New builds a model with zero weights (Init or a file fills them).
func New(c Config) (*Model, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	w := c.Width
	m := &Model{Config: c}
	add := func(name string, l nn.Layer) { m.layers = append(m.layers, l); m.names = append(m.names, name) }
	add("conv1", nn.NewConv2d(3, w, 4, 2, 1, true))
	add("act1", nn.NewLeakyReLU(0.2))
	add("conv2", nn.NewConv2d(w, 2*w, 4, 2, 1, true))
	add("act2", nn.NewLeakyReLU(0.2))
	add("conv3", nn.NewConv2d(2*w, 4*w, 3, 2, 1, true))
	add("act3", nn.NewLeakyReLU(0.2))
	add("conv4", nn.NewConv2d(4*w, 8*w, 3, 2, 1, true))
	add("act4", nn.NewLeakyReLU(0.2))
	add("pool", GlobalAvgPool{})
	add("fc", NewLinear(8*w, len(c.Classes)))
	return m, nil
}

// Param is a parameter with its key ("conv1.weight").
type Param struct {
	Key   string
	Param *nn.Param
}

// Params lists the parameters in file order.
func (m *Model) Params() []Param {
	var out []Param
	for i, l := range m.layers {
		for _, p := range l.Params() {
			out = append(out, Param{m.names[i] + "." + p.Name, p})
		}
	}
	return out
}

// Init draws every weight from He et al.'s normal for LeakyReLU(0.2),
// N(0, 2/((1+0.2²)·fan_in)), and sets the biases to 0.
func (m *Model) Init(rng *rand.Rand) {
	for _, l := range m.layers {
		ps := l.Params()
		if len(ps) == 0 {
			continue
		}
		w := ps[0].Value
		fanIn := len(w.Data) / w.Shape[0]
		std := math.Sqrt(2 / (1.04 * float64(fanIn)))
		for i := range w.Data {
			w.Data[i] = float32(rng.NormFloat64() * std)
		}
		for _, b := range ps[1:] {
			b.Value.Zero()
		}
	}
}

// checkInput says why x cannot go through the model, or nil.
func (m *Model) checkInput(x *nn.Tensor) error {
	s := m.Config.Size
	if x == nil || len(x.Shape) != 4 || x.Shape[0] < 1 || x.Shape[1] != 3 || x.Shape[2] != s || x.Shape[3] != s || len(x.Data) != x.Shape[0]*3*s*s {
		return fmt.Errorf("classify: input must be N×3×%d×%d", s, s)
	}
	return nil
}

// Logits runs a batch (N×3×Size×Size, values in [-1, 1]) and returns the
// N×K logits.
func (m *Model) Logits(x *nn.Tensor) (*nn.Tensor, error) {
	if err := m.checkInput(x); err != nil {
		return nil, err
	}
	for _, l := range m.layers {
		x = l.Forward(x)
	}
	return x, nil
}

// forwardTrain runs a batch keeping every activation: acts[i] is layer i's
// input and acts[len] the logits.
func (m *Model) forwardTrain(x *nn.Tensor) ([]*nn.Tensor, error) {
	if err := m.checkInput(x); err != nil {
		return nil, err
	}
	acts := []*nn.Tensor{x}
	for _, l := range m.layers {
		x = l.Forward(x)
		acts = append(acts, x)
	}
	return acts, nil
}

// backward accumulates the parameter gradients for dL/dlogits.
func (m *Model) backward(acts []*nn.Tensor, dy *nn.Tensor) {
	for i := len(m.layers) - 1; i >= 0; i-- {
		dy = m.layers[i].Backward(acts[i], acts[i+1], dy)
	}
}

// zeroGrad clears every gradient.
func (m *Model) zeroGrad() {
	for _, p := range m.Params() {
		p.Param.EnsureGrad().Zero()
	}
}
