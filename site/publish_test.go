package site

import (
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// snapshot maps every path under dir to its content ("<dir>" for folders).
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() {
			files[rel] = "<dir>"
			return nil
		}
		b, err := os.ReadFile(path)
		files[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// sameSite reports how after differs from before, naming the paths.
func sameSite(t *testing.T, before, after map[string]string) {
	t.Helper()
	for _, p := range slices.Sorted(maps.Keys(before)) {
		if a, ok := after[p]; !ok {
			t.Errorf("%s was removed", p)
		} else if a != before[p] {
			t.Errorf("%s was changed", p)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(after)) {
		if _, ok := before[p]; !ok {
			t.Errorf("%s was added", p)
		}
	}
}

func TestPublishChangesNothingWhenALaterStepFails(t *testing.T) {
	for _, republish := range []bool{false, true} {
		dir := fakeSite(t)
		if err := StampServiceWorker(dir); err != nil {
			t.Fatal(err)
		}
		if republish {
			if _, err := Publish(dir, writeModel(t, t.TempDir(), "m.cgw", 1, "G_A"), ""); err != nil {
				t.Fatal(err)
			}
		}
		// A service worker that cannot be stamped: the last step fails.
		sw := filepath.Join(dir, swName)
		b, _ := os.ReadFile(sw)
		os.WriteFile(sw, []byte(strings.ReplaceAll(string(b), "const VERSION = ", "const OTHER = ")), 0o644)
		before := snapshot(t, dir)
		_, err := Publish(dir, writeModel(t, t.TempDir(), "m.cgw", 2, "G_A", "G_B"), "")
		if err == nil || !strings.Contains(err.Error(), "VERSION") {
			t.Errorf("republish %v: error %v, want one about the VERSION line", republish, err)
		}
		sameSite(t, before, snapshot(t, dir))
	}
}

func TestPublishChangesNothingWhenTheListCannotBeReplaced(t *testing.T) {
	// Root may write anywhere, so the failure is injected: every rename
	// onto models.json fails, after the weight file has been renamed.
	defer func(r func(string, string) error) { rename = r }(rename)
	failList := func(from, to string) error {
		if filepath.Base(to) == ManifestName {
			return &os.LinkError{Op: "rename", Old: from, New: to, Err: fs.ErrPermission}
		}
		return os.Rename(from, to)
	}
	for _, republish := range []bool{false, true} {
		rename = os.Rename
		dir := fakeSite(t)
		if err := StampServiceWorker(dir); err != nil {
			t.Fatal(err)
		}
		if republish {
			if _, err := Publish(dir, writeModel(t, t.TempDir(), "m.cgw", 1, "G_A"), ""); err != nil {
				t.Fatal(err)
			}
		}
		before := snapshot(t, dir)
		rename = failList
		_, err := Publish(dir, writeModel(t, t.TempDir(), "m.cgw", 2, "G_A", "G_B"), "")
		if err == nil || !strings.Contains(err.Error(), ManifestName) {
			t.Errorf("republish %v: error %v, want one naming %s", republish, err, ManifestName)
		}
		sameSite(t, before, snapshot(t, dir))
	}
}

func TestPublishAcceptsOnlySafeFileNames(t *testing.T) {
	dir := fakeSite(t)
	before := snapshot(t, dir)
	tmp := t.TempDir()
	for _, name := range []string{
		"xss.html", "m.cgw.html", "model.CGW", "a b.cgw", ".hidden.cgw", "-x.cgw", "_x.cgw",
		"été.cgw", "a'b.cgw", "a<b>.cgw", strings.Repeat("a", 65) + ".cgw",
	} {
		src := writeModel(t, tmp, name, 1, "G_A")
		_, err := Publish(dir, src, "")
		if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), ".cgw") {
			t.Errorf("%q: error %v, want one naming the file and the rule", name, err)
		}
	}
	sameSite(t, before, snapshot(t, dir))
	for _, name := range []string{"summer2winter.cgw", "a.b_c-d.cgw", "9.cgw", strings.Repeat("a", 64) + ".cgw"} {
		if _, err := Publish(dir, writeModel(t, tmp, name, 1, "G_A"), ""); err != nil {
			t.Errorf("%q refused: %v", name, err)
		}
	}
}
