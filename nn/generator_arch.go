package nn

import "strconv"

// The ResNet generator's architecture is written down once, here, as the
// list of top-level layers of networks.py's ResnetGenerator ("model", an
// nn.Sequential). Everything that depends on the architecture derives from
// this one walk: NewResnetGenerator builds its layers from it, Convs lists
// its convolutions under their state_dict keys (the weight file's tensor list
// and the PyTorch importer's checks come from Convs), and GeneratorMACs
// counts its multiply-adds.

// GeneratorConfig is the shape of a ResNet generator (the official
// ResnetGenerator with InstanceNorm and reflection padding).
type GeneratorConfig struct {
	InputNC  int  `json:"input_nc"`  // image channels in (3 for RGB)
	OutputNC int  `json:"output_nc"` // image channels out
	NGF      int  `json:"ngf"`       // filters of the first convolution (64 officially)
	NBlocks  int  `json:"n_blocks"`  // residual blocks (9 for resnet_9blocks, 6 for resnet_6blocks)
	Dropout  bool `json:"dropout"`   // blocks hold a Dropout(0.5) (identity here), shifting their keys
}

// stepKind is the kind of one top-level layer of the generator.
type stepKind int

const (
	stepPad   stepKind = iota // ReflectionPad2d(n)
	stepConv                  // Conv2d (conv holds its shape)
	stepConvT                 // ConvTranspose2d(k 3, stride 2, padding 1, output_padding 1)
	stepNorm                  // InstanceNorm2d(n), affine=false
	stepReLU                  // ReLU
	stepBlock                 // ResnetBlock over n channels
	stepTanh                  // Tanh
)

// generatorStep is one entry of the generator's "model" list.
type generatorStep struct {
	kind stepKind
	n    int           // padding, norm channels or block channels
	conv GeneratorConv // for stepConv and stepConvT
}

// GeneratorConv is one convolution of the generator, named as in the
// official state_dict.
type GeneratorConv struct {
	Key        string // "model.1", "model.10.conv_block.5", ...: its tensors are Key+".weight" and Key+".bias"
	In, Out    int    // channels
	K, Stride  int    // square kernel side and stride
	Pad        int    // zero padding of the convolution itself (reflection padding is a layer of its own)
	Transposed bool   // a ConvTranspose2d: weight shape In×Out×K×K instead of Out×In×K×K
	InBlock    bool   // one of the two convolutions of a residual block
	// InScale and OutScale divide the image's height and width to give the
	// convolution's input and output grids (1, 2 or 4).
	InScale, OutScale int
}

// WeightShape is the shape of the convolution's weight tensor.
func (c GeneratorConv) WeightShape() []int {
	if c.Transposed {
		return []int{c.In, c.Out, c.K, c.K}
	}
	return []int{c.Out, c.In, c.K, c.K}
}

// MACs is the number of multiply-accumulates of the convolution over an h×w
// image, counted as PyTorch profilers count them: output positions ×
// In·K·K for a Conv2d, input positions × Out·K·K for a ConvTranspose2d.
func (c GeneratorConv) MACs(h, w int) int64 {
	scale := c.OutScale
	if c.Transposed {
		scale = c.InScale
	}
	positions := int64(h/scale) * int64(w/scale)
	return positions * int64(c.In) * int64(c.Out) * int64(c.K) * int64(c.K)
}

// steps walks the architecture: c7s1-ngf, d2ngf, d4ngf, NBlocks residual
// blocks, u2ngf, ungf, c7s1-out, tanh, with the layer indices of
// networks.py (index i is state_dict's "model.i").
func (cfg GeneratorConfig) steps() []generatorStep {
	ngf := cfg.NGF
	var s []generatorStep
	key := func() string { return "model." + strconv.Itoa(len(s)) }
	pad := func(n int) { s = append(s, generatorStep{kind: stepPad, n: n}) }
	normReLU := func(c int) {
		s = append(s, generatorStep{kind: stepNorm, n: c})
		s = append(s, generatorStep{kind: stepReLU})
	}
	conv := func(in, out, k, stride, padding, scale int) {
		c := GeneratorConv{Key: key(), In: in, Out: out, K: k, Stride: stride, Pad: padding, InScale: scale, OutScale: scale * stride}
		s = append(s, generatorStep{kind: stepConv, conv: c})
	}
	convT := func(in, out, scale int) {
		c := GeneratorConv{Key: key(), In: in, Out: out, K: 3, Stride: 2, Pad: 1, Transposed: true, InScale: scale, OutScale: scale / 2}
		s = append(s, generatorStep{kind: stepConvT, conv: c})
	}

	pad(3)
	conv(cfg.InputNC, ngf, 7, 1, 0, 1)
	normReLU(ngf)
	conv(ngf, 2*ngf, 3, 2, 1, 1)
	normReLU(2 * ngf)
	conv(2*ngf, 4*ngf, 3, 2, 1, 2)
	normReLU(4 * ngf)
	for range cfg.NBlocks {
		s = append(s, generatorStep{kind: stepBlock, n: 4 * ngf})
	}
	convT(4*ngf, 2*ngf, 4)
	normReLU(2 * ngf)
	convT(2*ngf, ngf, 2)
	normReLU(ngf)
	pad(3)
	conv(ngf, cfg.OutputNC, 7, 1, 0, 1)
	s = append(s, generatorStep{kind: stepTanh})
	return s
}

// blockConvs are the two convolutions of the residual block at model.i:
// conv_block.1 and conv_block.5 (conv_block.6 when a Dropout sits between).
func (cfg GeneratorConfig) blockConvs(i, dim int) [2]GeneratorConv {
	second := 5
	if cfg.Dropout {
		second = 6
	}
	prefix := "model." + strconv.Itoa(i) + ".conv_block."
	c := GeneratorConv{In: dim, Out: dim, K: 3, Stride: 1, InBlock: true, InScale: 4, OutScale: 4}
	first, last := c, c
	first.Key = prefix + "1"
	last.Key = prefix + strconv.Itoa(second)
	return [2]GeneratorConv{first, last}
}

// Convs lists every convolution of the generator in state_dict order; each
// has a weight and a bias.
func (cfg GeneratorConfig) Convs() []GeneratorConv {
	var convs []GeneratorConv
	for i, st := range cfg.steps() {
		switch st.kind {
		case stepConv, stepConvT:
			convs = append(convs, st.conv)
		case stepBlock:
			b := cfg.blockConvs(i, st.n)
			convs = append(convs, b[0], b[1])
		}
	}
	return convs
}

// GeneratorMACs is the number of multiply-accumulates of the convolutions of
// one forward pass of a generator with config cfg over one h×w image (h and w
// multiples of 4), counted as PyTorch profilers count them (GeneratorConv.MACs).
// Norms, paddings and activations are not counted. GFLOP/s figures are
// 2·GeneratorMACs / time (49.55 G MACs for ngf 64, 9 blocks, 256×256).
func GeneratorMACs(cfg GeneratorConfig, h, w int) int64 {
	var macs int64
	for _, c := range cfg.Convs() {
		macs += c.MACs(h, w)
	}
	return macs
}

// newLayer instantiates one step of the walk.
func (st generatorStep) newLayer(cfg GeneratorConfig) Layer {
	switch st.kind {
	case stepPad:
		return NewReflectionPad2d(st.n)
	case stepConv:
		c := st.conv
		return NewConv2d(c.In, c.Out, c.K, c.Stride, c.Pad, true)
	case stepConvT:
		c := st.conv
		return NewConvTranspose2d(c.In, c.Out, c.K, c.Stride, c.Pad, 1, true)
	case stepNorm:
		return NewInstanceNorm2d(st.n)
	case stepReLU:
		return NewReLU()
	case stepBlock:
		return NewResnetBlock(st.n, cfg.Dropout)
	case stepTanh:
		return NewTanh()
	}
	panic("nn: unknown generator step")
}

// StepCosts estimates the work of each top-level layer of the generator over
// an h×w image (h and w multiples of 4), in multiply-add units: a
// convolution's MACs, a residual block's two; a padding, norm or activation
// counts its output values. For progress reports that advance with the
// work rather than the layer count.
func (cfg GeneratorConfig) StepCosts(h, w int) []int64 {
	steps := cfg.steps()
	costs := make([]int64, len(steps))
	channels, scale := cfg.InputNC, 1
	for i, st := range steps {
		switch st.kind {
		case stepConv, stepConvT:
			costs[i] = st.conv.MACs(h, w)
			channels, scale = st.conv.Out, st.conv.OutScale
		case stepBlock:
			b := cfg.blockConvs(i, st.n)
			costs[i] = b[0].MACs(h, w) + b[1].MACs(h, w)
		default:
			costs[i] = int64(channels) * int64(h/scale) * int64(w/scale)
		}
	}
	return costs
}
