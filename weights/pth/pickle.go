package pth

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// This file is a restricted pickle virtual machine. It understands the
// opcodes torch.save emits (protocol 2, plus the few of protocols 0-5 that
// other picklers use for the same values) and resolves only the globals a
// state_dict needs. Any other global is refused when it is named, before
// anything could call it; nothing is ever executed, since the only callables
// are the Go functions below that build tensors and dicts.
//
// github.com/nlpodyssey/gopickle was not used for this: its Unpickler hands
// an unknown global to FindClass only after resolving collections.OrderedDict,
// __builtin__.object and copy_reg._reconstructor itself (and without a
// FindClass it returns a generic object for any global), and it allocates
// buffers from 4- and 8-byte lengths in the stream before checking them
// against the input and panics on some malformed opcodes (LONG1 of length 0).

// ErrForbiddenGlobal is returned for a pickle that names a global outside
// the state_dict allow-list (e.g. os.system); the message names it.
var ErrForbiddenGlobal = errors.New("checkpoint pickle names a forbidden global")

// ErrPickle is returned for a pickle that is malformed or uses an opcode the
// restricted unpickler does not accept.
var ErrPickle = errors.New("invalid checkpoint pickle")

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

type pyTuple []any

type pyList struct{ items []any }

// pyDict keeps insertion order (state_dict order).
type pyDict struct {
	keys  []any
	vals  []any
	index map[any]int // position of each key (keys are hashable values)
}

func (d *pyDict) set(k, v any) {
	if i, ok := d.index[k]; ok {
		d.vals[i] = v
		return
	}
	if d.index == nil {
		d.index = map[any]int{}
	}
	d.index[k] = len(d.keys)
	d.keys = append(d.keys, k)
	d.vals = append(d.vals, v)
}

// unpickler runs one pickle held in memory.
type unpickler struct {
	data     []byte
	pos      int
	stack    []any
	marks    []int
	memo     map[int]any
	persLoad func(pid any) (any, error)
}

const maxStack = 1 << 20

func (u *unpickler) errf(format string, args ...any) error {
	return fmt.Errorf("%w: at byte %d: %s", ErrPickle, u.pos, fmt.Sprintf(format, args...))
}

func (u *unpickler) take(n int) ([]byte, error) {
	if n < 0 || n > len(u.data)-u.pos {
		return nil, u.errf("length %d exceeds the %d bytes left", n, len(u.data)-u.pos)
	}
	b := u.data[u.pos : u.pos+n]
	u.pos += n
	return b, nil
}

func (u *unpickler) line() (string, error) {
	i := bytes.IndexByte(u.data[u.pos:min(len(u.data), u.pos+1<<16)], '\n')
	if i < 0 {
		return "", u.errf("unterminated line")
	}
	s := string(u.data[u.pos : u.pos+i])
	u.pos += i + 1
	return s, nil
}

func (u *unpickler) push(v any) error {
	if len(u.stack) >= maxStack {
		return u.errf("stack too deep")
	}
	u.stack = append(u.stack, v)
	return nil
}

func (u *unpickler) pop() (any, error) {
	base := 0
	if len(u.marks) > 0 {
		base = u.marks[len(u.marks)-1]
	}
	if len(u.stack) <= base {
		return nil, u.errf("stack underflow")
	}
	v := u.stack[len(u.stack)-1]
	u.stack = u.stack[:len(u.stack)-1]
	return v, nil
}

func (u *unpickler) top() (any, error) {
	base := 0
	if len(u.marks) > 0 {
		base = u.marks[len(u.marks)-1]
	}
	if len(u.stack) <= base {
		return nil, u.errf("stack underflow")
	}
	return u.stack[len(u.stack)-1], nil
}

// popMark returns the items above the topmost mark and removes them and the mark.
func (u *unpickler) popMark() ([]any, error) {
	if len(u.marks) == 0 {
		return nil, u.errf("no mark on the stack")
	}
	m := u.marks[len(u.marks)-1]
	u.marks = u.marks[:len(u.marks)-1]
	items := append([]any(nil), u.stack[m:]...)
	u.stack = u.stack[:m]
	return items, nil
}

func (u *unpickler) global(module, name string) error {
	g := pyGlobal{module, name}
	if !allowedGlobals[g.String()] {
		return fmt.Errorf("%w: %s (only tensors, storages and OrderedDict may appear in a state_dict)", ErrForbiddenGlobal, g)
	}
	return u.push(g)
}

// load runs the pickle that starts at u.pos and returns its value; u.pos
// ends after the STOP opcode.
func (u *unpickler) load() (any, error) {
	le := binary.LittleEndian
	u.stack, u.marks = u.stack[:0], u.marks[:0]
	if u.memo == nil {
		u.memo = map[int]any{}
	}
	for {
		if u.pos >= len(u.data) {
			return nil, u.errf("pickle ends without STOP")
		}
		op := u.data[u.pos]
		u.pos++
		var err error
		switch op {
		case 0x80: // PROTO
			var b []byte
			if b, err = u.take(1); err == nil && b[0] > 5 {
				err = u.errf("pickle protocol %d", b[0])
			}
		case 0x95: // FRAME: framing is only a hint for buffered readers
			_, err = u.take(8)
		case '.': // STOP
			v, err := u.pop()
			if err != nil {
				return nil, err
			}
			if len(u.stack) != 0 || len(u.marks) != 0 {
				return nil, u.errf("values left on the stack at STOP")
			}
			return v, nil
		case '(': // MARK
			u.marks = append(u.marks, len(u.stack))
			if len(u.marks) > maxStack {
				err = u.errf("too many marks")
			}
		case '0': // POP
			if len(u.marks) > 0 && u.marks[len(u.marks)-1] == len(u.stack) {
				_, err = u.popMark()
			} else {
				_, err = u.pop()
			}
		case '1': // POP_MARK
			_, err = u.popMark()
		case '2': // DUP
			var v any
			if v, err = u.top(); err == nil {
				err = u.push(v)
			}
		case 'N':
			err = u.push(nil)
		case 0x88:
			err = u.push(true)
		case 0x89:
			err = u.push(false)
		case 'I': // INT (text)
			var s string
			if s, err = u.line(); err == nil {
				switch s {
				case "00":
					err = u.push(false)
				case "01":
					err = u.push(true)
				default:
					var n int64
					if n, err = strconv.ParseInt(s, 10, 64); err != nil {
						err = u.errf("bad INT %q", s)
					} else {
						err = u.push(n)
					}
				}
			}
		case 'J':
			var b []byte
			if b, err = u.take(4); err == nil {
				err = u.push(int64(int32(le.Uint32(b))))
			}
		case 'K':
			var b []byte
			if b, err = u.take(1); err == nil {
				err = u.push(int64(b[0]))
			}
		case 'M':
			var b []byte
			if b, err = u.take(2); err == nil {
				err = u.push(int64(le.Uint16(b)))
			}
		case 'L': // LONG (text)
			var s string
			if s, err = u.line(); err == nil {
				s = strings.TrimSuffix(s, "L")
				n, ok := new(big.Int).SetString(s, 10)
				if !ok {
					err = u.errf("bad LONG %q", s)
				} else {
					err = u.push(longValue(n))
				}
			}
		case 0x8a, 0x8b: // LONG1, LONG4
			var b []byte
			if op == 0x8a {
				b, err = u.take(1)
				if err == nil {
					b, err = u.take(int(b[0]))
				}
			} else {
				b, err = u.take(4)
				if err == nil {
					b, err = u.take(int(int32(le.Uint32(b))))
				}
			}
			if err == nil {
				err = u.push(longValue(decodeLong(b)))
			}
		case 'G': // BINFLOAT (big-endian)
			var b []byte
			if b, err = u.take(8); err == nil {
				err = u.push(math.Float64frombits(binary.BigEndian.Uint64(b)))
			}
		case 'F':
			var s string
			if s, err = u.line(); err == nil {
				var f float64
				if f, err = strconv.ParseFloat(s, 64); err != nil {
					err = u.errf("bad FLOAT %q", s)
				} else {
					err = u.push(f)
				}
			}
		case 'X', 'T', 'B', 'U', 'C', 0x8c, 0x8d, 0x8e: // counted strings and bytes
			var n int
			var b []byte
			switch op {
			case 'X', 'T', 'B':
				if b, err = u.take(4); err == nil {
					n = int(int32(le.Uint32(b)))
				}
			case 'U', 'C', 0x8c:
				if b, err = u.take(1); err == nil {
					n = int(b[0])
				}
			default:
				if b, err = u.take(8); err == nil {
					v := le.Uint64(b)
					if v > uint64(len(u.data)) {
						n = -1
					} else {
						n = int(v)
					}
				}
			}
			if err == nil {
				if b, err = u.take(n); err == nil {
					err = u.push(string(b))
				}
			}
		case 'V', 'S': // UNICODE, STRING (text)
			var s string
			if s, err = u.line(); err == nil {
				if op == 'S' {
					if uq, e := strconv.Unquote(s); e == nil {
						s = uq
					} else if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
						s = s[1 : len(s)-1]
					}
				}
				err = u.push(s)
			}
		case ')':
			err = u.push(pyTuple{})
		case 't':
			var items []any
			if items, err = u.popMark(); err == nil {
				err = u.push(pyTuple(items))
			}
		case 0x85, 0x86, 0x87: // TUPLE1..3
			n := int(op - 0x84)
			if len(u.stack) < n || (len(u.marks) > 0 && len(u.stack)-n < u.marks[len(u.marks)-1]) {
				err = u.errf("stack underflow")
			} else {
				t := append(pyTuple(nil), u.stack[len(u.stack)-n:]...)
				u.stack = u.stack[:len(u.stack)-n]
				err = u.push(t)
			}
		case ']':
			err = u.push(&pyList{})
		case 'l':
			var items []any
			if items, err = u.popMark(); err == nil {
				err = u.push(&pyList{items: items})
			}
		case 'a', 'e': // APPEND, APPENDS
			var items []any
			if op == 'a' {
				var v any
				if v, err = u.pop(); err == nil {
					items = []any{v}
				}
			} else {
				items, err = u.popMark()
			}
			if err == nil {
				var l any
				if l, err = u.top(); err == nil {
					if pl, ok := l.(*pyList); ok {
						pl.items = append(pl.items, items...)
					} else {
						err = u.errf("APPEND to %T", l)
					}
				}
			}
		case '}':
			err = u.push(&pyDict{})
		case 'd', 's', 'u': // DICT, SETITEM, SETITEMS
			var items []any
			if op == 's' {
				var k, v any
				if v, err = u.pop(); err == nil {
					if k, err = u.pop(); err == nil {
						items = []any{k, v}
					}
				}
			} else {
				items, err = u.popMark()
			}
			if err == nil && len(items)%2 != 0 {
				err = u.errf("odd number of dict items")
			}
			if err == nil {
				var d *pyDict
				if op == 'd' {
					d = &pyDict{}
					err = u.push(d)
				} else {
					var t any
					if t, err = u.top(); err == nil {
						var ok bool
						if d, ok = t.(*pyDict); !ok {
							err = u.errf("SETITEM on %T", t)
						}
					}
				}
				for i := 0; err == nil && i < len(items); i += 2 {
					if !hashable(items[i]) {
						err = u.errf("unhashable dict key %T", items[i])
					} else {
						d.set(items[i], items[i+1])
					}
				}
			}
		case 'c': // GLOBAL
			var mod, name string
			if mod, err = u.line(); err == nil {
				if name, err = u.line(); err == nil {
					err = u.global(mod, name)
				}
			}
		case 0x93: // STACK_GLOBAL
			var n, m any
			if n, err = u.pop(); err == nil {
				if m, err = u.pop(); err == nil {
					ms, ok1 := m.(string)
					ns, ok2 := n.(string)
					if !ok1 || !ok2 {
						err = u.errf("STACK_GLOBAL needs two strings")
					} else {
						err = u.global(ms, ns)
					}
				}
			}
		case 'R': // REDUCE
			var args, fn any
			if args, err = u.pop(); err == nil {
				if fn, err = u.pop(); err == nil {
					var v any
					if v, err = u.call(fn, args); err == nil {
						err = u.push(v)
					}
				}
			}
		case 'b': // BUILD: state_dict's _metadata attribute; ignored
			var state, obj any
			if state, err = u.pop(); err == nil {
				if obj, err = u.top(); err == nil {
					if _, ok := obj.(*pyDict); !ok {
						err = u.errf("BUILD on %T", obj)
					} else if _, ok := state.(*pyDict); !ok && state != nil {
						if _, ok := state.(pyTuple); !ok {
							err = u.errf("BUILD with state %T", state)
						}
					}
				}
			}
		case 'P', 'Q': // PERSID, BINPERSID
			var pid any
			if op == 'P' {
				pid, err = u.line()
			} else {
				pid, err = u.pop()
			}
			if err == nil {
				if u.persLoad == nil {
					err = u.errf("persistent id outside a checkpoint")
				} else {
					var v any
					if v, err = u.persLoad(pid); err == nil {
						err = u.push(v)
					}
				}
			}
		case 'g', 'h', 'j': // GET, BINGET, LONG_BINGET
			var idx int
			idx, err = u.memoIndex(op)
			if err == nil {
				v, ok := u.memo[idx]
				if !ok {
					err = u.errf("memo %d not set", idx)
				} else {
					err = u.push(v)
				}
			}
		case 'p', 'q', 'r', 0x94: // PUT, BINPUT, LONG_BINPUT, MEMOIZE
			idx := len(u.memo)
			if op != 0x94 {
				idx, err = u.memoIndex(op)
			}
			if err == nil {
				var v any
				if v, err = u.top(); err == nil {
					u.memo[idx] = v
				}
			}
		default:
			return nil, u.errf("opcode %#02x (%q) is not allowed in a state_dict", op, op)
		}
		if err != nil {
			return nil, err
		}
	}
}

func (u *unpickler) memoIndex(op byte) (int, error) {
	switch op {
	case 'g', 'p':
		s, err := u.line()
		if err != nil {
			return 0, err
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return 0, u.errf("bad memo index %q", s)
		}
		return n, nil
	case 'h', 'q':
		b, err := u.take(1)
		if err != nil {
			return 0, err
		}
		return int(b[0]), nil
	}
	b, err := u.take(4)
	if err != nil {
		return 0, err
	}
	return int(binary.LittleEndian.Uint32(b)), nil
}

func hashable(v any) bool {
	switch v.(type) {
	case string, int64, bool, nil, float64:
		return true
	}
	return false
}

// longValue returns an int64 when n fits, else the *big.Int.
func longValue(n *big.Int) any {
	if n.IsInt64() {
		return n.Int64()
	}
	return n
}

// decodeLong decodes a little-endian two's-complement integer.
func decodeLong(b []byte) *big.Int {
	n := new(big.Int)
	if len(b) == 0 {
		return n
	}
	be := make([]byte, len(b))
	for i := range b {
		be[len(b)-1-i] = b[i]
	}
	n.SetBytes(be)
	if b[len(b)-1]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return n
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
		d := &pyDict{}
		if len(a) == 1 { // OrderedDict([(k, v), ...])
			if l, ok := a[0].(*pyList); ok {
				for _, it := range l.items {
					kv, ok := it.(pyTuple)
					if !ok || len(kv) != 2 || !hashable(kv[0]) {
						return nil, u.errf("OrderedDict item is not a pair")
					}
					d.set(kv[0], kv[1])
				}
				return d, nil
			}
		}
		if len(a) != 0 {
			return nil, u.errf("OrderedDict called with %d arguments", len(a))
		}
		return d, nil
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
