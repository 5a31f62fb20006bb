package pth

import "fmt"

// dtype is the element type of a storage.
type dtype struct {
	name string
	size int // bytes per element
}

var storageTypes = map[string]dtype{
	"FloatStorage": {"float32", 4}, "DoubleStorage": {"float64", 8}, "HalfStorage": {"float16", 2},
	"BFloat16Storage": {"bfloat16", 2}, "LongStorage": {"int64", 8}, "IntStorage": {"int32", 4},
	"ShortStorage": {"int16", 2}, "CharStorage": {"int8", 1}, "ByteStorage": {"uint8", 1}, "BoolStorage": {"bool", 1},
}

// storage is one serialised storage; data is filled by the container.
// numel x dtype.size is at most MaxCheckpointSize (storageFromPID checks it),
// so byte offsets inside a storage never overflow.
type storage struct {
	key   string
	dtype dtype
	numel int64
	data  []byte
}

// nbytes is the storage's size in bytes.
func (s *storage) nbytes() int64 { return s.numel * int64(s.dtype.size) }

// storageView is a storage or (legacy format) a view into one:
// offset + numel <= s.numel.
type storageView struct {
	s      *storage
	offset int64 // elements
	numel  int64
}

// wholeStorage is the view of all of s.
func wholeStorage(s *storage) *storageView { return &storageView{s: s, numel: s.numel} }

// newView is the legacy view (view_key, offset, view_size) into s.
func newView(s *storage, meta any) (*storageView, error) {
	vm, ok := meta.(pyTuple)
	if !ok || len(vm) != 3 {
		return nil, fmt.Errorf("%w: storage %s: view metadata %s", ErrPickle, s.key, repr(meta))
	}
	off, ok1 := toInt64(vm[1])
	n, ok2 := toInt64(vm[2])
	if !ok1 || !ok2 || off < 0 || n < 0 {
		return nil, fmt.Errorf("%w: storage %s: view %s", ErrPickle, s.key, repr(vm))
	}
	end, ok := addSize(off, n)
	if !ok || end > s.numel {
		return nil, fmt.Errorf("%w: storage %s: view of %d elements at offset %d reaches past the storage's %d elements",
			ErrTooLarge, s.key, n, off, s.numel)
	}
	return &storageView{s: s, offset: off, numel: n}, nil
}

// storageFromPID checks a persistent id ('storage', class, key, location,
// numel[, view]) and returns its storage, registered under its key.
func storageFromPID(pid any, storages map[string]*storage, legacy bool) (*storage, pyTuple, error) {
	t, ok := pid.(pyTuple)
	if !ok || len(t) < 5 || t[0] != "storage" {
		return nil, nil, fmt.Errorf("%w: persistent id %s is not a storage", ErrPickle, repr(pid))
	}
	g, ok := t[1].(pyGlobal)
	if !ok || g.module != "torch" {
		return nil, nil, fmt.Errorf("%w: storage type %s", ErrPickle, repr(t[1]))
	}
	dt, ok := storageTypes[g.name]
	if !ok {
		return nil, nil, fmt.Errorf("%w: storage type %v", ErrPickle, g)
	}
	key, ok1 := t[2].(string)
	numel, ok2 := toInt64(t[4])
	if !ok1 || !ok2 || numel < 0 {
		return nil, nil, fmt.Errorf("%w: persistent id %s", ErrPickle, repr(pid))
	}
	if n, ok := mulSize(numel, int64(dt.size)); !ok || n > MaxCheckpointSize {
		return nil, nil, fmt.Errorf("%w: storage %s of %d %s elements is larger than a checkpoint can be (%d bytes)",
			ErrTooLarge, key, numel, dt.name, int64(MaxCheckpointSize))
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
