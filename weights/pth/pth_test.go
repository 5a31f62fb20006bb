package pth

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cyclegan-go/cyclegan/nn"
	"github.com/cyclegan-go/cyclegan/weights"
)

const fixtures = "../../testdata/checkpoints"

type fixtureCase struct {
	Name, File, Format string
	InputNC            int `json:"input_nc"`
	OutputNC           int `json:"output_nc"`
	NGF                int
	NBlocks            int  `json:"n_blocks"`
	Dropout            bool `json:"dropout"`
	Stale              bool `json:"stale_buffers"`
	Module             bool `json:"module_prefix"`
	Params             int
	Input, Output      string
	Shape              []int
}

type manifest struct {
	Torch      string
	EvilMarker string `json:"evil_marker"`
	Cases      []fixtureCase
}

func readManifest(t *testing.T) manifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Cases) == 0 {
		t.Fatal("manifest has no cases")
	}
	return m
}

func readF32(t *testing.T, name string) []float32 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, name))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

// TestImportMatchesPyTorch imports every fixture checkpoint, stores it as
// float32, reads it back, translates the fixture input and compares with
// PyTorch's output: at most 1e-4 absolute difference.
func TestImportMatchesPyTorch(t *testing.T) {
	m := readManifest(t)
	formats := map[string]int{}
	for _, c := range m.Cases {
		t.Run(c.Name, func(t *testing.T) {
			path := filepath.Join(fixtures, c.File)
			ck, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if ck.Format != c.Format {
				t.Errorf("format %s, want %s", ck.Format, c.Format)
			}
			formats[ck.Format]++
			f, err := Import(Options{Name: c.Name, From: "a", To: "b", Storage: "f32"}, Input{Key: "G_A", Path: path})
			if err != nil {
				t.Fatal(err)
			}
			want := weights.NewArch(c.InputNC, c.OutputNC, c.NGF, c.NBlocks, c.Dropout)
			if got := f.Meta.Generators[0].Arch; got != want {
				t.Fatalf("inferred %+v, want %+v", got, want)
			}
			if f.Params() != c.Params {
				t.Errorf("%d parameters, PyTorch counts %d", f.Params(), c.Params)
			}
			var buf bytes.Buffer
			if err := weights.Write(&buf, f); err != nil {
				t.Fatal(err)
			}
			r, err := weights.Read(&buf)
			if err != nil {
				t.Fatal(err)
			}
			g, err := r.Generator(0)
			if err != nil {
				t.Fatal(err)
			}
			x := nn.FromData(readF32(t, c.Input), c.Shape...)
			y, err := g.Forward(x)
			if err != nil {
				t.Fatal(err)
			}
			ref := readF32(t, c.Output)
			if len(ref) != len(y.Data) {
				t.Fatalf("output has %d values, PyTorch %d", len(y.Data), len(ref))
			}
			maxDiff := 0.0
			for i := range ref {
				maxDiff = math.Max(maxDiff, math.Abs(float64(y.Data[i]-ref[i])))
			}
			if maxDiff > 1e-4 {
				t.Fatalf("max |Go - PyTorch| = %g > 1e-4", maxDiff)
			}
			t.Logf("%s %s: max |Go - PyTorch| = %.2g", c.Format, want.Kind, maxDiff)
		})
	}
	if formats["zip"] == 0 || formats["legacy"] == 0 {
		t.Errorf("fixtures must cover both serialisations, have %v", formats)
	}
}

// TestForbiddenGlobal: a checkpoint whose pickle calls os.system is refused
// with an error naming the global, and the command does not run.
func TestForbiddenGlobal(t *testing.T) {
	m := readManifest(t)
	os.Remove(m.EvilMarker)
	for _, name := range []string{"evil_os_system_zip.pth", "evil_os_system_legacy.pth"} {
		_, err := Load(filepath.Join(fixtures, name))
		if !errors.Is(err, ErrForbiddenGlobal) || !strings.Contains(err.Error(), "posix.system") {
			t.Errorf("%s: got %v, want ErrForbiddenGlobal naming posix.system", name, err)
		}
		_, err = Import(Options{}, Input{Key: "G_A", Path: filepath.Join(fixtures, name)})
		if !errors.Is(err, ErrForbiddenGlobal) || !strings.Contains(err.Error(), name) {
			t.Errorf("import %s: got %v", name, err)
		}
	}
	if _, err := os.Stat(m.EvilMarker); err == nil {
		t.Fatalf("%s exists: the pickled command ran", m.EvilMarker)
	}
}

// TestForbiddenGlobalsCrafted runs hand-made pickles through the unpickler.
func TestForbiddenGlobalsCrafted(t *testing.T) {
	for _, tc := range []struct {
		pickle string
		want   error
		name   string
	}{
		{"\x80\x02cbuiltins\neval\nq\x00X\x04\x00\x00\x001+1q\x01\x85q\x02Rq\x03.", ErrForbiddenGlobal, "builtins.eval"},
		{"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x8c\x06system\x93.", ErrForbiddenGlobal, "os.system"},
		{"\x80\x02ctorch\nload\n.", ErrForbiddenGlobal, "torch.load"},
		{"\x80\x02ccollections\nOrderedDict\n)R\x8a\x00.", ErrPickle, ""}, // values left on the stack
		{"\x80\x02]\x8b\xff\xff\xff\x7f.", ErrPickle, ""},                 // LONG4 longer than the input
		{"\x80\x02X\xff\xff\xff\xff.", ErrPickle, ""},                     // negative string length
		{"\x80\x02(ccollections\nOrderedDict\no.", ErrPickle, ""},         // OBJ opcode
		{"\x80\x02h\x05.", ErrPickle, ""},                                 // memo not set
	} {
		u := &unpickler{data: []byte(tc.pickle)}
		_, err := u.load()
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%q: got %v, want %v naming %q", tc.pickle, err, tc.want, tc.name)
		}
	}
}

func TestTwoDirections(t *testing.T) {
	a := filepath.Join(fixtures, "zip_ngf4_b2.pth")
	b := filepath.Join(fixtures, "legacy_ngf4_b2.pth")
	f, err := Import(Options{Name: "a2b", From: "shine", To: "sunrise", Storage: "int8"}, Input{"G_A", a}, Input{"G_B", b})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := weights.Write(&buf, f); err != nil {
		t.Fatal(err)
	}
	r, err := weights.Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	gs := r.Meta.Generators
	if len(gs) != 2 || gs[0].Key != "G_A" || gs[0].From != "shine" || gs[0].To != "sunrise" || gs[1].From != "sunrise" || gs[1].To != "shine" {
		t.Fatalf("generators %+v", gs)
	}
	if r.Meta.Provenance.Source != "imported" || len(r.Meta.Provenance.Imported) != 2 || r.Meta.Storage != "int8" {
		t.Fatalf("provenance %+v", r.Meta)
	}
}

func TestRejectsDamagedCheckpoints(t *testing.T) {
	for _, name := range []string{"zip_ngf4_b2.pth", "legacy_ngf4_b2.pth"} {
		data, err := os.ReadFile(filepath.Join(fixtures, name))
		if err != nil {
			t.Fatal(err)
		}
		for _, cut := range []int{0, 3, 100, len(data) / 2, len(data) - 30, len(data) - 1} {
			ck, err := Parse(data[:cut])
			if err == nil {
				if _, _, err = Generator(ck); err == nil {
					t.Errorf("%s cut at %d: accepted", name, cut)
				}
			}
		}
	}
	if _, err := Parse([]byte("hello")); !errors.Is(err, ErrNotCheckpoint) {
		t.Errorf("text: %v", err)
	}
}

func TestInferenceErrors(t *testing.T) {
	ck, err := Load(filepath.Join(fixtures, "zip_ngf4_b2.pth"))
	if err != nil {
		t.Fatal(err)
	}
	drop := func(key string) *Checkpoint {
		c := &Checkpoint{Format: ck.Format}
		for _, e := range ck.Entries {
			if e.Key != key {
				c.Entries = append(c.Entries, e)
			}
		}
		return c
	}
	if _, _, err := Generator(drop("model.11.conv_block.5.bias")); !errors.Is(err, ErrArchitecture) || !strings.Contains(err.Error(), "model.11.conv_block.5.bias") {
		t.Errorf("missing bias: %v", err)
	}
	extra := &Checkpoint{Entries: append(append([]Entry(nil), ck.Entries...), Entry{Key: "model.2.weight", Shape: []int{4}})}
	if _, _, err := Generator(extra); !errors.Is(err, ErrArchitecture) {
		t.Errorf("affine norm: %v", err)
	}
	unet := &Checkpoint{Entries: []Entry{{Key: "model.model.0.weight", Shape: []int{64, 3, 4, 4}}}}
	if _, _, err := Generator(unet); !errors.Is(err, ErrArchitecture) || !strings.Contains(err.Error(), "U-Net") {
		t.Errorf("unet: %v", err)
	}
}

// TestEntryFloat32Conversions covers the storage types and strided views
// that state_dicts can hold (float16, bfloat16, float64, a transposed view).
func TestEntryFloat32Conversions(t *testing.T) {
	le := binary.LittleEndian
	mk := func(dt dtype, data []byte, numel int64, off int64, shape []int, stride []int64) *Entry {
		s := &storage{key: "0", dtype: dt, numel: numel, data: data}
		tr, err := rebuildTensor(&storageView{s: s, numel: numel}, off, toTuple(shape), toTuple64(stride))
		if err != nil {
			t.Fatal(err)
		}
		ref := tr.(*tensorRef)
		return &Entry{Key: "x", DType: dt.name, Shape: ref.shape, t: ref}
	}
	var half, bf, f64, f32 []byte
	for _, h := range []uint16{0x3c00, 0xc000, 0x0001, 0x7bff} { // 1, -2, 2^-24, 65504
		half = le.AppendUint16(half, h)
	}
	for _, v := range []float32{1.5, -3} {
		bf = le.AppendUint16(bf, uint16(math.Float32bits(v)>>16))
	}
	f64 = le.AppendUint64(f64, math.Float64bits(0.25))
	for i := range 6 {
		f32 = le.AppendUint32(f32, math.Float32bits(float32(i)))
	}
	for _, tc := range []struct {
		e    *Entry
		want []float32
	}{
		{mk(dtype{"float16", 2}, half, 4, 0, []int{4}, []int64{1}), []float32{1, -2, 5.960464477539063e-08, 65504}},
		{mk(dtype{"bfloat16", 2}, bf, 2, 0, []int{2}, []int64{1}), []float32{1.5, -3}},
		{mk(dtype{"float64", 8}, f64, 1, 0, []int{1}, []int64{1}), []float32{0.25}},
		// a 3x2 transposed view of a 2x3 matrix 0..5, starting at offset 0
		{mk(dtype{"float32", 4}, f32, 6, 0, []int{3, 2}, []int64{1, 3}), []float32{0, 3, 1, 4, 2, 5}},
		{mk(dtype{"float32", 4}, f32, 6, 4, []int{2}, []int64{1}), []float32{4, 5}},
	} {
		got, err := tc.e.Float32()
		if err != nil {
			t.Fatal(err)
		}
		for i := range tc.want {
			if got[i] != tc.want[i] {
				t.Errorf("%s %v: got %v, want %v", tc.e.DType, tc.e.Shape, got, tc.want)
				break
			}
		}
	}
	// A view that reaches past its storage is refused.
	s := &storage{key: "0", dtype: dtype{"float32", 4}, numel: 6, data: f32}
	if _, err := rebuildTensor(&storageView{s: s, numel: 6}, int64(2), toTuple([]int{2, 3}), toTuple64([]int64{3, 1})); !errors.Is(err, ErrPickle) {
		t.Errorf("out-of-bounds view: %v", err)
	}
	ints := mk(dtype{"int64", 8}, make([]byte, 8), 1, 0, []int{1}, []int64{1})
	if _, err := ints.Float32(); err == nil {
		t.Error("int64 tensor converted to float32")
	}
}

func toTuple(v []int) pyTuple {
	t := pyTuple{}
	for _, x := range v {
		t = append(t, int64(x))
	}
	return t
}

func toTuple64(v []int64) pyTuple {
	t := pyTuple{}
	for _, x := range v {
		t = append(t, x)
	}
	return t
}

// TestManyDictItems: building a dict costs work linear in its items (a
// quadratic dict would make a small hostile file take hours). The
// unpickler counts its work (opcodes run, values moved off the stack, dict
// keys looked at), so this is a deterministic check, not a timing: ten
// times the items may cost at most ten times the work, plus a constant.
func TestManyDictItems(t *testing.T) {
	work := func(n int) int {
		// Half the items in one SETITEMS, half by one SETITEM each.
		var b bytes.Buffer
		b.WriteString("\x80\x02}(")
		item := func(i int) {
			b.WriteString("J")
			binary.Write(&b, binary.LittleEndian, int32(i))
			b.WriteString("N")
		}
		for i := range n / 2 {
			item(i)
		}
		b.WriteString("u")
		for i := n / 2; i < n; i++ {
			item(i)
			b.WriteString("s")
		}
		b.WriteString(".")
		u := &unpickler{data: b.Bytes()}
		v, err := u.load()
		if err != nil {
			t.Fatal(err)
		}
		if d := v.(*pyDict); len(d.keys) != n {
			t.Fatalf("%d keys, want %d", len(d.keys), n)
		}
		return u.ops
	}
	const n = 20000
	small, large := work(n), work(10*n)
	t.Logf("%d items: %d operations; %d items: %d", n, small, 10*n, large)
	if large > 10*small+100 {
		t.Errorf("10x the dict items cost %.1fx the work: not linear", float64(large)/float64(small))
	}
}
