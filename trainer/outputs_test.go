package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cyclegan-go/cyclegan/weights"
)

// copyFile copies src to dst (a test fixture into a temporary folder).
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// refused runs `cyclegan args...`, which must fail with a message holding
// want on stderr and leave the file keep byte for byte as it was.
func refused(t *testing.T, keep, want string, args ...string) {
	t.Helper()
	before, err := os.ReadFile(keep)
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runCmd(t, args...)
	if code == 0 || !strings.Contains(stderr, want) {
		t.Errorf("%v: status %d, stderr %q; want a failure saying %q", args, code, stderr, want)
	}
	if strings.Contains(stdout, want) {
		t.Errorf("%v: the error went to stdout: %q", args, stdout)
	}
	if after, err := os.ReadFile(keep); err != nil || !bytes.Equal(after, before) {
		t.Errorf("%v: %s was changed (%v)", args, keep, err)
	}
}

// import -o never writes over its input, nor over a file that is not a
// weight file unless --force says so; a weight file is replaced.
func TestImportOutputRule(t *testing.T) {
	dir := t.TempDir()
	pth := filepath.Join(dir, "latest_net_G_A.pth")
	copyFile(t, "../testdata/checkpoints/zip_ngf4_b2.pth", pth)
	refused(t, pth, "would overwrite an input; choose another -o", "import", pth, "-o", pth)
	refused(t, pth, "would overwrite an input; choose another -o", "import", "-a", pth, "-o", pth, "--force")

	link := filepath.Join(dir, "link.cgw")
	if err := os.Link(pth, link); err != nil {
		t.Skipf("no hard links here: %v", err)
	}
	refused(t, pth, "is the input "+pth+"; choose another -o", "import", "-a", pth, "-o", link, "--force")

	photo := filepath.Join(dir, "photo.png")
	writePNGSize(t, photo, 16, 16)
	refused(t, photo, "exists and is not a weight file; choose another -o, or add --force", "import", pth, "-o", photo)
	named := filepath.Join(dir, "notes.cgw") // a .cgw name is not enough
	os.WriteFile(named, []byte("my notes"), 0o644)
	refused(t, named, "not a weight file", "import", pth, "-o", named)

	if _, stderr, code := runCmd(t, "import", pth, "-o", photo, "--force"); code != 0 {
		t.Fatalf("import --force over a photo: status %d: %s", code, stderr)
	}
	if _, err := weights.ReadFile(photo); err != nil {
		t.Errorf("after --force: %v", err)
	}
	// An existing weight file is simply replaced.
	if _, stderr, code := runCmd(t, "import", pth, "-o", photo, "--dtype", "f32"); code != 0 {
		t.Errorf("import over a weight file: status %d: %s", code, stderr)
	}
}

// export -o never writes over a file of a run (its checkpoints, its log,
// its samples), --force or not, nor over a training photo without
// --force; the run's own weight file is replaced, so exporting twice works.
func TestExportOutputRule(t *testing.T) {
	root := t.TempDir()
	args := twoEpochRun(t, root, "keep")
	if err := runTrain(append(args, "--no_export")); err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(root, "ck", "keep")
	newest := filepath.Join(run, "state_000000008.ckpt")
	refused(t, newest, "would overwrite an input; choose another -o", "export", run, "-o", newest)
	refused(t, newest, "would overwrite an input; choose another -o", "export", run, "-o", newest, "--force")
	log := filepath.Join(run, "loss_log.jsonl")
	refused(t, log, "would overwrite a file of the training run in", "export", run, "-o", log, "--force")
	sample := filepath.Join(run, "samples", "epoch_001.png")
	refused(t, sample, "would overwrite a file of the training run in", "export", run, "-o", sample, "--force")
	photo := filepath.Join(root, "data", "trainA", "im0.png")
	refused(t, photo, "exists and is not a weight file", "export", run, "-o", photo)
	refused(t, newest, "is a folder", "export", run, "-o", run)

	for i := 0; i < 2; i++ { // the default output, RUN/keep.cgw, twice
		if _, stderr, code := runCmd(t, "export", run); code != 0 {
			t.Fatalf("export %d of the run: status %d: %s", i+1, code, stderr)
		}
	}
	if _, err := weights.ReadFile(filepath.Join(run, "keep.cgw")); err != nil {
		t.Error(err)
	}
}
