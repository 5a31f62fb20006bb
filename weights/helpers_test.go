package weights

import (
	"bytes"
	"math/rand"
	"testing"
)

// randomFile builds a file for arch with N(0, 0.02) weights and small biases.
func randomFile(arch Arch, storage string, seed int64, keys ...string) *File {
	rng := rand.New(rand.NewSource(seed))
	if len(keys) == 0 {
		keys = []string{"G_A"}
	}
	f := &File{Meta: Meta{Name: "test", Storage: storage, Provenance: Provenance{Source: "trained", Date: "2026-01-01T00:00:00Z"}}}
	for _, k := range keys {
		f.Meta.Generators = append(f.Meta.Generators, GeneratorMeta{Key: k, From: "a", To: "b", Arch: arch})
		var ts []Tensor
		for _, s := range arch.Tensors() {
			t := Tensor{Name: s.Name, Shape: s.Shape, Data: make([]float32, s.Len())}
			for i := range t.Data {
				t.Data[i] = float32(rng.NormFloat64() * 0.02)
			}
			ts = append(ts, t)
		}
		f.Weights = append(f.Weights, ts)
	}
	return f
}

func encode(t testing.TB, f *File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, f); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var smallArch = NewArch(3, 3, 4, 2, false)
