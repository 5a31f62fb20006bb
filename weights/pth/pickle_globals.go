package pth

import "fmt"

// pyGlobal is an allowed global: a storage class or a callable.
type pyGlobal struct{ module, name string }

func (g pyGlobal) String() string { return g.module + "." + g.name }

// allowedGlobals are the globals of a state_dict saved by torch.save:
// the tensor rebuild functions, the storage classes (they only name a dtype
// inside a persistent id) and OrderedDict. Everything else is refused,
// including torch globals a state_dict does not need (torch.nn.Parameter,
// torch.storage._load_from_bytes, quantised and sparse tensor rebuilds).
var allowedGlobals = map[string]bool{
	"collections.OrderedDict":         true,
	"torch._utils._rebuild_tensor":    true, // PyTorch < 0.4
	"torch._utils._rebuild_tensor_v2": true,
	"torch._utils._rebuild_parameter": true,
	"torch.FloatStorage":              true,
	"torch.DoubleStorage":             true,
	"torch.HalfStorage":               true,
	"torch.BFloat16Storage":           true,
	"torch.LongStorage":               true,
	"torch.IntStorage":                true,
	"torch.ShortStorage":              true,
	"torch.CharStorage":               true,
	"torch.ByteStorage":               true,
	"torch.BoolStorage":               true,
}

// global pushes an allowed global and refuses any other when it is named.
func (u *unpickler) global(module, name string) error {
	g := pyGlobal{module, name}
	if !allowedGlobals[g.String()] {
		return fmt.Errorf("%w: %s (only tensors, storages and OrderedDict may appear in a state_dict)", ErrForbiddenGlobal, g)
	}
	return u.push(g)
}

// call applies an allowed callable. These are the only functions a pickle
// can reach; each builds plain Go values.
func (u *unpickler) call(fn, args any) (any, error) {
	g, ok := fn.(pyGlobal)
	if !ok {
		return nil, u.errf("REDUCE calls a %T", fn)
	}
	a, ok := args.(pyTuple)
	if !ok {
		return nil, u.errf("REDUCE arguments are a %T", args)
	}
	switch g.String() {
	case "collections.OrderedDict":
		return u.orderedDict(a)
	case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor":
		if len(a) < 4 {
			return nil, u.errf("%s called with %d arguments", g, len(a))
		}
		return rebuildTensor(a[0], a[1], a[2], a[3])
	case "torch._utils._rebuild_parameter":
		if len(a) < 1 {
			return nil, u.errf("%s called without arguments", g)
		}
		t, ok := a[0].(*tensorRef)
		if !ok {
			return nil, u.errf("%s of a %T", g, a[0])
		}
		return t, nil
	}
	return nil, u.errf("%s is not callable", g)
}

// orderedDict is OrderedDict() or OrderedDict([(k, v), ...]).
func (u *unpickler) orderedDict(a pyTuple) (*pyDict, error) {
	d := &pyDict{}
	if len(a) == 1 {
		if l, ok := a[0].(*pyList); ok {
			for _, it := range l.items {
				kv, ok := it.(pyTuple)
				if !ok || len(kv) != 2 || !hashable(kv[0]) {
					return nil, u.errf("OrderedDict item is not a pair")
				}
				u.ops += d.set(kv[0], kv[1])
			}
			return d, nil
		}
	}
	if len(a) != 0 {
		return nil, u.errf("OrderedDict called with %d arguments", len(a))
	}
	return d, nil
}
