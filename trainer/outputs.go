package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/cyclegan-go/cyclegan/weights"
)

// checkOutput refuses an output path that would destroy something the
// user did not ask to replace. It is the rule of every command that writes
// a file named by -o:
//
//   - never an input: the same path, or the same file under another name
//     (a hard or symbolic link);
//   - never a folder;
//   - never an existing file of a training run other than a weight file: a
//     run folder is one that holds state_*.ckpt checkpoints, and the rule
//     covers it and the folders in it (samples/). The run's own weight
//     file, which training and `export` write there, may be replaced;
//   - never another existing file that is not a weight file (a photo, a
//     document), unless force is set; an existing weight file is replaced.
//
// A path that does not exist yet is always allowed (outside a run, and
// inside one). The messages name the output and say what to do.
func checkOutput(out string, inputs []string, force bool) error {
	abs, err := filepath.Abs(out)
	if err != nil {
		return fmt.Errorf("output %s: %v", out, err)
	}
	st, statErr := os.Stat(out)
	for _, in := range inputs {
		if a, err := filepath.Abs(in); err == nil && a == abs {
			return fmt.Errorf("output %s would overwrite an input; choose another -o", out)
		}
		if statErr != nil {
			continue
		}
		if si, err := os.Stat(in); err == nil && os.SameFile(si, st) {
			return fmt.Errorf("output %s is the input %s; choose another -o", out, in)
		}
	}
	if os.IsNotExist(statErr) {
		return nil
	}
	if statErr != nil {
		return fmt.Errorf("output %s: %v", out, statErr)
	}
	if st.IsDir() {
		return fmt.Errorf("output %s is a folder; give the name of a file with -o", out)
	}
	if isWeightFile(out) {
		return nil
	}
	if run := runFolderOf(abs); run != "" {
		return fmt.Errorf("output %s would overwrite a file of the training run in %s; choose another -o", out, run)
	}
	if !force {
		return fmt.Errorf("output %s exists and is not a weight file; choose another -o, or add --force to replace it", out)
	}
	return nil
}

// isWeightFile reports whether path starts with the weight file's magic
// (the file may still be damaged: replacing it loses nothing of value).
func isWeightFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(weights.Magic))
	n, _ := io.ReadFull(f, head)
	return bytes.Equal(head[:n], []byte(weights.Magic))
}

// runFolderOf returns the run folder that holds the file path (absolute):
// its own folder or the one above, if that holds state_*.ckpt checkpoints;
// "" when the file is not part of a run.
func runFolderOf(path string) string {
	dir := filepath.Dir(path)
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if m, _ := filepath.Glob(filepath.Join(d, "state_*.ckpt")); len(m) > 0 {
			return d
		}
	}
	return ""
}
