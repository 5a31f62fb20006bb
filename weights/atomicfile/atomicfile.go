// Package atomicfile writes a file so that its path always holds either the
// old complete file or the new complete one, never a half-written file.
package atomicfile

import (
	"os"
	"path/filepath"
)

// Write creates a temporary file in path's folder, named "."+base(path)+pattern
// (pattern holds os.CreateTemp's "*", e.g. ".tmp*"), lets fill write it, then
// syncs, closes and renames it over path. If fill or any step fails, the
// temporary file is removed, path is left as it was, and the error is
// returned as is (fill wraps its own errors). The file is readable by
// everyone (mode 0644, as os.WriteFile gives under the usual umask, not
// os.CreateTemp's 0600): every file this project writes is meant to be
// read, published or served. After the rename the folder is synced too
// (best effort: not every file system supports it), so that the new name
// survives a crash.
func Write(path, pattern string, fill func(f *os.File) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+pattern)
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := fill(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// WriteBytes is Write for a file that holds b.
func WriteBytes(path string, b []byte) error {
	return Write(path, ".tmp*", func(f *os.File) error {
		_, err := f.Write(b)
		return err
	})
}
