package site

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// models/order.txt puts the named weight files first (the first is the
// page's default model); the others follow in name order.
func TestWeightFilesOrder(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"a.cgw", "b.cgw", "c.cgw", "notes.md"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	names := func() []string {
		t.Helper()
		files, err := weightFiles(dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range files {
			out = append(out, filepath.Base(f))
		}
		return out
	}
	if got := names(); !slices.Equal(got, []string{"a.cgw", "b.cgw", "c.cgw"}) {
		t.Errorf("without %s: %v", OrderFile, got)
	}
	order := filepath.Join(dir, OrderFile)
	os.WriteFile(order, []byte("# default first\nc.cgw\n\n  a.cgw  \n"), 0o644)
	if got := names(); !slices.Equal(got, []string{"c.cgw", "a.cgw", "b.cgw"}) {
		t.Errorf("with %s: %v, want c, a, b", OrderFile, got)
	}
	for _, bad := range []string{"missing.cgw\n", "a.cgw\na.cgw\n"} {
		os.WriteFile(order, []byte(bad), 0o644)
		if _, err := weightFiles(dir); err == nil || !strings.Contains(err.Error(), OrderFile) {
			t.Errorf("%s = %q: got %v, want an error naming the file", OrderFile, bad, err)
		}
	}
}
