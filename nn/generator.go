package nn

import (
	"fmt"
	"strconv"
)

// Generator is the official ResnetGenerator: c7s1-ngf, d2ngf, d4ngf,
// NBlocks residual blocks, u2ngf, ungf, c7s1-out, tanh. Its layers are
// numbered as in PyTorch's nn.Sequential "model".
type Generator struct {
	cfg    GeneratorConfig
	layers sequential
}

// NewResnetGenerator builds a generator with zero weights (load or
// initialise them before use), layer by layer from the architecture's walk
// (generator_arch.go). It panics on a config with a non-positive channel
// count or a negative block count.
func NewResnetGenerator(cfg GeneratorConfig) *Generator {
	if cfg.InputNC < 1 || cfg.OutputNC < 1 || cfg.NGF < 1 || cfg.NBlocks < 0 {
		panic(fmt.Sprintf("nn: NewResnetGenerator: invalid config %+v", cfg))
	}
	var l sequential
	for _, st := range cfg.steps() {
		l = append(l, st.newLayer(cfg))
	}
	return &Generator{cfg: cfg, layers: l}
}

// Config returns the configuration the generator was built with.
func (g *Generator) Config() GeneratorConfig { return g.cfg }

// Layers returns the top-level layers, index i being state_dict's "model.i".
func (g *Generator) Layers() []Layer { return g.layers }

// Params lists every parameter under its official state_dict key, in
// state_dict order ("model.1.weight", "model.1.bias", ...,
// "model.10.conv_block.1.weight", ...).
func (g *Generator) Params() []NamedParam { return modelParams(g.layers) }

// Freeze declares the weights final, so the kernels may keep them packed
// between calls. For inference only: after Freeze, changing a weight (as
// training does) gives wrong results.
func (g *Generator) Freeze() { freezeLayers(g.layers) }

// PinWeights(true) declares the weights unchanged until PinWeights(false):
// until then the convolutions keep their packed weights between the
// training passes (forward and input gradient) instead of packing them
// again or comparing them with the last ones packed. A trainer pins between
// two optimizer steps and unpins before changing a weight; changing a
// weight while pinned gives wrong results. Both calls drop the packings
// kept so far (the storage is reused).
func (g *Generator) PinWeights(on bool) { pinLayers(g.layers, on) }

// CheckInput returns an error describing why x cannot go through the
// generator, or nil.
func (g *Generator) CheckInput(x *Tensor) error {
	if x == nil || len(x.Shape) != 4 {
		var s []int
		if x != nil {
			s = x.Shape
		}
		return fmt.Errorf("nn: generator input must be a 4-D N×C×H×W tensor, have shape %v", s)
	}
	n, c, h, w := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	switch {
	case n < 1:
		return fmt.Errorf("nn: generator input has batch size %d, need at least 1", n)
	case c != g.cfg.InputNC:
		return fmt.Errorf("nn: generator input has %d channels, this generator takes %d", c, g.cfg.InputNC)
	case h%4 != 0 || w%4 != 0:
		return fmt.Errorf("nn: generator input is %dx%d (height x width): both must be multiples of 4 (pad the image first)", h, w)
	case h < 8 || w < 8:
		return fmt.Errorf("nn: generator input is %dx%d (height x width): both must be at least 8", h, w)
	case n*c*h*w != len(x.Data):
		return fmt.Errorf("nn: generator input of shape %v holds %d values, want %d", x.Shape, len(x.Data), n*c*h*w)
	}
	return nil
}

// Forward translates a batch of images in [-1, 1] for inference. It keeps
// no activation longer than needed and never modifies x.
func (g *Generator) Forward(x *Tensor) (*Tensor, error) { return g.ForwardSteps(x, nil) }

// ForwardSteps is Forward calling step(done, total) after each top-level
// layer; an error step returns stops the pass and is returned. The step
// function belongs to this call only, so one generator serves several
// translations at once (each with its own progress and cancellation).
func (g *Generator) ForwardSteps(x *Tensor, step func(done, total int) error) (*Tensor, error) {
	if err := g.CheckInput(x); err != nil {
		return nil, err
	}
	return g.layers.infer(x, step)
}

// Steps is the number of top-level layers, the total ForwardSteps reports.
func (g *Generator) Steps() int { return len(g.layers) }

// ForwardTrain runs the generator keeping every activation in the returned
// tape for Backward. It panics on input that CheckInput rejects.
func (g *Generator) ForwardTrain(x *Tensor) (*Tensor, *Tape) {
	if err := g.CheckInput(x); err != nil {
		panic(err)
	}
	return g.layers.forwardTrain(x)
}

// Backward propagates dy (dL/d output of the tape's forward pass) back,
// accumulating every parameter's gradient, and returns dL/dx.
func (g *Generator) Backward(t *Tape, dy *Tensor) *Tensor { return g.layers.backward(t, dy) }

// ZeroGrad sets every parameter gradient to zero.
func (g *Generator) ZeroGrad() { zeroGrads(g.layers) }

// modelParams names the parameters of a top-level "model" sequence.
func modelParams(layers []Layer) []NamedParam {
	var out []NamedParam
	for i, l := range layers {
		out = append(out, namedParams("model."+strconv.Itoa(i), l)...)
	}
	return out
}

func freezeLayers(layers []Layer) {
	for _, l := range layers {
		switch l := l.(type) {
		case *Conv2d:
			l.freeze()
		case *ConvTranspose2d:
			l.freeze()
		case container:
			_, sub := l.children()
			freezeLayers(sub)
		}
	}
}

func pinLayers(layers []Layer, on bool) {
	for _, l := range layers {
		switch l := l.(type) {
		case *Conv2d:
			l.pin(on)
		case *ConvTranspose2d:
			l.pin(on)
		case container:
			_, sub := l.children()
			pinLayers(sub, on)
		}
	}
}

func zeroGrads(layers []Layer) {
	for _, p := range sequential(layers).params() {
		if p.Grad != nil {
			p.Grad.Zero()
		}
	}
}
