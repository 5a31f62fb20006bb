package eval

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSetPaths checks how a photo set is listed: a whole folder, a list of
// names, and the errors of an empty list and of a file given as the folder.
func TestSetPaths(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"b.png", "a.png"} {
		f, err := os.Create(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		png.Encode(f, image.NewNRGBA(image.Rect(0, 0, 4, 4)))
		f.Close()
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a photo"), 0o644)

	all, err := SetPaths(dir, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || filepath.Base(all[0]) != "a.png" || filepath.Base(all[1]) != "b.png" {
		t.Errorf("whole folder: %v, want a.png and b.png", all)
	}
	listed, err := SetPaths(dir, []string{"b.png", "missing.png"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(listed) != 2 || listed[0] != filepath.Join(dir, "b.png") || listed[1] != filepath.Join(dir, "missing.png") {
		t.Errorf("listed: %v", listed)
	}
	if _, err := SetPaths(dir, []string{}, nil); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty list: %v, want an error saying the list is empty", err)
	}
	if _, err := SetPaths(filepath.Join(dir, "a.png"), []string{"x.png"}, nil); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("a file as the folder: %v, want an error saying it is not a folder", err)
	}
	// LoadSet, unlike the gallery, refuses a listed file that is missing.
	if _, _, err := LoadSet(dir, []string{"missing.png"}, 8, nil); err == nil || !strings.Contains(err.Error(), "missing.png") {
		t.Errorf("LoadSet with a missing listed file: %v, want an error naming it", err)
	}
}
