package classify

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testClassifier(t *testing.T) *Classifier {
	t.Helper()
	m, err := New(Config{Size: 32, Width: 2, Classes: []string{"sun", "rain"}})
	if err != nil {
		t.Fatal(err)
	}
	m.Init(rand.New(rand.NewPCG(1, 2)))
	return &Classifier{Model: m, Colour: []ColourStats{{Mean: [3]float64{60, 5, 20}, Std: [3]float64{20, 8, 12}}, {Mean: [3]float64{40, 0, -3}, Std: [3]float64{15, 2, 4}}}, Note: "test"}
}

func TestFileRoundTrip(t *testing.T) {
	c := testClassifier(t)
	path := filepath.Join(t.TempDir(), "c.cgc")
	if err := Write(path, c); err != nil {
		t.Fatal(err)
	}
	d, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if d.Note != c.Note || d.Config.Size != 32 || d.Config.Width != 2 || strings.Join(d.Config.Classes, ",") != "sun,rain" || d.Colour[1] != c.Colour[1] {
		t.Errorf("read back %+v %+v, want %+v %+v", d.Config, d.Colour, c.Config, c.Colour)
	}
	want, got := c.Params(), d.Params()
	for i := range want {
		for j, v := range want[i].Param.Value.Data {
			if got[i].Param.Value.Data[j] != v {
				t.Fatalf("%s[%d] = %v, want %v", want[i].Key, j, got[i].Param.Value.Data[j], v)
			}
		}
	}
}

// Every damage gives an error that names the file, never a panic or a
// silently different model.
func TestFileCorrupt(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.cgc")
	if err := Write(path, testClassifier(t)); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(path)
	hlen := len(magic) + 4
	hend := hlen + int(good[len(magic)]) + int(good[len(magic)+1])<<8
	flip := func(i int) []byte { b := append([]byte(nil), good...); b[i] ^= 0x55; return b }
	cases := map[string][]byte{
		"empty":             {},
		"magic only":        []byte(magic),
		"wrong magic":       flip(0),
		"huge header":       append([]byte(magic), 0xff, 0xff, 0xff, 0x7f),
		"header cut":        good[:hlen+10],
		"header not JSON":   flip(hlen + 1),
		"weights cut":       good[:len(good)-20],
		"weights damaged":   flip(len(good) - 30),
		"trailing garbage":  append(append([]byte(nil), good...), "xyz"...),
		"weights missing":   good[:hend],
		"wrong class count": []byte(strings.Replace(string(good), `"classes":["sun","rain"]`, `"classes":["sun","rai","x"]`, 1)),
		"wrong shape":       []byte(strings.Replace(string(good), `"shape":[2,3,4,4]`, `"shape":[2,3,4,5]`, 1)),
	}
	// A header whose checksum does not match the values (only the SHA-256
	// can tell: the Zstandard frame itself is intact).
	i := strings.Index(string(good), `"sha256":"`) + len(`"sha256":"`)
	bad := append([]byte(nil), good...)
	if bad[i] = '0'; good[i] == '0' { // another hex digit
		bad[i] = '1'
	}
	cases["checksum mismatch"] = bad
	for name, b := range cases {
		p := filepath.Join(dir, "bad.cgc")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := Read(p)
		if err == nil {
			t.Errorf("%s: read without error (%v)", name, c.Config)
			continue
		}
		if !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %q does not name the file", name, err)
		}
	}
	if _, err := Read(filepath.Join(dir, "missing.cgc")); err == nil || !strings.Contains(err.Error(), "missing.cgc") {
		t.Errorf("missing file: %v", err)
	}
}
