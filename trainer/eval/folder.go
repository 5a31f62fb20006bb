package eval

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/cyclegan-go/cyclegan/trainer/data"
)

// LoadSet reads the photos of a folder at the evaluation size (see Square):
// all readable images directly in dir when names is nil (unreadable ones are
// reported to report and skipped), else exactly the named files, each of
// which must exist and decode. It returns the images and their paths.
func LoadSet(dir string, names []string, size int, report io.Writer) ([]*Image, []string, error) {
	var paths []string
	if names == nil {
		p, _, err := data.ScanFolder(dir, report)
		if err != nil {
			return nil, nil, err
		}
		paths = p
	} else {
		if len(names) == 0 {
			return nil, nil, fmt.Errorf("image folder %s: the list of names is empty", dir)
		}
		for _, n := range names {
			p := filepath.Join(dir, n)
			if _, err := os.Stat(p); err != nil {
				return nil, nil, fmt.Errorf("image folder %s: listed file %s: %v", dir, n, err)
			}
			paths = append(paths, p)
		}
	}
	set := make([]*Image, 0, len(paths))
	for _, p := range paths {
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
