// Package pth reads PyTorch checkpoints (state_dicts saved by torch.save,
// in the zip format of torch >= 1.6 and in the older legacy format) without
// running any pickled code, and imports the official CycleGAN generators
// into weight files.
package pth

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"os"
	"path"
	"strings"
)

// MaxCheckpointSize is the largest checkpoint file read (an official
// generator is 45 MB).
const MaxCheckpointSize = 2 << 30

// maxPickleLen bounds the pickle record of a zip checkpoint.
const maxPickleLen = 64 << 20

// ErrNotCheckpoint is returned for a file that is neither serialisation.
var ErrNotCheckpoint = errors.New("not a PyTorch checkpoint")

// dtype is the element type of a storage.
type dtype struct {
	name string
	size int
}

var storageTypes = map[string]dtype{
	"FloatStorage": {"float32", 4}, "DoubleStorage": {"float64", 8}, "HalfStorage": {"float16", 2},
	"BFloat16Storage": {"bfloat16", 2}, "LongStorage": {"int64", 8}, "IntStorage": {"int32", 4},
	"ShortStorage": {"int16", 2}, "CharStorage": {"int8", 1}, "ByteStorage": {"uint8", 1}, "BoolStorage": {"bool", 1},
}

// storage is one serialised storage; data is filled by the container.
type storage struct {
	key   string
	dtype dtype
	numel int64
	data  []byte
}

// storageView is a storage or (legacy format) a view into one.
type storageView struct {
	s      *storage
	offset int64 // elements
	numel  int64
}

// tensorRef is a rebuilt tensor: a strided window into a storage.
type tensorRef struct {
	view   *storageView
	offset int64
	shape  []int
	stride []int64
}

func toInt64(v any) (int64, bool) {
	n, ok := v.(int64)
	return n, ok
}

func intTuple(v any, what string) ([]int64, error) {
	t, ok := v.(pyTuple)
	if !ok {
		return nil, fmt.Errorf("%w: tensor %s is a %T", ErrPickle, what, v)
	}
	if len(t) > 8 {
		return nil, fmt.Errorf("%w: tensor of rank %d", ErrPickle, len(t))
	}
	out := make([]int64, len(t))
	for i, x := range t {
		n, ok := toInt64(x)
		if !ok || n < 0 || n > 1<<31 {
			return nil, fmt.Errorf("%w: tensor %s %v", ErrPickle, what, t)
		}
		out[i] = n
	}
	return out, nil
}

// rebuildTensor is torch._utils._rebuild_tensor(_v2) without the
// execution: it checks that the window lies inside the storage.
func rebuildTensor(st, off, size, stride any) (any, error) {
	v, ok := st.(*storageView)
	if !ok {
		return nil, fmt.Errorf("%w: tensor storage is a %T", ErrPickle, st)
	}
	o, ok := toInt64(off)
	if !ok || o < 0 {
		return nil, fmt.Errorf("%w: tensor storage offset %v", ErrPickle, off)
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
	last, n := o, int64(1)
	shape := make([]int, len(sz))
	for i := range sz {
		shape[i] = int(sz[i])
		n *= sz[i]
		if n > v.numel+1 && n > 1<<40 {
			return nil, fmt.Errorf("%w: tensor size %v", ErrPickle, sz)
		}
		if sz[i] > 0 {
			last += (sz[i] - 1) * sd[i]
		}
	}
	if n > 0 && last >= v.numel {
		return nil, fmt.Errorf("%w: tensor of size %v, stride %v, offset %d reaches past its storage of %d elements",
			ErrPickle, sz, sd, o, v.numel)
	}
	return &tensorRef{view: v, offset: o, shape: shape, stride: sd}, nil
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

// Float32 returns the entry's values (contiguous, row-major) as float32.
// Only floating-point entries convert.
func (e *Entry) Float32() ([]float32, error) {
	t := e.t
	s := t.view.s
	if int64(len(s.data)) != s.numel*int64(s.dtype.size) {
		return nil, fmt.Errorf("%w: storage %s of %s has no data", ErrPickle, s.key, e.Key)
	}
	out := make([]float32, e.Len())
	idx := make([]int, len(e.Shape))
	le := binary.LittleEndian
	for i := range out {
		off := t.view.offset + t.offset
		for d, k := range idx {
			off += int64(k) * t.stride[d]
		}
		b := s.data[off*int64(s.dtype.size):]
		switch s.dtype.name {
		case "float32":
			out[i] = math.Float32frombits(le.Uint32(b))
		case "float64":
			out[i] = float32(math.Float64frombits(le.Uint64(b)))
		case "float16":
			out[i] = half(le.Uint16(b))
		case "bfloat16":
			out[i] = math.Float32frombits(uint32(le.Uint16(b)) << 16)
		default:
			return nil, fmt.Errorf("%s: %s tensor is not floating point", e.Key, s.dtype.name)
		}
		for d := len(idx) - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < e.Shape[d] {
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

// Checkpoint is a parsed state_dict.
type Checkpoint struct {
	Format  string // "zip" or "legacy"
	Entries []Entry
	Size    int64 // file size in bytes
}

// Load reads a checkpoint file; errors name the file.
func Load(filename string) (*Checkpoint, error) {
	fh, err := os.Open(filename)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, MaxCheckpointSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filename, err)
	}
	if len(data) > MaxCheckpointSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", filename, MaxCheckpointSize)
	}
	ck, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filename, err)
	}
	return ck, nil
}

// Parse reads a checkpoint held in memory.
func Parse(data []byte) (*Checkpoint, error) {
	var obj any
	var err error
	var format string
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		format = "zip"
		obj, err = parseZip(data)
	case bytes.HasPrefix(data, []byte{0x80}):
		format = "legacy"
		obj, err = parseLegacy(data)
	default:
		return nil, fmt.Errorf("%w (neither a zip archive nor a legacy pickle)", ErrNotCheckpoint)
	}
	if err != nil {
		return nil, err
	}
	d, ok := obj.(*pyDict)
	if !ok {
		return nil, fmt.Errorf("%w: the checkpoint holds a %T, not a state_dict", ErrPickle, obj)
	}
	ck := &Checkpoint{Format: format, Size: int64(len(data))}
	for i, k := range d.keys {
		key, ok := k.(string)
		if !ok {
			return nil, fmt.Errorf("%w: state_dict key %v is not a string", ErrPickle, k)
		}
		t, ok := d.vals[i].(*tensorRef)
		if !ok {
			return nil, fmt.Errorf("%w: state_dict entry %q is a %T, not a tensor", ErrPickle, key, d.vals[i])
		}
		ck.Entries = append(ck.Entries, Entry{Key: key, DType: t.view.s.dtype.name, Shape: t.shape, t: t})
	}
	return ck, nil
}

// storageFromPID checks a persistent id ('storage', class, key, location,
// numel[, view]) and returns its storage, registered under its key.
func storageFromPID(pid any, storages map[string]*storage, legacy bool) (*storage, pyTuple, error) {
	t, ok := pid.(pyTuple)
	if !ok || len(t) < 5 || t[0] != "storage" {
		return nil, nil, fmt.Errorf("%w: persistent id %v is not a storage", ErrPickle, pid)
	}
	g, ok := t[1].(pyGlobal)
	if !ok || g.module != "torch" {
		return nil, nil, fmt.Errorf("%w: storage type %v", ErrPickle, t[1])
	}
	dt, ok := storageTypes[g.name]
	if !ok {
		return nil, nil, fmt.Errorf("%w: storage type %v", ErrPickle, g)
	}
	key, ok1 := t[2].(string)
	numel, ok2 := toInt64(t[4])
	if !ok1 || !ok2 || numel < 0 {
		return nil, nil, fmt.Errorf("%w: persistent id %v", ErrPickle, pid)
	}
	if s, ok := storages[key]; ok {
		if s.dtype != dt || (!legacy && s.numel != numel) {
			return nil, nil, fmt.Errorf("%w: storage %s declared twice differently", ErrPickle, key)
		}
		return s, t, nil
	}
	s := &storage{key: key, dtype: dt, numel: numel}
	storages[key] = s
	return s, t, nil
}

func parseZip(data []byte) (any, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotCheckpoint, err)
	}
	records := map[string]*zip.File{}
	var pkl *zip.File
	var prefix string
	for _, f := range zr.File {
		records[f.Name] = f
		if path.Base(f.Name) == "data.pkl" && strings.Count(f.Name, "/") == 1 {
			pkl, prefix = f, path.Dir(f.Name)+"/"
		}
	}
	if pkl == nil {
		return nil, fmt.Errorf("%w: the zip archive has no data.pkl", ErrNotCheckpoint)
	}
	if _, ok := records[prefix+"constants.pkl"]; ok {
		return nil, fmt.Errorf("%w: a TorchScript archive, not a state_dict", ErrNotCheckpoint)
	}
	if f, ok := records[prefix+"byteorder"]; ok {
		b, err := readRecord(f, 16)
		if err != nil {
			return nil, err
		}
		if string(b) != "little" {
			return nil, fmt.Errorf("%w: byte order %q", ErrPickle, b)
		}
	}
	pb, err := readRecord(pkl, maxPickleLen)
	if err != nil {
		return nil, err
	}
	storages := map[string]*storage{}
	u := &unpickler{data: pb}
	u.persLoad = func(pid any) (any, error) {
		s, _, err := storageFromPID(pid, storages, false)
		if err != nil {
			return nil, err
		}
		if s.data == nil {
			rec, ok := records[prefix+"data/"+s.key]
			if !ok {
				return nil, fmt.Errorf("%w: storage record %s is missing", ErrPickle, s.key)
			}
			n := s.numel * int64(s.dtype.size)
			if n > int64(len(data)) || rec.UncompressedSize64 < uint64(n) {
				return nil, fmt.Errorf("%w: storage %s needs %d bytes, its record has %d", ErrPickle, s.key, n, rec.UncompressedSize64)
			}
			b, err := readRecord(rec, n)
			if err != nil {
				return nil, err
			}
			if int64(len(b)) != n {
				return nil, fmt.Errorf("%w: storage %s has %d of %d bytes", ErrPickle, s.key, len(b), n)
			}
			s.data = b
		}
		return &storageView{s: s, numel: s.numel}, nil
	}
	return u.load()
}

// readRecord reads at most limit bytes of a zip record.
func readRecord(f *zip.File, limit int64) ([]byte, error) {
	if f.UncompressedSize64 > uint64(limit) {
		return nil, fmt.Errorf("%w: record %s of %d bytes", ErrPickle, f.Name, f.UncompressedSize64)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: record %s: %v", ErrNotCheckpoint, f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit))
	if err != nil {
		return nil, fmt.Errorf("%w: record %s: %v", ErrPickle, f.Name, err)
	}
	return b, nil
}

var legacyMagic, _ = new(big.Int).SetString("1950a86a20f9469cfc6c", 16)

func parseLegacy(data []byte) (any, error) {
	u := &unpickler{data: data}
	magic, err := u.load()
	if err != nil {
		return nil, err
	}
	if m, ok := magic.(*big.Int); !ok || m.Cmp(legacyMagic) != 0 {
		return nil, fmt.Errorf("%w: a pickle without the torch.save magic number", ErrNotCheckpoint)
	}
	u.memo = nil
	proto, err := u.load()
	if err != nil {
		return nil, err
	}
	if proto != int64(1001) {
		return nil, fmt.Errorf("%w: legacy protocol %v (want 1001)", ErrNotCheckpoint, proto)
	}
	u.memo = nil
	sysInfo, err := u.load()
	if err != nil {
		return nil, err
	}
	if d, ok := sysInfo.(*pyDict); ok {
		for i, k := range d.keys {
			if k == "little_endian" && d.vals[i] != true {
				return nil, fmt.Errorf("%w: big-endian checkpoint", ErrPickle)
			}
		}
	}

	storages := map[string]*storage{}
	u.memo = nil
	u.persLoad = func(pid any) (any, error) {
		s, t, err := storageFromPID(pid, storages, true)
		if err != nil {
			return nil, err
		}
		if len(t) < 6 || t[5] == nil {
			return &storageView{s: s, numel: s.numel}, nil
		}
		vm, ok := t[5].(pyTuple) // (view_key, offset, view_size)
		if !ok || len(vm) != 3 {
			return nil, fmt.Errorf("%w: view metadata %v", ErrPickle, t[5])
		}
		off, ok1 := toInt64(vm[1])
		n, ok2 := toInt64(vm[2])
		if !ok1 || !ok2 || off < 0 || n < 0 || off+n > s.numel {
			return nil, fmt.Errorf("%w: view %v of a storage of %d elements", ErrPickle, vm, s.numel)
		}
		return &storageView{s: s, offset: off, numel: n}, nil
	}
	obj, err := u.load()
	if err != nil {
		return nil, err
	}
	u.persLoad = nil
	u.memo = nil
	keysObj, err := u.load()
	if err != nil {
		return nil, err
	}
	keys, ok := keysObj.(*pyList)
	if !ok {
		return nil, fmt.Errorf("%w: storage key list is a %T", ErrPickle, keysObj)
	}
	le := binary.LittleEndian
	for _, k := range keys.items {
		key, _ := k.(string)
		s, ok := storages[key]
		if !ok {
			return nil, fmt.Errorf("%w: storage %v listed but not used", ErrPickle, k)
		}
		b, err := u.take(8)
		if err != nil {
			return nil, fmt.Errorf("%w: storage %s: data truncated", ErrPickle, key)
		}
		numel := int64(le.Uint64(b))
		if numel != s.numel {
			return nil, fmt.Errorf("%w: storage %s has %d elements, declared %d", ErrPickle, key, numel, s.numel)
		}
		if s.numel > int64(len(data)) {
			return nil, fmt.Errorf("%w: storage %s: data truncated", ErrPickle, key)
		}
		if s.data, err = u.take(int(s.numel) * s.dtype.size); err != nil {
			return nil, fmt.Errorf("%w: storage %s: data truncated", ErrPickle, key)
		}
	}
	for key, s := range storages {
		if s.data == nil && s.numel > 0 {
			return nil, fmt.Errorf("%w: storage %s has no data", ErrPickle, key)
		}
	}
	return obj, nil
}
