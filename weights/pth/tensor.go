package pth

import (
	"encoding/binary"
	"fmt"
	"math"
)

// maxRank and maxDim bound a tensor's size and stride tuples.
const (
	maxRank = 8
	maxDim  = 1 << 31
)

// tensorRef is a rebuilt tensor: a strided window into a storage view.
// rebuildTensor guarantees that numel <= view.numel and that every element
// lies inside the view, so Float32 needs no overflow checks.
type tensorRef struct {
	view   *storageView
	offset int64 // elements, from the start of the view
	shape  []int
	stride []int64
	numel  int64
}

func toInt64(v any) (int64, bool) {
	n, ok := v.(int64)
	return n, ok
}

// intTuple reads a tensor's size or stride: at most maxRank values in
// 0..maxDim.
func intTuple(v any, what string) ([]int64, error) {
	t, ok := v.(pyTuple)
	if !ok {
		return nil, fmt.Errorf("%w: tensor %s is a %T", ErrPickle, what, v)
	}
	if len(t) > maxRank {
		return nil, fmt.Errorf("%w: tensor of rank %d", ErrPickle, len(t))
	}
	out := make([]int64, len(t))
	for i, x := range t {
		n, ok := toInt64(x)
		if !ok || n < 0 || n > maxDim {
			return nil, fmt.Errorf("%w: tensor %s %s", ErrPickle, what, repr(t))
		}
		out[i] = n
	}
	return out, nil
}

// rebuildTensor is torch._utils._rebuild_tensor(_v2) without the
// execution: it checks that the window lies inside the storage view.
func rebuildTensor(st, off, size, stride any) (any, error) {
	v, ok := st.(*storageView)
	if !ok {
		return nil, fmt.Errorf("%w: tensor storage is a %T", ErrPickle, st)
	}
	o, ok := toInt64(off)
	if !ok || o < 0 {
		return nil, fmt.Errorf("%w: tensor storage offset %s", ErrPickle, repr(off))
	}
	sz, err := intTuple(size, "size")
	if err != nil {
		return nil, err
	}
	sd, err := intTuple(stride, "stride")
	if err != nil {
		return nil, err
	}
	if len(sd) != len(sz) {
		return nil, fmt.Errorf("%w: tensor size %v with stride %v", ErrPickle, sz, sd)
	}
	numel, ok := elementCount(sz)
	if !ok || numel > v.numel {
		// More elements than the storage holds: an expanded view (stride 0),
		// which a state_dict does not hold and which could ask for terabytes.
		return nil, fmt.Errorf("%w: tensor of size %v has more elements than its storage %s (%d)",
			ErrTooLarge, sz, v.s.key, v.numel)
	}
	if numel > 0 {
		last, ok := lastElement(o, sz, sd)
		if !ok {
			return nil, fmt.Errorf("%w: tensor of size %v, stride %v at offset %d in storage %s: the offset of its last element overflows",
				ErrTooLarge, sz, sd, o, v.s.key)
		}
		if last >= v.numel {
			return nil, fmt.Errorf("%w: tensor of size %v, stride %v, offset %d reaches past its storage %s of %d elements",
				ErrPickle, sz, sd, o, v.s.key, v.numel)
		}
	}
	shape := make([]int, len(sz))
	for i, n := range sz {
		shape[i] = int(n)
	}
	return &tensorRef{view: v, offset: o, shape: shape, stride: sd, numel: numel}, nil
}

// elementCount is the product of a size tuple, or false on overflow.
func elementCount(size []int64) (int64, bool) {
	n := int64(1)
	for _, d := range size {
		var ok bool
		if n, ok = mulSize(n, d); !ok {
			return 0, false
		}
	}
	return n, true
}

// lastElement is the offset of a non-empty tensor's last element:
// offset + sum of (size-1) x stride, or false on overflow.
func lastElement(offset int64, size, stride []int64) (int64, bool) {
	last := offset
	for i := range size {
		step, ok := mulSize(size[i]-1, stride[i])
		if !ok {
			return 0, false
		}
		if last, ok = addSize(last, step); !ok {
			return 0, false
		}
	}
	return last, true
}

// Entry is one state_dict entry.
type Entry struct {
	Key   string
	DType string // "float32", "float16", "int64", ...
	Shape []int
	t     *tensorRef
}

// Len is the number of elements.
func (e *Entry) Len() int {
	n := 1
	for _, d := range e.Shape {
		n *= d
	}
	return n
}

// decoders convert one little-endian element of a floating-point dtype.
var decoders = map[string]func(b []byte) float32{
	"float32":  func(b []byte) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(b)) },
	"float64":  func(b []byte) float32 { return float32(math.Float64frombits(binary.LittleEndian.Uint64(b))) },
	"float16":  func(b []byte) float32 { return half(binary.LittleEndian.Uint16(b)) },
	"bfloat16": func(b []byte) float32 { return math.Float32frombits(uint32(binary.LittleEndian.Uint16(b)) << 16) },
}

// Float32 returns the entry's values (contiguous, row-major) as float32.
// Only floating-point entries convert.
func (e *Entry) Float32() ([]float32, error) {
	t := e.t
	if t == nil {
		return nil, fmt.Errorf("%w: entry %s has no storage", ErrPickle, e.Key)
	}
	s := t.view.s
	if int64(len(s.data)) != s.nbytes() {
		return nil, fmt.Errorf("%w: storage %s of %s has no data", ErrPickle, s.key, e.Key)
	}
	decode, ok := decoders[s.dtype.name]
	if !ok {
		return nil, fmt.Errorf("%w: %s is a %s tensor", ErrDType, e.Key, s.dtype.name)
	}
	out := make([]float32, t.numel)
	idx := make([]int, len(t.shape)) // the element's index, advanced like an odometer
	size := int64(s.dtype.size)
	data := s.data[:len(s.data):len(s.data)] // slicing past len panics, not reads the spare capacity
	for i := range out {
		off := t.view.offset + t.offset
		for d, k := range idx {
			off += int64(k) * t.stride[d]
		}
		out[i] = decode(data[off*size : (off+1)*size])
		for d := len(idx) - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < t.shape[d] {
				break
			}
			idx[d] = 0
		}
	}
	return out, nil
}

// half converts IEEE binary16 to float32.
func half(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0 && mant == 0:
		return math.Float32frombits(sign)
	case exp == 0:
		return float32(math.Ldexp(float64(mant), -24)) * float32(1-2*int(h>>15))
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	}
	return math.Float32frombits(sign | (exp+112)<<23 | mant<<13)
}
