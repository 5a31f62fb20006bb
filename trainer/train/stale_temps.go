package train

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
)

// atomicTemp matches the names of the temporary files that
// weights/atomicfile.Write makes next to the file it writes: "." + the
// file's name + the writer's pattern with os.CreateTemp's random digits,
// ".tmp123" (weight files, loss.png, sample sheets) or ".123.tmp"
// (checkpoints, WriteFileAtomic). A run killed during such a write leaves
// one behind.
var atomicTemp = regexp.MustCompile(`^\..+(\.tmp[0-9]+|\.[0-9]+\.tmp)$`)

// removeStaleTemporaries deletes the leftover temporary files of atomic
// writes in a run folder and its samples/ folder, naming each on log. It
// runs before training starts, when no write of this run is in progress;
// files that only look like temporaries (no leading dot, no digits) stay.
func removeStaleTemporaries(run string, log io.Writer) {
	for _, dir := range []string{run, filepath.Join(run, "samples")} {
		ents, err := os.ReadDir(dir)
		if err != nil {
			continue // no such folder yet
		}
		for _, e := range ents {
			if !e.Type().IsRegular() || !atomicTemp.MatchString(e.Name()) {
				continue
			}
			p := filepath.Join(dir, e.Name())
			if err := os.Remove(p); err != nil {
				fmt.Fprintf(log, "stale temporary file %s: %v\n", p, err)
				continue
			}
			fmt.Fprintf(log, "removed %s, the temporary file of a write that was cut short\n", p)
		}
	}
}
