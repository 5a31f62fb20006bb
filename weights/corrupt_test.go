package weights

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

var writeCorpus = flag.Bool("write-corpus", false, "rewrite the committed fuzz seed corpus under testdata/fuzz")

var allErrors = []error{ErrMagic, ErrVersion, ErrTruncated, ErrChecksum, ErrLength, ErrMetadata, ErrShape, ErrNonFinite, ErrMalformed}

// tinyArch keeps the seed corpus small.
var tinyArch = NewArch(1, 1, 1, 1, false)

// sealEncoder is shared: creating an encoder costs milliseconds, which would
// dominate the fuzzers' executions (and their input minimisation).
var sealEncoder, _ = zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))

// seal wraps a raw (uncompressed) body into a complete file with a valid checksum.
func seal(body []byte) []byte {
	return sealCompressed(sealEncoder.EncodeAll(body, nil))
}

func sealCompressed(z []byte) []byte {
	le := binary.LittleEndian
	out := append([]byte(Magic), le.AppendUint32(nil, Version)...)
	out = le.AppendUint32(out, 0)
	out = le.AppendUint64(out, uint64(len(z)))
	out = append(out, z...)
	sum := sha256.Sum256(out)
	return append(out, sum[:]...)
}

// rawBody returns the decompressed body of an encoded file.
func rawBody(t testing.TB, file []byte) []byte {
	zr, err := zstd.NewReader(bytes.NewReader(file[headerLen : len(file)-checksumLen]))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// bodyWithMeta replaces the metadata of a raw body.
func bodyWithMeta(body []byte, edit func(m map[string]any)) []byte {
	n := binary.LittleEndian.Uint32(body)
	var m map[string]any
	json.Unmarshal(body[4:4+n], &m)
	edit(m)
	js, _ := json.Marshal(m)
	out := binary.LittleEndian.AppendUint32(nil, uint32(len(js)))
	out = append(out, js...)
	return append(out, body[4+n:]...)
}

// firstTensor is the offset of the first tensor record in a raw body.
func firstTensor(body []byte) int { return 4 + int(binary.LittleEndian.Uint32(body)) }

type corruptCase struct {
	name string
	data []byte
	want error
}

func corruptCases(t testing.TB) []corruptCase {
	le := binary.LittleEndian
	good := encode(t, randomFile(tinyArch, "int8", 7))
	goodF32 := encode(t, randomFile(tinyArch, "f32", 7))
	body := rawBody(t, good)
	bodyF32 := rawBody(t, goodF32)
	mod := func(b []byte, f func(b []byte) []byte) []byte { return f(append([]byte(nil), b...)) }
	ft := firstTensor(body)
	nameLen := int(le.Uint16(body[ft:]))
	storageAt := ft + 2 + nameLen // storage byte, then rank, then dims
	// the first int8 tensor (a residual block's convolution): its scales follow the axis byte
	blk := bytes.Index(body, []byte("model.10.conv_block.1.weight")) - 2
	blkScales := blk + 2 + int(le.Uint16(body[blk:])) + 2 + 4*4 + 1
	ftF := firstTensor(bodyF32)
	dataAtF32 := ftF + 2 + int(le.Uint16(bodyF32[ftF:])) + 2 + 4*4

	return []corruptCase{
		{"valid-int8", good, nil},
		{"valid-f32", goodF32, nil},
		{"magic", mod(good, func(b []byte) []byte { b[0] = 'X'; return b }), ErrMagic},
		{"magic-png", []byte("\x89PNG\r\n\x1a\n and some more bytes to fill a header"), ErrMagic},
		{"magic-html", []byte("<!DOCTYPE html><html><body>404 Not Found</body></html>"), ErrMagic},
		{"version", mod(good, func(b []byte) []byte { le.PutUint32(b[8:], 2); return b }), ErrVersion},
		{"flags", mod(good, func(b []byte) []byte { le.PutUint32(b[12:], 1); return b }), ErrVersion},
		{"truncated-empty", nil, ErrTruncated},
		{"truncated-header", good[:10], ErrTruncated},
		{"truncated-body", good[:len(good)/2], ErrTruncated},
		{"truncated-checksum", good[:len(good)-5], ErrTruncated},
		{"checksum-body", mod(good, func(b []byte) []byte { b[headerLen+len(b)/3] ^= 0x10; return b }), ErrChecksum},
		{"checksum-trailer", mod(good, func(b []byte) []byte { b[len(b)-1] ^= 1; return b }), ErrChecksum},
		{"length-body", mod(good, func(b []byte) []byte { le.PutUint64(b[16:], 1<<40); return b }), ErrLength},
		{"length-meta", seal(mod(body, func(b []byte) []byte { le.PutUint32(b, 1<<30); return b })), ErrLength},
		{"length-name", seal(mod(body, func(b []byte) []byte { le.PutUint16(b[ft:], 60000); return b })), ErrLength},
		{"length-rank", seal(mod(body, func(b []byte) []byte { b[storageAt+1] = 200; return b })), ErrLength},
		{"length-params", seal(bodyWithMeta(body, func(m map[string]any) {
			g := m["generators"].([]any)[0].(map[string]any)["architecture"].(map[string]any)
			g["ngf"], g["n_blocks"] = 256, 32
		})), ErrLength},
		{"metadata-json", seal(mod(body, func(b []byte) []byte { b[4] = '['; return b })), ErrMetadata},
		{"metadata-kind", seal(bodyWithMeta(body, func(m map[string]any) {
			m["generators"].([]any)[0].(map[string]any)["architecture"].(map[string]any)["kind"] = "unet_256"
		})), ErrMetadata},
		{"metadata-storage", seal(bodyWithMeta(body, func(m map[string]any) { m["storage"] = "int4" })), ErrMetadata},
		{"shape-dims", seal(mod(body, func(b []byte) []byte { le.PutUint32(b[storageAt+2:], 2); return b })), ErrShape},
		{"shape-name", seal(mod(body, func(b []byte) []byte { b[ft+2] = 'X'; return b })), ErrShape},
		{"shape-arch", seal(bodyWithMeta(body, func(m map[string]any) {
			m["generators"].([]any)[0].(map[string]any)["architecture"].(map[string]any)["n_blocks"] = 0
		})), ErrShape},
		{"nonfinite-nan", seal(mod(bodyF32, func(b []byte) []byte {
			le.PutUint32(b[dataAtF32+8:], math.Float32bits(float32(math.NaN())))
			return b
		})), ErrNonFinite},
		{"nonfinite-inf", seal(mod(bodyF32, func(b []byte) []byte {
			le.PutUint32(b[dataAtF32:], math.Float32bits(float32(math.Inf(-1))))
			return b
		})), ErrNonFinite},
		{"nonfinite-scale", seal(mod(body, func(b []byte) []byte {
			le.PutUint32(b[blkScales:], math.Float32bits(float32(math.NaN())))
			return b
		})), ErrNonFinite},
		{"malformed-storage", seal(mod(body, func(b []byte) []byte { b[storageAt] = 9; return b })), ErrMalformed},
		{"malformed-trailing", seal(append(append([]byte(nil), body...), 0)), ErrMalformed},
		{"malformed-short", seal(body[:len(body)-3]), ErrMalformed},
		{"malformed-zstd", sealCompressed([]byte("this is not a zstd frame at all")), ErrMalformed},
		{"malformed-after-checksum", append(append([]byte(nil), good...), 0), ErrMalformed},
	}
}

func TestCorruptionCases(t *testing.T) {
	for _, c := range corruptCases(t) {
		_, err := Read(bytes.NewReader(c.data))
		if c.want == nil {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
			continue
		}
		for _, other := range allErrors {
			if other != c.want && errors.Is(err, other) {
				t.Errorf("%s: error %q also matches %v", c.name, err, other)
			}
		}
		t.Logf("%-24s %v", c.name, err)
	}
}

// TestReadFileNamesFile checks that errors name the file.
func TestReadFileNamesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broken.cgw")
	os.WriteFile(path, []byte("hello"), 0o644)
	_, err := ReadFile(path)
	if err == nil || !strings.Contains(err.Error(), path) || !errors.Is(err, ErrTruncated) {
		t.Fatalf("got %v", err)
	}
}

// TestSeedCorpus checks that the committed corpus holds every corruption
// case with the error its name says (and rewrites it with -write-corpus).
func TestSeedCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzRead")
	cases := corruptCases(t)
	if *writeCorpus {
		os.MkdirAll(dir, 0o755)
		for _, c := range cases {
			content := "go test fuzz v1\n[]byte(" + strconv.Quote(string(c.data)) + ")\n"
			if err := os.WriteFile(filepath.Join(dir, c.name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := map[string]error{}
	for _, c := range cases {
		want[c.name] = c.want
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitN(string(raw), "\n", 3)
		s := strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")")
		data, err := strconv.Unquote(s)
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		w, ok := want[e.Name()]
		if !ok {
			continue // a crasher the fuzzer found and someone committed: FuzzRead itself replays it
		}
		seen = append(seen, e.Name())
		if _, err := Read(strings.NewReader(data)); !errors.Is(err, w) || (w == nil) != (err == nil) {
			t.Errorf("corpus %s: got %v, want %v", e.Name(), err, w)
		}
	}
	sort.Strings(seen)
	if len(seen) != len(cases) {
		t.Errorf("corpus has %d of the %d cases (%v); run go test ./weights -run TestSeedCorpus -write-corpus", len(seen), len(cases), seen)
	}
}

// FuzzRead feeds arbitrary bytes to the reader, as they are and with the
// checksum repaired (so mutations reach the body parser). The reader must not
// panic, must classify every error, and what it accepts must re-encode.
func FuzzRead(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		check := func(data []byte) {
			file, err := Read(bytes.NewReader(data))
			if err != nil {
				for _, e := range allErrors {
					if errors.Is(err, e) {
						return
					}
				}
				t.Fatalf("unclassified error: %v", err)
			}
			var buf bytes.Buffer
			if err := Write(&buf, file); err != nil {
				t.Fatalf("accepted file does not re-encode: %v", err)
			}
		}
		check(data)
		if len(data) >= headerLen+checksumLen {
			fixed := append([]byte(nil), data...)
			sum := sha256.Sum256(fixed[:len(fixed)-checksumLen])
			copy(fixed[len(fixed)-checksumLen:], sum[:])
			check(fixed)
		}
	})
}

// FuzzReadBody mutates the decompressed body and seals it, so the fuzzer
// explores the metadata and tensor records directly.
func FuzzReadBody(f *testing.F) {
	f.Add(rawBody(f, encode(f, randomFile(tinyArch, "int8", 7))))
	f.Add(rawBody(f, encode(f, randomFile(tinyArch, "f16", 8))))
	f.Add(rawBody(f, encode(f, randomFile(tinyArch, "f32", 9, "G_A", "G_B"))))
	f.Fuzz(func(t *testing.T, body []byte) {
		file, err := Read(bytes.NewReader(seal(body)))
		if err != nil {
			for _, e := range allErrors {
				if errors.Is(err, e) {
					return
				}
			}
			t.Fatalf("unclassified error: %v", err)
		}
		if err := Write(io.Discard, file); err != nil {
			t.Fatalf("accepted body does not re-encode: %v", err)
		}
	})
}

var _ = fmt.Sprint

func TestBadMagicHints(t *testing.T) {
	for data, want := range map[string]string{
		"<!DOCTYPE html><html>404 page not found</html>":               "HTML",
		"PK\x03\x04\x14\x00\x00\x00\x08\x00 zip archive bytes":         "cyclegan import",
		"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19.\x80\x02M\xe9\x03.": "pickle",
	} {
		_, err := Read(strings.NewReader(data))
		if !errors.Is(err, ErrMagic) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want ErrMagic mentioning %q", data[:8], err, want)
		}
	}
}
