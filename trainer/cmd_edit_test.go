package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `cyclegan edit --training_scale` gives an older file a record, after
// which translate runs it at that scale; full-resolution output is the same
// before and after (the weights are untouched); refusals leave the file
// as it was.
func TestEditTrainingScale(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.cgw")
	writeModel(t, model, tinyRGB, "G_A")
	photo := filepath.Join(dir, "p.png")
	writePNGSize(t, photo, 100, 75)
	full := func(out string) []byte {
		t.Helper()
		if _, stderr, code := runCmd(t, "translate", "-w", model, "--scale", "full", "-o", out, photo); code != 0 {
			t.Fatalf("translate: status %d: %s", code, stderr)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	before := full(filepath.Join(dir, "before.png"))
	orig, _ := os.ReadFile(model)

	for _, bad := range [][]string{{"--training_scale", "zoom:50"}, {"--training_scale", "resize_and_crop"}, {}} {
		args := append([]string{"edit"}, append(bad, model)...)
		if _, stderr, code := runCmd(t, args...); code == 0 || stderr == "" {
			t.Errorf("%v: status %d, stderr %q; want a refusal", args, code, stderr)
		}
		if now, _ := os.ReadFile(model); !bytes.Equal(now, orig) {
			t.Fatalf("%v changed the file", args)
		}
	}

	stdout, stderr, code := runCmd(t, "edit", "--training_scale", "resize_and_crop:50:32", model)
	if code != 0 || !strings.Contains(stdout, "photos resized to 50×50, 32×32 crops") {
		t.Fatalf("edit: status %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if _, stderr, code := runCmd(t, "translate", "-w", model, "-o", filepath.Join(dir, "scaled.png"), photo); code != 0 || !strings.Contains(stderr, "at the model's scale, 58×43") {
		t.Errorf("translate after the edit: status %d, stderr %q", code, stderr)
	}
	if after := full(filepath.Join(dir, "after.png")); !bytes.Equal(after, before) {
		t.Error("the full-resolution translation changed with the edit: the weights moved")
	}

	// -o writes a copy and leaves the input; "none" removes the record.
	copyPath := filepath.Join(dir, "copy.cgw")
	if _, stderr, code := runCmd(t, "edit", "-o", copyPath, "--training_scale", "none", model); code != 0 {
		t.Fatalf("edit -o: status %d: %s", code, stderr)
	}
	for path, want := range map[string]string{model: "photos resized to 50×50", copyPath: "not recorded"} {
		if stdout, _, _ := runCmd(t, "info", path); !strings.Contains(stdout, want) {
			t.Errorf("info %s lacks %q:\n%s", path, want, stdout)
		}
	}
}
