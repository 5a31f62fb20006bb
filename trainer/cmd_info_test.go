package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// info describes a training checkpoint (where the run stands, its
// options, whether its checksum holds), and every file it cannot describe
// is an error on stderr, with a non-zero status, that names the problem.
func TestInfoCheckpointsAndErrors(t *testing.T) {
	root := t.TempDir()
	args := twoEpochRun(t, root, "seen")
	if err := runTrain(append(args, "--no_export")); err != nil {
		t.Fatal(err)
	}
	ckpt := filepath.Join(root, "ck", "seen", "state_000000008.ckpt")
	stdout, stderr, code := runCmd(t, "info", ckpt)
	if code != 0 {
		t.Errorf("info on a checkpoint: status %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"training checkpoint, checksum verified", "step 8", "finished after epoch 2",
		"--ngf 4", "--netG resnet_1blocks", "--n_epochs 1", "G_A, G_B"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("info on a checkpoint lacks %q:\n%s", want, stdout)
		}
	}

	dir := t.TempDir()
	b, err := os.ReadFile(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	damaged := filepath.Join(dir, "state_000000009.ckpt")
	os.WriteFile(damaged, b, 0o644)
	notes := filepath.Join(dir, "notes.cgw")
	os.WriteFile(notes, []byte("my notes, not weights"), 0o644)
	empty := filepath.Join(dir, "empty.cgw")
	os.WriteFile(empty, nil, 0o644)
	for _, c := range []struct{ path, want, not string }{
		{damaged, damaged + ": not a valid training checkpoint: checksum mismatch", ""},
		{notes, notes + ": not a valid weight file", "PyTorch"},
		{empty, empty + ": not a valid weight file: the file is empty", "PyTorch"},
		{"../testdata/checkpoints/evil_os_system_legacy.pth", "posix.system", ""},
	} {
		stdout, stderr, code := runCmd(t, "info", c.path)
		if code == 0 || !strings.Contains(stderr, c.want) || (c.not != "" && strings.Contains(stderr, c.not)) {
			t.Errorf("info %s: status %d, stderr %q; want a failure saying %q", c.path, code, stderr, c.want)
		}
		if stdout != "" {
			t.Errorf("info %s: the error went to stdout: %q", c.path, stdout)
		}
	}
}
