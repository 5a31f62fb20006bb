package data

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// imageExts are the file name endings scanned for images (the official
// IMG_EXTENSIONS plus GIF and WebP). Other files are ignored silently;
// files with these endings that cannot be read are reported and skipped.
var imageExts = map[string]bool{
	".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".webp": true,
}

// Skipped is a file left out of a dataset, with the reason.
type Skipped struct {
	Path   string
	Reason error
}

// ScanFolder lists the usable images directly inside dir, sorted by name
// (as the official make_dataset, which walks sorted). Each candidate's
// header is read to make sure it is a supported, not oversized image;
// the others are returned in skipped. report, if not nil, gets one line per
// skipped file. A missing folder or one without usable images is an error.
func ScanFolder(dir string, report io.Writer) (paths []string, skipped []Skipped, err error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("image folder %s: %v", dir, err)
	}
	if !st.IsDir() {
		return nil, nil, fmt.Errorf("image folder %s: not a directory", dir)
	}
	var cands []string
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		if imageExts[strings.ToLower(filepath.Ext(p))] {
			cands = append(cands, p)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("image folder %s: %v", dir, err)
	}
	sort.Strings(cands)
	for _, p := range cands {
		if _, _, perr := Probe(p); perr != nil {
			skipped = append(skipped, Skipped{p, perr})
			if report != nil {
				fmt.Fprintf(report, "skipping %v\n", perr)
			}
			continue
		}
		paths = append(paths, p)
	}
	if len(paths) == 0 {
		if len(skipped) > 0 {
			return nil, skipped, fmt.Errorf("image folder %s: none of its %d image files can be read", dir, len(skipped))
		}
		return nil, nil, fmt.Errorf("image folder %s: no images (.jpg, .jpeg, .png, .gif, .webp)", dir)
	}
	return paths, skipped, nil
}
