package pth

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cyclegan-go/cyclegan/weights"
)

// errorClasses are the errors a checkpoint may be refused with; FuzzParse
// fails on any other.
var errorClasses = []error{ErrNotCheckpoint, ErrPickle, ErrForbiddenGlobal, ErrTooLarge, ErrDType, ErrArchitecture, weights.ErrNonFinite}

// FuzzParse feeds arbitrary bytes to the checkpoint reader, as they are
// and, for a zip archive, re-packed with correct checksums and sizes (so
// mutations reach the pickle and storage code of zip checkpoints, not just
// zip's CRC check). A checkpoint that parses goes on through generator
// inference and has every tensor read. Nothing may panic, every error must
// be one of errorClasses, and every tensor read must have its shape's
// number of elements.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"evil_os_system_zip.pth", "evil_os_system_legacy.pth", "zip_ngf4_b0_3to1.pth", "legacy_ngf4_b1_module_1to3.pth"} {
		b, err := os.ReadFile(filepath.Join(fixtures, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	// Crafted checkpoints write every integer as an 8-byte LONG1, so that
	// one mutated byte makes an element count, offset or stride huge.
	f.Add(craftZip(craftedGood))
	f.Add(craftLegacy(craftedGood))
	f.Add(craftZip(craftedGood[:1])) // one declaration of the storage
	f.Add(craftLegacy(craftedGood[:1]))
	f.Add(craftLegacy(craftedLegacyView))
	for _, c := range overflowCases() {
		f.Add(c.data) // the crashes of the integer overflow audit
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkCheckpoint(t, data)
		if fixed := repairZip(data); fixed != nil {
			checkCheckpoint(t, fixed)
		}
	})
}

// maxFuzzElements bounds the tensor elements FuzzParse reads per input
// (entries may share one storage, so their total is not bounded by the
// input's size).
const maxFuzzElements = 1 << 22

// checkCheckpoint parses data, infers the generator and reads every tensor.
func checkCheckpoint(t *testing.T, data []byte) {
	t.Helper()
	ck, err := Parse(data)
	if err != nil {
		mustClassify(t, "Parse", err)
		return
	}
	if _, _, err := Generator(ck); err != nil {
		mustClassify(t, "Generator", err)
	}
	for i := range ck.Entries {
		checkLayout(t, &ck.Entries[i])
	}
	budget := maxFuzzElements
	for _, e := range ck.Entries {
		if budget -= e.Len(); budget < 0 {
			break
		}
		v, err := e.Float32()
		if err != nil {
			mustClassify(t, "Float32 of "+e.Key, err)
			continue
		}
		if len(v) != e.Len() {
			t.Fatalf("entry %s of shape %v reads %d values", e.Key, e.Shape, len(v))
		}
	}
}

// checkLayout checks, in exact arithmetic, what Parse promises about an
// entry: its storage holds numel x element size bytes, its view lies in the
// storage, and its elements in the view. An overflow that slips past the
// checks shows here even where it reads nothing out of bounds.
func checkLayout(t *testing.T, e *Entry) {
	t.Helper()
	r := e.t
	s, v := r.view.s, r.view
	n := func(x int64) *big.Int { return big.NewInt(x) }
	if got, want := n(int64(len(s.data))), new(big.Int).Mul(n(s.numel), n(int64(s.dtype.size))); got.Cmp(want) != 0 {
		t.Fatalf("entry %s: storage %s of %d elements holds %v bytes, not %v", e.Key, s.key, s.numel, got, want)
	}
	if end := new(big.Int).Add(n(v.offset), n(v.numel)); v.offset < 0 || end.Cmp(n(s.numel)) > 0 {
		t.Fatalf("entry %s: view of %d at %d in a storage of %d", e.Key, v.numel, v.offset, s.numel)
	}
	count, last := n(1), n(r.offset)
	for i, d := range r.shape {
		count.Mul(count, n(int64(d)))
		if d > 0 {
			last.Add(last, new(big.Int).Mul(n(int64(d-1)), n(r.stride[i])))
		}
	}
	if count.Cmp(n(r.numel)) != 0 || count.Cmp(n(int64(e.Len()))) != 0 {
		t.Fatalf("entry %s of shape %v: %d elements, Len %d", e.Key, r.shape, r.numel, e.Len())
	}
	if count.Sign() > 0 && (r.offset < 0 || last.Cmp(n(v.numel)) >= 0) {
		t.Fatalf("entry %s of shape %v, stride %v, offset %d: last element %v outside its view of %d", e.Key, r.shape, r.stride, r.offset, last, v.numel)
	}
}

func mustClassify(t *testing.T, what string, err error) {
	t.Helper()
	for _, c := range errorClasses {
		if errors.Is(err, c) {
			return
		}
	}
	t.Fatalf("%s: unclassified error: %v", what, err)
}

// repairZip re-packs a (possibly mutated) zip archive into a well-formed
// one: each local file header's name, with the bytes from its end to the
// next zip signature, becomes a stored record with the right CRC and
// sizes. It returns nil for data that does not start like a zip archive.
func repairZip(data []byte) []byte {
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for pos := 0; pos+30 <= len(data); {
		h := data[pos:] // a local file header: name and extra lengths at 26 and 28
		nameLen := int(binary.LittleEndian.Uint16(h[26:]))
		start := 30 + nameLen + int(binary.LittleEndian.Uint16(h[28:]))
		if start > len(h) {
			break
		}
		end := start + nextSignature(h[start:])
		w, err := zw.CreateHeader(&zip.FileHeader{Name: string(h[30 : 30+nameLen]), Method: zip.Store})
		if err != nil {
			break
		}
		w.Write(h[start:end])
		next := bytes.Index(h[end:], []byte("PK\x03\x04"))
		if next < 0 {
			break
		}
		pos += end + next
	}
	if zw.Close() != nil {
		return nil
	}
	return buf.Bytes()
}

// nextSignature is the position of the first zip signature in b (local
// header, data descriptor, central directory, end records), or len(b).
func nextSignature(b []byte) int {
	for i := 0; ; {
		j := bytes.Index(b[i:], []byte("PK"))
		if j < 0 || i+j+4 > len(b) {
			return len(b)
		}
		switch string(b[i+j+2 : i+j+4]) {
		case "\x03\x04", "\x07\x08", "\x01\x02", "\x06\x06", "\x06\x07", "\x05\x06":
			return i + j
		}
		i += j + 1
	}
}

// TestRepairZip: re-packing a checkpoint changes nothing it holds, and a
// checkpoint with a damaged record (which zip's CRC check refuses) reads
// again once repaired, so FuzzParse's mutations of a zip checkpoint get
// past the CRC check.
func TestRepairZip(t *testing.T) {
	for _, name := range []string{"zip_ngf4_b0_3to1.pth", "zip_ngf8_b1_dropout.pth"} {
		data, err := os.ReadFile(filepath.Join(fixtures, name))
		if err != nil {
			t.Fatal(err)
		}
		want := tensorsOf(t, data)
		if got := tensorsOf(t, repairZip(data)); !sameTensors(got, want) {
			t.Fatalf("%s: re-packing changed the tensors", name)
		}
		// A changed dimension in data.pkl (model.1.bias has size 4 or 8:
		// BININT1 4 or 8 then TUPLE1), and a flipped bit in the last byte
		// of the first storage record (the one before the second data
		// descriptor).
		bias := []byte("K\x04\x85")
		if name == "zip_ngf8_b1_dropout.pth" {
			bias = []byte("K\x08\x85")
		}
		pkl := bytes.Index(data, bias)
		desc := []byte("PK\x07\x08")
		first := bytes.Index(data, desc) + len(desc)
		last := first + bytes.Index(data[first:], desc) - 1
		for _, at := range []int{pkl + 1, last} {
			damaged := append([]byte(nil), data...)
			damaged[at] ^= 1
			if _, err := Parse(damaged); !errors.Is(err, ErrPickle) || !strings.Contains(err.Error(), "checksum") {
				t.Fatalf("%s: damaged at byte %d: got %v, want a checksum error", name, at, err)
			}
			fixed := repairZip(damaged)
			if at == last {
				if got := tensorsOf(t, fixed); sameTensors(got, want) {
					t.Errorf("%s: the flipped bit is not in the repaired archive", name)
				}
				continue
			}
			if _, err := Parse(fixed); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "tensor of size [") {
				t.Errorf("%s: repaired data.pkl with a changed size: %v", name, err)
			}
		}
	}
}

func sameTensors(a, b map[string][]float32) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !equalFloats(v, b[k]) {
			return false
		}
	}
	return true
}

// tensorsOf reads every tensor of a checkpoint.
func tensorsOf(t *testing.T, data []byte) map[string][]float32 {
	t.Helper()
	ck, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]float32{}
	for _, e := range ck.Entries {
		if out[e.Key], err = e.Float32(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
