package eval

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/cyclegan-go/cyclegan/trainer/data"
)

// SetPaths lists the photos of a set: every image file directly in dir
// when names is nil (data.ScanFolder; entries it cannot use are reported
// to report), else dir/name for each listed name, in the list's order (dir
// must be a folder and the list must not be empty; whether each file
// exists and decodes is for the caller to check as it loads them).
func SetPaths(dir string, names []string, report io.Writer) ([]string, error) {
	if names == nil {
		p, _, err := data.ScanFolder(dir, report)
		return p, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("image folder %s: the list of names is empty", dir)
	}
	if st, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("image folder: %w", err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("image folder %s: not a folder", dir)
	}
	paths := make([]string, len(names))
	for i, n := range names {
		paths[i] = filepath.Join(dir, n)
	}
	return paths, nil
}

// LoadSet reads the photos of a folder at the evaluation size (see Square):
// all readable images directly in dir when names is nil (unreadable ones are
// reported to report and skipped), else exactly the named files, each of
// which must exist and decode. It returns the images and their paths.
func LoadSet(dir string, names []string, size int, report io.Writer) ([]*Image, []string, error) {
	paths, err := SetPaths(dir, names, report)
	if err != nil {
		return nil, nil, err
	}
	set := make([]*Image, 0, len(paths))
	for _, p := range paths {
		if names != nil { // a listed file must be there: say so plainly
			if _, err := os.Stat(p); err != nil {
				return nil, nil, fmt.Errorf("image folder %s: listed file %s: %v", dir, filepath.Base(p), err)
			}
		}
		m, err := data.Load(p)
		if err != nil {
			return nil, nil, err
		}
		sq, err := Square(m, size)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", p, err)
		}
		set = append(set, FromRGB(sq))
	}
	return set, paths, nil
}
