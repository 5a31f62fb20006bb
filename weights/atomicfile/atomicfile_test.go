package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteReplacesWholeFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.bin")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Write(path, ".tmp*", func(f *os.File) error {
		_, err := f.WriteString("new content")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new content" {
		t.Errorf("file holds %q", b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d entries left in the folder, want 1", len(ents))
	}
}

func TestWriteFailureLeavesOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.bin")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(path, ".part*", func(f *os.File) error {
		f.WriteString("half")
		return boom
	})
	if err != boom {
		t.Fatalf("error %v, want the fill error unchanged", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("file holds %q after a failed write", b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d entries left in the folder, want 1 (temporary file not removed)", len(ents))
	}
}

func TestWriteBytesIsWorldReadable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "picture.png")
	if err := WriteBytes(path, []byte("pixels")); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644 (os.CreateTemp alone gives 0600)", st.Mode().Perm())
	}
	if b, _ := os.ReadFile(path); string(b) != "pixels" {
		t.Errorf("file holds %q", b)
	}
	// An unwritable folder is an error that leaves nothing behind.
	if err := WriteBytes(filepath.Join(dir, "missing", "x.png"), []byte("x")); err == nil {
		t.Error("writing into a missing folder succeeded")
	}
}
