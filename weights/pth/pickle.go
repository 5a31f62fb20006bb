package pth

import (
	"bytes"
	"fmt"
)

// This file is a restricted pickle virtual machine. It understands the
// opcodes torch.save emits (protocol 2, plus the few of protocols 0-5 that
// other picklers use for the same values; pickle_ops.go) and resolves only
// the globals a state_dict needs (pickle_globals.go). Any other global is
// refused when it is named, before anything could call it; nothing is ever
// executed, since the only callables are Go functions that build tensors and
// dicts.
//
// github.com/nlpodyssey/gopickle was not used for this: its Unpickler hands
// an unknown global to FindClass only after resolving collections.OrderedDict,
// __builtin__.object and copy_reg._reconstructor itself (and without a
// FindClass it returns a generic object for any global), and it allocates
// buffers from 4- and 8-byte lengths in the stream before checking them
// against the input and panics on some malformed opcodes (LONG1 of length 0).

// The Python values a state_dict pickle builds: nil, bool, int64 (or
// *big.Int), float64, string (str and bytes alike), pyTuple, *pyList,
// *pyDict, pyGlobal, and from the callables *storageView and *tensorRef.
type pyTuple []any

type pyList struct{ items []any }

// pyDict keeps insertion order (state_dict order).
type pyDict struct {
	keys  []any
	vals  []any
	index map[any]int // position of each key (keys are hashable values)
}

// set inserts or replaces k; it returns the number of keys it looked at
// (always 1: the index makes a dict of n items cost O(n) to build).
func (d *pyDict) set(k, v any) (probes int) {
	if i, ok := d.index[k]; ok {
		d.vals[i] = v
		return 1
	}
	if d.index == nil {
		d.index = map[any]int{}
	}
	d.index[k] = len(d.keys)
	d.keys = append(d.keys, k)
	d.vals = append(d.vals, v)
	return 1
}

// hashable reports whether v can be a dict key.
func hashable(v any) bool {
	switch v.(type) {
	case string, int64, bool, nil, float64:
		return true
	}
	return false
}

// unpickler runs one pickle held in memory.
type unpickler struct {
	data     []byte
	pos      int
	stack    []any
	marks    []int // stack heights at each MARK
	memo     map[int]any
	persLoad func(pid any) (any, error)

	// ops counts the work done: opcodes run, values moved off the stack
	// and dict keys looked at. TestManyDictItems checks that it grows
	// linearly with the input.
	ops int
}

const maxStack = 1 << 20

func (u *unpickler) errf(format string, args ...any) error {
	return fmt.Errorf("%w: at byte %d: %s", ErrPickle, u.pos, fmt.Sprintf(format, args...))
}

// load runs the pickle that starts at u.pos and returns its value; u.pos
// ends after the STOP opcode.
func (u *unpickler) load() (any, error) {
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
		u.ops++
		if op == opStop {
			return u.stop()
		}
		run := opHandlers[op]
		if run == nil {
			return nil, u.errf("opcode %#02x (%q) is not allowed in a state_dict", op, op)
		}
		if err := run(u, op); err != nil {
			return nil, err
		}
	}
}

// stop is STOP: the pickle's value is the only thing left on the stack.
func (u *unpickler) stop() (any, error) {
	v, err := u.pop()
	if err != nil {
		return nil, err
	}
	if len(u.stack) != 0 || len(u.marks) != 0 {
		return nil, u.errf("values left on the stack at STOP")
	}
	return v, nil
}

// take consumes the next n bytes of the input.
func (u *unpickler) take(n int) ([]byte, error) {
	if n < 0 || n > len(u.data)-u.pos {
		return nil, u.errf("length %d exceeds the %d bytes left", n, len(u.data)-u.pos)
	}
	b := u.data[u.pos : u.pos+n]
	u.pos += n
	return b, nil
}

// line consumes a newline-terminated argument (at most 64 KiB) of the
// text opcodes.
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

// base is the lowest stack position pop and top may reach: the topmost mark.
func (u *unpickler) base() int {
	if len(u.marks) > 0 {
		return u.marks[len(u.marks)-1]
	}
	return 0
}

func (u *unpickler) pop() (any, error) {
	if len(u.stack) <= u.base() {
		return nil, u.errf("stack underflow")
	}
	v := u.stack[len(u.stack)-1]
	u.stack = u.stack[:len(u.stack)-1]
	u.ops++
	return v, nil
}

func (u *unpickler) top() (any, error) {
	if len(u.stack) <= u.base() {
		return nil, u.errf("stack underflow")
	}
	return u.stack[len(u.stack)-1], nil
}

// pushMark is MARK: it remembers the stack height.
func (u *unpickler) pushMark() error {
	u.marks = append(u.marks, len(u.stack))
	if len(u.marks) > maxStack {
		return u.errf("too many marks")
	}
	return nil
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
	u.ops += len(items)
	return items, nil
}

// popN removes the top n items (not below the topmost mark).
func (u *unpickler) popN(n int) ([]any, error) {
	if len(u.stack)-n < u.base() {
		return nil, u.errf("stack underflow")
	}
	items := append([]any(nil), u.stack[len(u.stack)-n:]...)
	u.stack = u.stack[:len(u.stack)-n]
	u.ops += n
	return items, nil
}
