package nn

// ResnetBlock is the generator's residual block, y = x + conv_block(x), with
// conv_block = [ReflectionPad2d(1), Conv2d(dim, dim, 3), InstanceNorm2d, ReLU,
// (Dropout(0.5),) ReflectionPad2d(1), Conv2d(dim, dim, 3), InstanceNorm2d],
// so its keys are conv_block.1.* and conv_block.5.* (conv_block.6.* with dropout).
type ResnetBlock struct {
	Dim       int
	ConvBlock []Layer
}

// NewResnetBlock returns a residual block over dim channels.
func NewResnetBlock(dim int, dropout bool) *ResnetBlock {
	b := []Layer{NewReflectionPad2d(1), NewConv2d(dim, dim, 3, 1, 0, true), NewInstanceNorm2d(dim), NewReLU()}
	if dropout {
		b = append(b, NewDropout(0.5))
	}
	b = append(b, NewReflectionPad2d(1), NewConv2d(dim, dim, 3, 1, 0, true), NewInstanceNorm2d(dim))
	return &ResnetBlock{Dim: dim, ConvBlock: b}
}

func (r *ResnetBlock) children() (string, []Layer) { return "conv_block", r.ConvBlock }

// Params lists the parameters of the block's layers in order.
func (r *ResnetBlock) Params() []*Param { return sequential(r.ConvBlock).params() }

// Forward returns x + conv_block(x).
func (r *ResnetBlock) Forward(x *Tensor) *Tensor {
	check4D("ResnetBlock", x, r.Dim)
	y, _ := sequential(r.ConvBlock).infer(x, nil) // a new tensor (the block starts with a padding); no step, no error
	addInto(y.Data, x.Data)
	return y
}

func (r *ResnetBlock) forwardTrain(x *Tensor) (*Tensor, *Tape) {
	check4D("ResnetBlock", x, r.Dim)
	h, t := sequential(r.ConvBlock).forwardTrain(x)
	y := h
	if n := len(r.ConvBlock); n == 0 || !outputUnread(r.ConvBlock[n-1]) {
		y = newScratchTensor(false, h.Shape...)
	}
	// else h, which the block's backward does not read, takes the sum (the
	// inner tape then ends with the block's output: Tape.release gives the
	// storage back once)
	for i, v := range h.Data {
		y.Data[i] = v + x.Data[i]
	}
	return y, t
}

func (r *ResnetBlock) backwardTape(t *Tape, dy *Tensor) *Tensor {
	return r.backwardTapeFor(t, dy, true)
}

// backwardTapeFor is backwardTape, accumulating the parameter gradients only
// if params is set.
func (r *ResnetBlock) backwardTapeFor(t *Tape, dy *Tensor, params bool) *Tensor {
	dx := sequential(r.ConvBlock).backwardFor(t, dy, convGrads{input: true, params: params})
	addInto(dx.Data, dy.Data)
	return dx
}

// Backward recomputes conv_block's activations from x (the models use their
// tape instead) and returns dy + conv_block'(x)ᵀ·dy.
func (r *ResnetBlock) Backward(x, y, dy *Tensor) *Tensor {
	_, t := r.forwardTrain(x)
	return r.backwardTape(t, dy)
}
