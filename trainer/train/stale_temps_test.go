package train

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Temporary files of atomic writes that a killed run left behind (a 0-byte
// .loss.png.tmp123, half a checkpoint) are removed when training starts,
// and the log says so; files that merely look alike stay.
func TestStaleTemporariesRemovedOnStart(t *testing.T) {
	root := t.TempDir()
	o := tinyOptions(t, root)
	run := o.RunDir()
	stale := []string{".loss.png.tmp2401", ".state_000000004.ckpt.99817.tmp", ".tiny.cgw.tmp7", filepath.Join("samples", ".epoch_001.png.tmp3")}
	kept := []string{"loss.png.tmp1", ".loss.png.tmp", ".loss.png.tmpx", ".notes.txt", "my.tmp", filepath.Join("samples", "epoch_001.png")}
	for _, name := range append(append([]string{}, stale...), kept...) {
		p := filepath.Join(run, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var log bytes.Buffer
	r, err := Setup(o, &log)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Train(context.Background(), Hooks{Log: &log}, 1); err != nil {
		t.Fatal(err)
	}
	for _, name := range stale {
		if _, err := os.Stat(filepath.Join(run, name)); !os.IsNotExist(err) {
			t.Errorf("stale temporary %s still there (%v)", name, err)
		}
		if !strings.Contains(log.String(), filepath.Join(run, name)) {
			t.Errorf("the log does not name the removed %s:\n%s", name, log.String())
		}
	}
	for _, name := range kept {
		if _, err := os.Stat(filepath.Join(run, name)); err != nil {
			t.Errorf("%s, not a temporary of the writer, was removed: %v", name, err)
		}
	}
}
