package weights

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// An edit changes the metadata and keeps every weight bit for bit, int8
// included (quantising the read-back weights again would move them: the
// rounding diffuses errors along each kernel).
func TestEditMetaKeepsWeights(t *testing.T) {
	for _, storage := range []string{"int8", "f16", "f32"} {
		f := randomFile(smallArch, storage, 7, "G_A", "G_B")
		orig := encode(t, f)
		before, err := Read(bytes.NewReader(orig))
		if err != nil {
			t.Fatal(err)
		}
		scale := TrainingScale{Preprocess: "resize_and_crop", LoadSize: 143, CropSize: 128}
		var out bytes.Buffer
		err = EditMeta(bytes.NewReader(orig), &out, func(m *Meta) error {
			m.TrainingScale = &scale
			m.Provenance.Notes = "stamped"
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", storage, err)
		}
		after, err := Read(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatalf("%s: the edited file does not read: %v", storage, err)
		}
		if after.Meta.TrainingScale == nil || *after.Meta.TrainingScale != scale || after.Meta.Provenance.Notes != "stamped" {
			t.Errorf("%s: metadata after the edit: %+v", storage, after.Meta)
		}
		if after.Meta.Name != before.Meta.Name || after.Meta.Generators[1] != before.Meta.Generators[1] {
			t.Errorf("%s: the edit changed what it was not asked to: %+v", storage, after.Meta)
		}
		for g := range before.Weights {
			for i, tb := range before.Weights[g] {
				ta := after.Weights[g][i]
				for k := range tb.Data {
					if math.Float32bits(ta.Data[k]) != math.Float32bits(tb.Data[k]) {
						t.Fatalf("%s: %s[%d] changed: %v → %v", storage, tb.Name, k, tb.Data[k], ta.Data[k])
					}
				}
			}
		}
	}
}

// Edits that would change how the tensors read, or that break the
// metadata's rules, are refused; a damaged input is reported as such.
func TestEditMetaRefuses(t *testing.T) {
	orig := encode(t, randomFile(smallArch, "int8", 8))
	for name, tc := range map[string]struct {
		edit func(*Meta) error
		want error
	}{
		"storage":      {func(m *Meta) error { m.Storage = "f32"; return nil }, ErrMetadata},
		"architecture": {func(m *Meta) error { m.Generators[0].Arch.NGF = 8; return nil }, ErrMetadata},
		"a generator":  {func(m *Meta) error { m.Generators = append(m.Generators, m.Generators[0]); return nil }, ErrMetadata},
		"a bad scale": {func(m *Meta) error {
			m.TrainingScale = &TrainingScale{Preprocess: "zoom", LoadSize: 1, CropSize: 1}
			return nil
		}, ErrMetadata},
		"the edit fails": {func(m *Meta) error { return os.ErrInvalid }, os.ErrInvalid},
	} {
		if err := EditMeta(bytes.NewReader(orig), &bytes.Buffer{}, tc.edit); !errors.Is(err, tc.want) {
			t.Errorf("%s: error %v, want %v", name, err, tc.want)
		}
	}
	damaged := bytes.Clone(orig)
	damaged[len(damaged)/2] ^= 1
	if err := EditMeta(bytes.NewReader(damaged), &bytes.Buffer{}, func(*Meta) error { return nil }); !errors.Is(err, ErrChecksum) {
		t.Errorf("a damaged file: error %v, want ErrChecksum", err)
	}
}

// EditMetaFile edits in place atomically: a refused edit leaves the file
// byte for byte as it was, and no temporary file behind.
func TestEditMetaFileInPlace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.cgw")
	orig := encode(t, randomFile(smallArch, "int8", 9))
	if err := os.WriteFile(path, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	err := EditMetaFile(path, path, func(m *Meta) error { m.Storage = "f16"; return nil })
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte(path)) {
		t.Errorf("refused edit: error %v, want one naming %s", err, path)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, orig) {
		t.Error("a refused edit changed the file")
	}
	if err := EditMetaFile(path, path, func(m *Meta) error { m.Name = "renamed"; return nil }); err != nil {
		t.Fatal(err)
	}
	f, err := ReadFile(path)
	if err != nil || f.Meta.Name != "renamed" {
		t.Errorf("after the edit: %v, %v", f, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files in the folder after the edits, want 1", len(entries))
	}
}
