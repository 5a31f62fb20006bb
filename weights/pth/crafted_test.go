package pth

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/cyclegan-go/cyclegan/weights"
)

// This file builds small checkpoints in code, in both serialisations, so
// that tests and fuzz seeds can hold values PyTorch never writes (element
// counts near 2^62, offsets near 2^63) without committing binaries.

// pickleWriter emits the protocol-2 opcodes torch.save uses.
type pickleWriter struct{ bytes.Buffer }

func (w *pickleWriter) op(ops string)           { w.WriteString(ops) }
func (w *pickleWriter) global(mod, name string) { w.op("c" + mod + "\n" + name + "\n") }

func (w *pickleWriter) str(s string) {
	w.op("X")
	binary.Write(w, binary.LittleEndian, uint32(len(s)))
	w.WriteString(s)
}

// int writes any int64 as LONG1 of 8 bytes (two's complement).
func (w *pickleWriter) int(n int64) {
	w.op("\x8a\x08")
	binary.Write(w, binary.LittleEndian, n)
}

func (w *pickleWriter) ints(v []int64) {
	w.op("(")
	for _, n := range v {
		w.int(n)
	}
	w.op("t")
}

// craftedView is a legacy view into a storage: (view key, offset, size).
type craftedView struct {
	key          string
	offset, size int64
}

// craftedTensor is one state_dict entry of a crafted checkpoint.
type craftedTensor struct {
	key     string
	storage string // storage key
	numel   int64  // the storage's declared element count
	data    []byte // the storage's bytes (float32)
	view    *craftedView
	offset  int64 // the tensor's storage offset
	size    []int64
	stride  []int64
}

// statePickle is the OrderedDict of tensors, as torch.save pickles it.
func statePickle(ts []craftedTensor) []byte {
	var w pickleWriter
	w.op("\x80\x02")
	w.global("collections", "OrderedDict")
	w.op(")R(")
	for _, t := range ts {
		w.str(t.key)
		w.global("torch._utils", "_rebuild_tensor_v2")
		w.op("((") // the arguments, then the persistent id
		w.str("storage")
		w.global("torch", "FloatStorage")
		w.str(t.storage)
		w.str("cpu")
		w.int(t.numel)
		if t.view != nil {
			w.op("(")
			w.str(t.view.key)
			w.int(t.view.offset)
			w.int(t.view.size)
			w.op("t")
		} else {
			w.op("N")
		}
		w.op("tQ")
		w.int(t.offset)
		w.ints(t.size)
		w.ints(t.stride)
		w.op("\x89") // requires_grad
		w.global("collections", "OrderedDict")
		w.op(")Rt") // backward hooks; end of the arguments
		w.op("R")
	}
	w.op("u.")
	return w.Bytes()
}

// craftZip is a torch >= 1.6 checkpoint: data.pkl, byteorder and one record
// per storage, stored uncompressed.
func craftZip(ts []craftedTensor) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(name string, b []byte) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "archive/" + name, Method: zip.Store})
		if err != nil {
			panic(err)
		}
		w.Write(b)
	}
	put("data.pkl", statePickle(ts))
	put("byteorder", []byte("little"))
	seen := map[string]bool{}
	for _, t := range ts {
		if !seen[t.storage] {
			seen[t.storage] = true
			put("data/"+t.storage, t.data)
		}
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// craftLegacy is a torch < 1.6 checkpoint: the magic number, the protocol,
// the system info, the state_dict, the storage keys, then each storage's
// element count and bytes.
func craftLegacy(ts []craftedTensor) []byte {
	var w pickleWriter
	w.op("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.") // 0x1950a86a20f9469cfc6c
	w.op("\x80\x02M\xe9\x03.")                                        // 1001
	w.op("\x80\x02}(")
	w.str("little_endian")
	w.op("\x88u.")
	w.Write(statePickle(ts))
	var keys []craftedTensor
	seen := map[string]bool{}
	for _, t := range ts {
		if !seen[t.storage] {
			seen[t.storage] = true
			keys = append(keys, t)
		}
	}
	w.op("\x80\x02](")
	for _, t := range keys {
		w.str(t.storage)
	}
	w.op("e.")
	for _, t := range keys {
		binary.Write(&w, binary.LittleEndian, t.numel)
		w.Write(t.data)
	}
	return w.Bytes()
}

func float32Bytes(v ...float32) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

// A 2x2 tensor over a 4-element storage, and a transposed view of it.
var craftedGood = []craftedTensor{
	{key: "a", storage: "0", numel: 4, data: float32Bytes(1, 2, 3, 4), size: []int64{2, 2}, stride: []int64{2, 1}},
	{key: "b", storage: "0", numel: 4, data: float32Bytes(1, 2, 3, 4), size: []int64{2, 2}, stride: []int64{1, 2}},
}

// A legacy view: elements 1 and 2 of a 4-element storage.
var craftedLegacyView = []craftedTensor{
	{key: "c", storage: "0", numel: 4, data: float32Bytes(1, 2, 3, 4), view: &craftedView{"v", 1, 2}, size: []int64{2}, stride: []int64{1}},
}

// TestCraftedCheckpoints checks the builders above: what they write reads
// back with the intended values, so the overflow cases below fail for the
// reason they are built for.
func TestCraftedCheckpoints(t *testing.T) {
	for format, data := range map[string][]byte{"zip": craftZip(craftedGood), "legacy": craftLegacy(craftedGood)} {
		ck, err := Parse(data)
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		want := map[string][]float32{"a": {1, 2, 3, 4}, "b": {1, 3, 2, 4}}
		if ck.Format != format || len(ck.Entries) != len(want) {
			t.Fatalf("%s: read as %s with %d entries", format, ck.Format, len(ck.Entries))
		}
		for _, e := range ck.Entries {
			checkValues(t, format, &e, want[e.Key])
		}
	}
	ck, err := Parse(craftLegacy(craftedLegacyView))
	if err != nil {
		t.Fatalf("legacy view: %v", err)
	}
	checkValues(t, "legacy view", &ck.Entries[0], []float32{2, 3})
}

func checkValues(t *testing.T, what string, e *Entry, want []float32) {
	t.Helper()
	got, err := e.Float32()
	if err != nil {
		t.Fatalf("%s %s: %v", what, e.Key, err)
	}
	if !equalFloats(got, want) {
		t.Errorf("%s %s: %v, want %v", what, e.Key, got, want)
	}
}

func equalFloats(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// overflowCase is a checkpoint whose sizes or offsets overflow int64
// arithmetic; it must be refused with the error class want.
type overflowCase struct {
	name string
	data []byte
	want error
	says string // a fragment of the error message
}

// overflowCases are the crash reproducers of the integer overflow audit
// (they are FuzzParse seeds too).
func overflowCases() []overflowCase {
	one := []int64{1}
	return []overflowCase{
		// numel x 4 bytes = 2^64 wraps to 0: an empty record passed the
		// size checks and Entry.Float32 read past it.
		{"zip storage numel 2^62", craftZip([]craftedTensor{
			{key: "w", storage: "0", numel: 1 << 62, size: one, stride: one},
		}), ErrTooLarge, "storage 0"},
		// offset + size wraps negative, so the view passed "<= numel" and
		// Entry.Float32 sliced the storage at (2^62-16) x 4 = -64.
		{"legacy view offset+size overflows", craftLegacy([]craftedTensor{
			{key: "w", storage: "0", numel: 4, data: float32Bytes(1, 2, 3, 4),
				view: &craftedView{"v", 1<<62 - 16, 1<<62 + 16}, size: one, stride: one},
		}), ErrTooLarge, "view"},
		// the second variant: offset 2^62 times 4 bytes wraps to byte 0,
		// so the view read the storage's first elements without an error.
		{"legacy view offset x element size wraps to 0", craftLegacy([]craftedTensor{
			{key: "w", storage: "0", numel: 4, data: float32Bytes(1, 2, 3, 4),
				view: &craftedView{"v", 1 << 62, 1 << 62}, size: []int64{4}, stride: one},
		}), ErrTooLarge, "view"},
		// storage offset + (size-1) x stride wraps negative, so the tensor
		// passed "last element < numel".
		{"zip tensor offset+stride overflows", craftZip([]craftedTensor{
			{key: "w", storage: "0", numel: 4, data: float32Bytes(1, 2, 3, 4),
				offset: math.MaxInt64 - 1<<30, size: []int64{2}, stride: []int64{1 << 31}},
		}), ErrTooLarge, "offset"},
		// a 2^40-element tensor over a 1-element storage (stride 0): Float32
		// would allocate 4 TB.
		{"zip expanded tensor of 2^40 elements", craftZip([]craftedTensor{
			{key: "w", storage: "0", numel: 1, data: float32Bytes(1),
				size: []int64{1 << 20, 1 << 20}, stride: []int64{0, 0}},
		}), ErrTooLarge, "elements"},
		// 8 dimensions of 2^31: the element count overflows int64.
		{"legacy element count overflows", craftLegacy([]craftedTensor{
			{key: "w", storage: "0", numel: 4, data: float32Bytes(1, 2, 3, 4),
				size: []int64{1 << 31, 1 << 31, 1 << 31, 1 << 31, 1 << 31, 1 << 31, 1 << 31, 1 << 31}, stride: make([]int64, 8)},
		}), ErrTooLarge, "elements"},
	}
}

// TestOverflowingSizesRefused: checkpoints whose sizes, offsets or element
// counts overflow are refused by Parse with ErrTooLarge naming the
// problem, and nothing panics (before the fix these panicked in
// Entry.Float32 or were read from the wrong place).
func TestOverflowingSizesRefused(t *testing.T) {
	for _, c := range overflowCases() {
		t.Run(c.name, func(t *testing.T) {
			ck, err := Parse(c.data)
			if err == nil {
				for _, e := range ck.Entries {
					if e.Len() > 1<<24 {
						continue // reading it would exhaust memory
					}
					if _, err := e.Float32(); err == nil {
						t.Errorf("entry %s reads as %v", e.Key, e.Shape)
					}
				}
				t.Fatal("accepted")
			}
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("got %v, want %v mentioning %q", err, c.want, c.says)
			}
			t.Log(err)
		})
	}
}

// deepTuple is a pickle fragment that builds a tuple nested depth levels
// deep: () then TUPLE1 depth times, one byte a level.
func deepTuple(depth int) string {
	return ")" + strings.Repeat("\x85", depth)
}

// TestDeeplyNestedValuesInErrors: an error message about a pickled value
// nested 200,000 levels deep is short and does not overflow the stack
// (fmt's %v recursed through every level: a crash, fatal and unrecoverable,
// which the lowered stack limit makes happen at this depth).
func TestDeeplyNestedValuesInErrors(t *testing.T) {
	defer debug.SetMaxStack(debug.SetMaxStack(16 << 20))
	var header pickleWriter // legacy: magic number, protocol, system info
	header.op("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.")
	header.op("\x80\x02M\xe9\x03.\x80\x02}.")
	deep := deepTuple(200000)
	for _, c := range []struct {
		name, data string
		want       error
	}{
		{"legacy protocol", "\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.\x80\x02" + deep + ".", ErrNotCheckpoint},
		{"persistent id", header.String() + "\x80\x02" + deep + "Q.", ErrPickle},
	} {
		_, err := Parse([]byte(c.data))
		if !errors.Is(err, c.want) || len(err.Error()) > 300 || !strings.Contains(err.Error(), "((((") {
			t.Errorf("%s nested 200000 deep: got %v, want a short %v", c.name, err, c.want)
		}
	}
}

// craftedGenerator is the state_dict of a small official generator (1->1
// channels, ngf 2, no residual blocks), every tensor zeros in its own
// storage; then change alters tensor 0 (model.1.weight).
func craftedGenerator(change func(t *craftedTensor)) []craftedTensor {
	var ts []craftedTensor
	for i, s := range weights.NewArch(1, 1, 2, 0, false).Tensors() {
		size := make([]int64, len(s.Shape))
		stride := make([]int64, len(s.Shape))
		n := int64(1)
		for d := len(s.Shape) - 1; d >= 0; d-- {
			size[d], stride[d] = int64(s.Shape[d]), n
			n *= int64(s.Shape[d])
		}
		ts = append(ts, craftedTensor{key: s.Name, storage: strconv.Itoa(i), numel: n, data: make([]byte, 4*n), size: size, stride: stride})
	}
	change(&ts[0])
	return ts
}

// TestOverflowingGeneratorImport: the overflow reproducers as generator
// checkpoints, through Import (what `cyclegan import` and `info` run),
// which panicked in Entry.Float32 before the fix.
func TestOverflowingGeneratorImport(t *testing.T) {
	importFile := func(t *testing.T, data []byte) (string, error) {
		path := filepath.Join(t.TempDir(), "G.pth")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Import(Options{}, Input{Key: "G_A", Path: path})
		return path, err
	}
	if _, err := importFile(t, craftZip(craftedGenerator(func(*craftedTensor) {}))); err != nil {
		t.Fatalf("the unchanged generator: %v", err)
	}
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"zip storage numel 2^62", craftZip(craftedGenerator(func(t *craftedTensor) {
			t.numel, t.data = 1<<62, nil
		}))},
		{"legacy view offset+size overflows", craftLegacy(craftedGenerator(func(t *craftedTensor) {
			t.view = &craftedView{"v", 1<<62 - 16, 1<<62 + 16}
		}))},
	} {
		t.Run(c.name, func(t *testing.T) {
			path, err := importFile(t, c.data)
			if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), path) {
				t.Fatalf("got %v, want ErrTooLarge naming %s", err, path)
			}
		})
	}
}
