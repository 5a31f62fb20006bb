package site

// Replacing several files of a site all or nothing (publish): every new
// content is written beside its file first, then renamed into place; a
// failure midway puts the old contents back.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// fileChange is the new content of the file at path.
type fileChange struct {
	path string
	data []byte
}

// rename puts a new file in place; tests replace it to force a failure
// midway through replaceAll.
var rename = os.Rename

// replaceAll gives every file its new content, all or nothing. It first
// writes each new content, and a copy of each old one, to hidden temporary
// files beside the file; then it renames the new ones into place, in
// order. If a rename fails, the files already replaced get their old
// content back (those that did not exist are removed), and the error is
// returned.
func replaceAll(changes []fileChange) error {
	var staged []stagedFile
	defer func() { // what is left after success or undo
		for _, s := range staged {
			os.Remove(s.tmp)
			if s.backup != "" {
				os.Remove(s.backup)
			}
		}
	}()
	for _, c := range changes {
		s, err := stage(c)
		if err != nil {
			return err
		}
		staged = append(staged, s)
	}
	for i, s := range staged {
		if err := rename(s.tmp, s.path); err != nil {
			return errors.Join(err, undo(staged[:i]))
		}
	}
	syncFolders(staged)
	return nil
}

// stagedFile is a fileChange written to disk: the new content in tmp, a
// copy of the old one in backup ("" when the file did not exist).
type stagedFile struct {
	path, tmp, backup string
}

// stage writes c's new content and a copy of the old one next to c.path.
// The new file keeps the old one's permissions (0644 for a new file).
func stage(c fileChange) (stagedFile, error) {
	s := stagedFile{path: c.path}
	perm := fs.FileMode(0o644)
	fi, err := os.Stat(c.path)
	switch {
	case err == nil:
		perm = fi.Mode().Perm()
		old, err := os.ReadFile(c.path)
		if err != nil {
			return s, err
		}
		if s.backup, err = writeTemp(c.path, old, perm); err != nil {
			return s, err
		}
	case !errors.Is(err, fs.ErrNotExist):
		return s, err
	}
	if s.tmp, err = writeTemp(c.path, c.data, perm); err != nil {
		if s.backup != "" {
			os.Remove(s.backup)
		}
		return s, err
	}
	return s, nil
}

// undo gives the replaced files their old content back, latest first. A
// copy of old content that cannot be put back is kept, and the error names
// it.
func undo(replaced []stagedFile) error {
	var errs []error
	for i := len(replaced) - 1; i >= 0; i-- {
		s := &replaced[i]
		if s.backup == "" {
			errs = append(errs, os.Remove(s.path))
		} else if err := os.Rename(s.backup, s.path); err != nil {
			errs = append(errs, fmt.Errorf("%w (its old content is in %s)", err, s.backup))
			s.backup = "" // keep it
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("could not undo the changes made so far: %w", err)
	}
	return nil
}

// writeTemp writes data, synced, to a new hidden file beside path (named
// "."+base(path)+".tmp*") with mode perm and returns its name.
func writeTemp(path string, data []byte, perm fs.FileMode) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// syncFolders syncs the folders of the files, so that the renames survive
// a crash (best effort: not every file system supports it).
func syncFolders(files []stagedFile) {
	done := map[string]bool{}
	for _, s := range files {
		d := filepath.Dir(s.path)
		if done[d] {
			continue
		}
		done[d] = true
		if fh, err := os.Open(d); err == nil {
			fh.Sync()
			fh.Close()
		}
	}
}
