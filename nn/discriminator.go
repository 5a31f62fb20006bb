package nn

import "fmt"

// DiscriminatorConfig is the shape of a PatchGAN discriminator.
type DiscriminatorConfig struct {
	InputNC int // image channels (3 for RGB)
	NDF     int // filters of the first convolution (64 officially)
	NLayers int // strided layers (3 for the 70×70 PatchGAN, "basic")
}

// Discriminator is the official NLayerDiscriminator with InstanceNorm:
// 4×4 convolutions with padding 1, LeakyReLU(0.2), a one-channel map of
// patch scores (raw, no sigmoid: LSGAN).
type Discriminator struct {
	cfg    DiscriminatorConfig
	layers sequential
}

// NewNLayerDiscriminator builds a discriminator with zero weights.
func NewNLayerDiscriminator(cfg DiscriminatorConfig) *Discriminator {
	if cfg.InputNC < 1 || cfg.NDF < 1 || cfg.NLayers < 0 {
		panic(fmt.Sprintf("nn: NewNLayerDiscriminator: invalid config %+v", cfg))
	}
	ndf := cfg.NDF
	l := sequential{NewConv2d(cfg.InputNC, ndf, 4, 2, 1, true), NewLeakyReLU(0.2)}
	mult := 1
	for n := 1; n < cfg.NLayers; n++ {
		prev := mult
		mult = min(1<<n, 8)
		l = append(l, NewConv2d(ndf*prev, ndf*mult, 4, 2, 1, true), NewInstanceNorm2d(ndf*mult), NewLeakyReLU(0.2))
	}
	prev := mult
	mult = min(1<<min(cfg.NLayers, 3), 8)
	l = append(l, NewConv2d(ndf*prev, ndf*mult, 4, 1, 1, true), NewInstanceNorm2d(ndf*mult), NewLeakyReLU(0.2))
	l = append(l, NewConv2d(ndf*mult, 1, 4, 1, 1, true))
	return &Discriminator{cfg: cfg, layers: l}
}

// Config returns the configuration the discriminator was built with.
func (d *Discriminator) Config() DiscriminatorConfig { return d.cfg }

// Layers returns the top-level layers, index i being state_dict's "model.i".
func (d *Discriminator) Layers() []Layer { return d.layers }

// Params lists every parameter under its official state_dict key, in order.
func (d *Discriminator) Params() []NamedParam { return modelParams(d.layers) }

// OutSize is the size of the patch-score map for an h×w input (< 1: too small).
func (d *Discriminator) OutSize(h, w int) (oh, ow int) {
	oh, ow = h, w
	for _, l := range d.layers {
		if c, ok := l.(*Conv2d); ok {
			oh, ow = c.OutSize(oh, ow)
		}
	}
	return oh, ow
}

// CheckInput returns an error describing why x cannot go through the
// discriminator, or nil.
func (d *Discriminator) CheckInput(x *Tensor) error {
	if x == nil || len(x.Shape) != 4 {
		return fmt.Errorf("nn: discriminator input must be a 4-D N×C×H×W tensor")
	}
	n, c, h, w := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	if n < 1 || c != d.cfg.InputNC || n*c*h*w != len(x.Data) {
		return fmt.Errorf("nn: discriminator input of shape %v with %d values: want N ≥ 1 and %d channels", x.Shape, len(x.Data), d.cfg.InputNC)
	}
	// Every InstanceNorm needs planes of two values or more, and the last
	// convolution an output of at least 1×1.
	oh, ow := h, w
	for _, l := range d.layers {
		switch l := l.(type) {
		case *Conv2d:
			oh, ow = l.OutSize(oh, ow)
			if oh < 1 || ow < 1 {
				return fmt.Errorf("nn: discriminator input %dx%d is too small for %d layers", h, w, d.cfg.NLayers)
			}
		case *InstanceNorm2d:
			if oh*ow < 2 {
				return fmt.Errorf("nn: discriminator input %dx%d is too small for %d layers", h, w, d.cfg.NLayers)
			}
		}
	}
	return nil
}

// Forward scores x for inference (no tape). It panics on input that
// CheckInput rejects.
func (d *Discriminator) Forward(x *Tensor) *Tensor {
	if err := d.CheckInput(x); err != nil {
		panic(err)
	}
	y, _ := d.layers.infer(x, nil) // no step, no error
	return y
}

// ForwardTrain scores x keeping every activation in the tape for Backward.
func (d *Discriminator) ForwardTrain(x *Tensor) (*Tensor, *Tape) {
	if err := d.CheckInput(x); err != nil {
		panic(err)
	}
	return d.layers.forwardTrain(x)
}

// Backward accumulates every parameter's gradient and returns dL/dx.
func (d *Discriminator) Backward(t *Tape, dy *Tensor) *Tensor { return d.layers.backward(t, dy) }

// ZeroGrad sets every parameter gradient to zero.
func (d *Discriminator) ZeroGrad() { zeroGrads(d.layers) }

// PinWeights declares the weights unchanged until PinWeights(false)
// (training only; see Generator.PinWeights).
func (d *Discriminator) PinWeights(on bool) { pinLayers(d.layers, on) }

// Freeze declares the weights final (inference only; see Generator.Freeze).
func (d *Discriminator) Freeze() { freezeLayers(d.layers) }
