package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cyclegan-go/cyclegan/weights"
)

func TestImportAndInfoCommands(t *testing.T) {
	dir := t.TempDir()
	a := "../testdata/checkpoints/zip_ngf4_b2.pth"
	b := "../testdata/checkpoints/legacy_ngf4_b2.pth"
	out := filepath.Join(dir, "ab.cgw")
	if err := runImport([]string{"-a", a, "-b", b, "-o", out, "--dtype", "f16", "--from", "shine", "--to", "sunrise"}); err != nil {
		t.Fatal(err)
	}
	f, err := weights.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Meta.Generators) != 2 || f.Meta.Storage != "f16" || f.Meta.Name != "ab" || f.Meta.Generators[1].From != "sunrise" {
		t.Fatalf("metadata %+v", f.Meta)
	}
	single := filepath.Join(dir, "one.cgw")
	if err := runImport([]string{"../testdata/checkpoints/zip_ngf8_b1_dropout.pth", "-o", single}); err != nil {
		t.Fatal(err)
	}

	var buf bytes.Buffer
	if err := info(&buf, []string{out, single, "../testdata/checkpoints/legacy_ngf4_b3_dropout_stale.pth"}); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	for _, want := range []string{"CycleGAN weight file", "storage:     f16", "G_B  sunrise -> shine", "tensors:     40",
		"storage:     int8", "dropout layout", "PyTorch checkpoint (legacy serialisation)", "ngf 4, 3 blocks", "importable:  24 tensors"} {
		if !strings.Contains(s, want) {
			t.Errorf("info output lacks %q:\n%s", want, s)
		}
	}

	buf.Reset()
	err = info(&buf, []string{"../testdata/checkpoints/evil_os_system_legacy.pth"})
	if err == nil || !strings.Contains(buf.String(), "posix.system") {
		t.Errorf("evil checkpoint: %v\n%s", err, buf.String())
	}
	if err := runImport([]string{"../testdata/checkpoints/evil_os_system_zip.pth", "-o", filepath.Join(dir, "evil.cgw")}); err == nil {
		t.Error("evil checkpoint imported")
	}
	if _, err := os.Stat(filepath.Join(dir, "evil.cgw")); err == nil {
		t.Error("a refused import left a file")
	}
}
