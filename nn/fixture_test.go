package nn

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// fixture is one PyTorch reference case from testdata/nn, written by
// testdata/pytorch/gen_nn_fixtures.py in safetensors layout: an 8-byte
// little-endian header length, a JSON header mapping each tensor name to
// {dtype "F32", shape, data_offsets [begin, end)} plus "__metadata__"
// (string → string), then the raw little-endian float32 data.
type fixture struct {
	path    string
	meta    map[string]string
	tensors map[string]*Tensor
}

// fixtureDir is where the committed fixtures live, relative to this package.
var fixtureDir = filepath.Join("..", "testdata", "nn")

// readFixture parses one fixture file; every problem is an error naming the file.
func readFixture(path string) (*fixture, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(raw) < 8 {
		return nil, fmt.Errorf("%s: %d bytes, too short for a safetensors header", path, len(raw))
	}
	n := binary.LittleEndian.Uint64(raw[:8])
	if n > uint64(len(raw)-8) {
		return nil, fmt.Errorf("%s: header length %d exceeds file size %d", path, n, len(raw))
	}
	var header map[string]json.RawMessage
	if err := json.Unmarshal(raw[8:8+n], &header); err != nil {
		return nil, fmt.Errorf("%s: header: %v", path, err)
	}
	data := raw[8+n:]
	f := &fixture{path: path, meta: map[string]string{}, tensors: map[string]*Tensor{}}
	for name, msg := range header {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &f.meta); err != nil {
				return nil, fmt.Errorf("%s: __metadata__: %v", path, err)
			}
			continue
		}
		var e struct {
			Dtype       string   `json:"dtype"`
			Shape       []int    `json:"shape"`
			DataOffsets [2]int64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, fmt.Errorf("%s: tensor %q: %v", path, name, err)
		}
		if e.Dtype != "F32" {
			return nil, fmt.Errorf("%s: tensor %q: dtype %s, want F32", path, name, e.Dtype)
		}
		count := int64(1)
		for _, d := range e.Shape {
			if d < 0 {
				return nil, fmt.Errorf("%s: tensor %q: negative dimension in %v", path, name, e.Shape)
			}
			count *= int64(d)
		}
		b, end := e.DataOffsets[0], e.DataOffsets[1]
		if b < 0 || end < b || end > int64(len(data)) || end-b != 4*count {
			return nil, fmt.Errorf("%s: tensor %q: data_offsets %v do not fit shape %v in %d data bytes",
				path, name, e.DataOffsets, e.Shape, len(data))
		}
		vals := make([]float32, count)
		for i := range vals {
			vals[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[b+4*int64(i):]))
		}
		f.tensors[name] = FromData(vals, e.Shape...)
	}
	return f, nil
}

// loadFixture reads testdata/nn/<name>.safetensors or fails the test.
func loadFixture(t testing.TB, name string) *fixture {
	t.Helper()
	f, err := readFixture(filepath.Join(fixtureDir, name+".safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// has reports whether the fixture holds tensor name.
func (f *fixture) has(name string) bool { _, ok := f.tensors[name]; return ok }

// tensor returns tensor name or fails the test.
func (f *fixture) tensor(t testing.TB, name string) *Tensor {
	t.Helper()
	x, ok := f.tensors[name]
	if !ok {
		t.Fatalf("%s: no tensor %q", f.path, name)
	}
	return x
}

// metaInt returns the integer metadata entry key or fails the test.
func (f *fixture) metaInt(t testing.TB, key string) int {
	t.Helper()
	s, ok := f.meta[key]
	if !ok {
		t.Fatalf("%s: no metadata %q", f.path, key)
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%s: metadata %q = %q: %v", f.path, key, s, err)
	}
	return v
}

// metaKeys returns the ordered state_dict keys stored by the generator script.
func (f *fixture) metaKeys(t testing.TB) []string {
	t.Helper()
	var keys []string
	if err := json.Unmarshal([]byte(f.meta["keys"]), &keys); err != nil {
		t.Fatalf("%s: metadata keys: %v", f.path, err)
	}
	return keys
}

func TestFixtureReaderRejectsBadFiles(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(filepath.Join(fixtureDir, "relu.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readFixture(filepath.Join(fixtureDir, "relu.safetensors")); err != nil {
		t.Fatalf("good file: %v", err)
	}
	cases := map[string][]byte{
		"short":     good[:5],
		"truncated": good[:len(good)-4],
		"hugeheader": append([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
			good[8:]...),
	}
	for name, b := range cases {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := readFixture(p); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
