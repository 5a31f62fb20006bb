package nn

// Param is a learnable tensor with its gradient. Name is the parameter's key
// in an official PyTorch state_dict relative to its layer ("weight", "bias");
// models prefix it with the module path ("model.10.conv_block.1.weight").
type Param struct {
	Name  string
	Value *Tensor
	Grad  *Tensor // same shape as Value; allocated lazily by EnsureGrad
}

// EnsureGrad allocates the gradient if it does not exist yet.
func (p *Param) EnsureGrad() *Tensor {
	if p.Grad == nil {
		p.Grad = NewTensor(p.Value.Shape...)
	}
	return p.Grad
}

// NamedParam is a parameter with its full state_dict key.
type NamedParam struct {
	Key   string
	Param *Param
}
