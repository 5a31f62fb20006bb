package pth

import (
	"encoding/binary"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// The pickle opcodes the unpickler accepts, named as in CPython's
// Lib/pickle.py. Every other opcode (OBJ, INST, NEWOBJ, EXT1, ...) is
// refused.
const (
	// Framing and protocol.
	opProto = 0x80 // protocol version (2..5 accepted)
	opFrame = 0x95 // framing is only a hint for buffered readers
	opStop  = '.'  // end of the pickle: return the top of the stack

	// Stack and marks.
	opMark    = '(' // remember the stack height
	opPop     = '0'
	opPopMark = '1' // drop everything down to the topmost mark
	opDup     = '2'

	// Constants and numbers.
	opNone     = 'N'
	opNewTrue  = 0x88
	opNewFalse = 0x89
	opInt      = 'I'  // decimal text; "00" and "01" are False and True
	opBinInt   = 'J'  // int32
	opBinInt1  = 'K'  // uint8
	opBinInt2  = 'M'  // uint16
	opLong     = 'L'  // decimal text with an optional L suffix
	opLong1    = 0x8a // two's complement of a 1-byte length
	opLong4    = 0x8b // two's complement of a 4-byte length
	opFloat    = 'F'  // decimal text
	opBinFloat = 'G'  // big-endian float64

	// Strings and bytes (both become Go strings).
	opBinUnicode      = 'X'  // 4-byte length
	opBinString       = 'T'  // 4-byte length
	opBinBytes        = 'B'  // 4-byte length
	opShortBinUnicode = 0x8c // 1-byte length
	opShortBinString  = 'U'  // 1-byte length
	opShortBinBytes   = 'C'  // 1-byte length
	opBinUnicode8     = 0x8d // 8-byte length
	opBinBytes8       = 0x8e // 8-byte length
	opUnicode         = 'V'  // raw text line
	opString          = 'S'  // quoted text line

	// Containers.
	opEmptyTuple = ')'
	opTuple      = 't' // the items above the mark
	opTuple1     = 0x85
	opTuple2     = 0x86
	opTuple3     = 0x87
	opEmptyList  = ']'
	opList       = 'l' // the items above the mark
	opAppend     = 'a'
	opAppends    = 'e' // the items above the mark
	opEmptyDict  = '}'
	opDict       = 'd' // key, value pairs above the mark
	opSetItem    = 's'
	opSetItems   = 'u' // key, value pairs above the mark

	// Globals, calls and persistent ids.
	opGlobal      = 'c'  // module and name as text lines
	opStackGlobal = 0x93 // module and name from the stack
	opReduce      = 'R'  // call a callable with an argument tuple
	opBuild       = 'b'  // set an object's state
	opPersID      = 'P'  // persistent id as a text line
	opBinPersID   = 'Q'  // persistent id from the stack

	// The memo.
	opGet        = 'g' // decimal text index
	opBinGet     = 'h' // 1-byte index
	opLongBinGet = 'j' // 4-byte index
	opPut        = 'p'
	opBinPut     = 'q'
	opLongBinPut = 'r'
	opMemoize    = 0x94 // put at the next free index
)

// opHandlers runs each accepted opcode (except STOP, which load handles);
// op is the opcode, for handlers that serve several.
var opHandlers = [256]func(u *unpickler, op byte) error{
	opProto: (*unpickler).proto,
	opFrame: (*unpickler).frame,

	opMark:    func(u *unpickler, _ byte) error { return u.pushMark() },
	opPop:     (*unpickler).popOne,
	opPopMark: func(u *unpickler, _ byte) error { _, err := u.popMark(); return err },
	opDup:     (*unpickler).dup,

	opNone:     pushConst(nil),
	opNewTrue:  pushConst(true),
	opNewFalse: pushConst(false),
	opInt:      (*unpickler).intText,
	opBinInt:   (*unpickler).binInt,
	opBinInt1:  (*unpickler).binInt,
	opBinInt2:  (*unpickler).binInt,
	opLong:     (*unpickler).longText,
	opLong1:    (*unpickler).binLong,
	opLong4:    (*unpickler).binLong,
	opFloat:    (*unpickler).floatText,
	opBinFloat: (*unpickler).binFloat,

	opBinUnicode:      (*unpickler).countedString,
	opBinString:       (*unpickler).countedString,
	opBinBytes:        (*unpickler).countedString,
	opShortBinUnicode: (*unpickler).countedString,
	opShortBinString:  (*unpickler).countedString,
	opShortBinBytes:   (*unpickler).countedString,
	opBinUnicode8:     (*unpickler).countedString,
	opBinBytes8:       (*unpickler).countedString,
	opUnicode:         (*unpickler).textString,
	opString:          (*unpickler).textString,

	opEmptyTuple: func(u *unpickler, _ byte) error { return u.push(pyTuple{}) },
	opTuple:      (*unpickler).tuple,
	opTuple1:     (*unpickler).tupleN,
	opTuple2:     (*unpickler).tupleN,
	opTuple3:     (*unpickler).tupleN,
	opEmptyList:  func(u *unpickler, _ byte) error { return u.push(&pyList{}) },
	opList:       (*unpickler).list,
	opAppend:     (*unpickler).appendItems,
	opAppends:    (*unpickler).appendItems,
	opEmptyDict:  func(u *unpickler, _ byte) error { return u.push(&pyDict{}) },
	opDict:       (*unpickler).setItems,
	opSetItem:    (*unpickler).setItems,
	opSetItems:   (*unpickler).setItems,

	opGlobal:      (*unpickler).globalText,
	opStackGlobal: (*unpickler).stackGlobal,
	opReduce:      (*unpickler).reduce,
	opBuild:       (*unpickler).build,
	opPersID:      (*unpickler).persistentID,
	opBinPersID:   (*unpickler).persistentID,

	opGet:        (*unpickler).memoGet,
	opBinGet:     (*unpickler).memoGet,
	opLongBinGet: (*unpickler).memoGet,
	opPut:        (*unpickler).memoPut,
	opBinPut:     (*unpickler).memoPut,
	opLongBinPut: (*unpickler).memoPut,
	opMemoize:    (*unpickler).memoPut,
}

// pushConst is the handler of an opcode that pushes the constant v.
func pushConst(v any) func(*unpickler, byte) error {
	return func(u *unpickler, _ byte) error { return u.push(v) }
}

// Framing.

func (u *unpickler) proto(byte) error {
	b, err := u.take(1)
	if err == nil && b[0] > 5 {
		err = u.errf("pickle protocol %d", b[0])
	}
	return err
}

func (u *unpickler) frame(byte) error {
	_, err := u.take(8)
	return err
}

// Stack.

// popOne is POP: it drops the top value, or an empty mark on top.
func (u *unpickler) popOne(byte) error {
	var err error
	if len(u.marks) > 0 && u.marks[len(u.marks)-1] == len(u.stack) {
		_, err = u.popMark()
	} else {
		_, err = u.pop()
	}
	return err
}

func (u *unpickler) dup(byte) error {
	v, err := u.top()
	if err != nil {
		return err
	}
	return u.push(v)
}

// Numbers.

func (u *unpickler) intText(byte) error {
	s, err := u.line()
	if err != nil {
		return err
	}
	switch s {
	case "00":
		return u.push(false)
	case "01":
		return u.push(true)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return u.errf("bad INT %q", s)
	}
	return u.push(n)
}

// binInt is BININT, BININT1 and BININT2.
func (u *unpickler) binInt(op byte) error {
	le := binary.LittleEndian
	switch op {
	case opBinInt:
		b, err := u.take(4)
		if err != nil {
			return err
		}
		return u.push(int64(int32(le.Uint32(b))))
	case opBinInt1:
		b, err := u.take(1)
		if err != nil {
			return err
		}
		return u.push(int64(b[0]))
	}
	b, err := u.take(2)
	if err != nil {
		return err
	}
	return u.push(int64(le.Uint16(b)))
}

func (u *unpickler) longText(byte) error {
	s, err := u.line()
	if err != nil {
		return err
	}
	s = strings.TrimSuffix(s, "L")
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return u.errf("bad LONG %q", s)
	}
	return u.push(longValue(n))
}

// binLong is LONG1 and LONG4.
func (u *unpickler) binLong(op byte) error {
	var n int
	if op == opLong1 {
		b, err := u.take(1)
		if err != nil {
			return err
		}
		n = int(b[0])
	} else {
		b, err := u.take(4)
		if err != nil {
			return err
		}
		n = int(int32(binary.LittleEndian.Uint32(b))) // negative: refused by take
	}
	b, err := u.take(n)
	if err != nil {
		return err
	}
	return u.push(longValue(decodeLong(b)))
}

func (u *unpickler) floatText(byte) error {
	s, err := u.line()
	if err != nil {
		return err
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return u.errf("bad FLOAT %q", s)
	}
	return u.push(f)
}

func (u *unpickler) binFloat(byte) error {
	b, err := u.take(8)
	if err != nil {
		return err
	}
	return u.push(math.Float64frombits(binary.BigEndian.Uint64(b)))
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

// Strings.

// countedString is the opcodes of a length-prefixed str or bytes value.
func (u *unpickler) countedString(op byte) error {
	n, err := u.stringLength(op)
	if err != nil {
		return err
	}
	b, err := u.take(n)
	if err != nil {
		return err
	}
	return u.push(string(b))
}

// stringLength reads the length prefix of a counted string; a length the
// input cannot hold comes back negative, for take to refuse.
func (u *unpickler) stringLength(op byte) (int, error) {
	le := binary.LittleEndian
	switch op {
	case opBinUnicode, opBinString, opBinBytes:
		b, err := u.take(4)
		if err != nil {
			return 0, err
		}
		return int(int32(le.Uint32(b))), nil
	case opShortBinUnicode, opShortBinString, opShortBinBytes:
		b, err := u.take(1)
		if err != nil {
			return 0, err
		}
		return int(b[0]), nil
	}
	b, err := u.take(8)
	if err != nil {
		return 0, err
	}
	if v := le.Uint64(b); v <= uint64(len(u.data)) {
		return int(v), nil
	}
	return -1, nil
}

// textString is UNICODE (raw) and STRING (Python-quoted).
func (u *unpickler) textString(op byte) error {
	s, err := u.line()
	if err != nil {
		return err
	}
	if op == opString {
		if uq, e := strconv.Unquote(s); e == nil {
			s = uq
		} else if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
			s = s[1 : len(s)-1]
		}
	}
	return u.push(s)
}

// Containers.

func (u *unpickler) tuple(byte) error {
	items, err := u.popMark()
	if err != nil {
		return err
	}
	return u.push(pyTuple(items))
}

// tupleN is TUPLE1, TUPLE2 and TUPLE3.
func (u *unpickler) tupleN(op byte) error {
	items, err := u.popN(int(op - opTuple1 + 1))
	if err != nil {
		return err
	}
	return u.push(pyTuple(items))
}

func (u *unpickler) list(byte) error {
	items, err := u.popMark()
	if err != nil {
		return err
	}
	return u.push(&pyList{items: items})
}

// appendItems is APPEND (one value) and APPENDS (the values above the mark).
func (u *unpickler) appendItems(op byte) error {
	var items []any
	var err error
	if op == opAppend {
		items, err = u.popN(1)
	} else {
		items, err = u.popMark()
	}
	if err != nil {
		return err
	}
	l, err := u.top()
	if err != nil {
		return err
	}
	pl, ok := l.(*pyList)
	if !ok {
		return u.errf("APPEND to %T", l)
	}
	pl.items = append(pl.items, items...)
	return nil
}

// setItems is DICT (a new dict from the pairs above the mark), SETITEM
// (one pair) and SETITEMS (the pairs above the mark).
func (u *unpickler) setItems(op byte) error {
	var items []any
	var err error
	if op == opSetItem {
		items, err = u.popN(2)
	} else {
		items, err = u.popMark()
	}
	if err != nil {
		return err
	}
	if len(items)%2 != 0 {
		return u.errf("odd number of dict items")
	}
	var d *pyDict
	if op == opDict {
		d = &pyDict{}
		if err := u.push(d); err != nil {
			return err
		}
	} else {
		t, err := u.top()
		if err != nil {
			return err
		}
		var ok bool
		if d, ok = t.(*pyDict); !ok {
			return u.errf("SETITEM on %T", t)
		}
	}
	for i := 0; i < len(items); i += 2 {
		if !hashable(items[i]) {
			return u.errf("unhashable dict key %T", items[i])
		}
		u.ops += d.set(items[i], items[i+1])
	}
	return nil
}

// Globals, calls and persistent ids.

func (u *unpickler) globalText(byte) error {
	mod, err := u.line()
	if err != nil {
		return err
	}
	name, err := u.line()
	if err != nil {
		return err
	}
	return u.global(mod, name)
}

func (u *unpickler) stackGlobal(byte) error {
	n, err := u.pop()
	if err != nil {
		return err
	}
	m, err := u.pop()
	if err != nil {
		return err
	}
	ms, ok1 := m.(string)
	ns, ok2 := n.(string)
	if !ok1 || !ok2 {
		return u.errf("STACK_GLOBAL needs two strings")
	}
	return u.global(ms, ns)
}

func (u *unpickler) reduce(byte) error {
	args, err := u.pop()
	if err != nil {
		return err
	}
	fn, err := u.pop()
	if err != nil {
		return err
	}
	v, err := u.call(fn, args)
	if err != nil {
		return err
	}
	return u.push(v)
}

// build is BUILD, which a state_dict uses to set its _metadata attribute:
// checked and ignored.
func (u *unpickler) build(byte) error {
	state, err := u.pop()
	if err != nil {
		return err
	}
	obj, err := u.top()
	if err != nil {
		return err
	}
	if _, ok := obj.(*pyDict); !ok {
		return u.errf("BUILD on %T", obj)
	}
	switch state.(type) {
	case nil, *pyDict, pyTuple:
		return nil
	}
	return u.errf("BUILD with state %T", state)
}

// persistentID is PERSID and BINPERSID: a storage, resolved by the
// container (zip record or legacy data section).
func (u *unpickler) persistentID(op byte) error {
	var pid any
	var err error
	if op == opPersID {
		pid, err = u.line()
	} else {
		pid, err = u.pop()
	}
	if err != nil {
		return err
	}
	if u.persLoad == nil {
		return u.errf("persistent id outside a checkpoint")
	}
	v, err := u.persLoad(pid)
	if err != nil {
		return err
	}
	return u.push(v)
}

// The memo.

func (u *unpickler) memoGet(op byte) error {
	idx, err := u.memoIndex(op)
	if err != nil {
		return err
	}
	v, ok := u.memo[idx]
	if !ok {
		return u.errf("memo %d not set", idx)
	}
	return u.push(v)
}

func (u *unpickler) memoPut(op byte) error {
	idx := len(u.memo)
	if op != opMemoize {
		var err error
		if idx, err = u.memoIndex(op); err != nil {
			return err
		}
	}
	v, err := u.top()
	if err != nil {
		return err
	}
	u.memo[idx] = v
	return nil
}

// memoIndex reads the index argument of GET/PUT (text), BINGET/BINPUT (one
// byte) and LONG_BINGET/LONG_BINPUT (four bytes).
func (u *unpickler) memoIndex(op byte) (int, error) {
	switch op {
	case opGet, opPut:
		s, err := u.line()
		if err != nil {
			return 0, err
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return 0, u.errf("bad memo index %q", s)
		}
		return n, nil
	case opBinGet, opBinPut:
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
