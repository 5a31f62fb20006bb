package eval

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cyclegan-go/cyclegan/trainer/data"
)

var update = flag.Bool("update", false, "rewrite models/holdout/*.txt from ../shared/datasets/weather")

// The split is pinned: these names were computed independently (Python,
// FNV-1a 64 of "cyclegan-go holdout v1:" + name, smallest 10%).
func TestHoldOutPinned(t *testing.T) {
	var names []string
	for i := range 100 {
		names = append(names, fmt.Sprintf("img%d.jpg", i))
	}
	want := []string{"img0.jpg", "img21.jpg", "img3.jpg", "img45.jpg", "img46.jpg", "img5.jpg", "img57.jpg", "img64.jpg", "img71.jpg", "img77.jpg"}
	if got := HoldOut(names, 0.1); !slices.Equal(got, want) {
		t.Fatalf("HoldOut = %v, want %v", got, want)
	}
}

func TestHoldOutProperties(t *testing.T) {
	var names []string
	for i := range 253 {
		names = append(names, fmt.Sprintf("shine%d.jpg", i+1))
	}
	got := HoldOut(names, HoldOutFraction)
	if len(got) != 25 {
		t.Fatalf("%d of 253 held out, want 25", len(got))
	}
	if !slices.IsSorted(got) {
		t.Error("result not sorted")
	}
	for _, n := range got {
		if !slices.Contains(names, n) {
			t.Errorf("%s is not one of the names", n)
		}
	}
	shuffled := slices.Clone(names)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	if again := HoldOut(shuffled, HoldOutFraction); !slices.Equal(again, got) {
		t.Errorf("order changed the split: %v vs %v", again, got)
	}
	if one := HoldOut([]string{"a.jpg", "b.jpg"}, 0.1); len(one) != 1 {
		t.Errorf("2 names at 10%%: %v, want one (never an empty test set)", one)
	}
	if none := HoldOut(names, 0); len(none) != 0 {
		t.Errorf("fraction 0 held out %v", none)
	}
}

func TestReadList(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "l.txt")
	os.WriteFile(p, FormatList("a header\nsecond line", []string{"x.jpg", "y 2.png"}), 0o644)
	got, err := ReadList(p)
	if err != nil || !slices.Equal(got, []string{"x.jpg", "y 2.png"}) {
		t.Fatalf("ReadList = %v, %v", got, err)
	}
	for _, bad := range []string{"a/b.jpg\n", "# only a comment\n", "..\n"} {
		os.WriteFile(p, []byte(bad), 0o644)
		if _, err := ReadList(p); err == nil {
			t.Errorf("list %q: no error", bad)
		}
	}
	if _, err := ReadList(filepath.Join(dir, "missing.txt")); err == nil {
		t.Error("missing list: no error")
	}
}

// weatherDir is the photo dataset beside the checkout (never committed).
const weatherDir = "../../../shared/datasets/weather"

var weatherFolders = []string{"shine", "cloudy", "sunrise", "rain"}

// pinnedSplit is one folder's entry in testdata/holdout/pinned.json,
// computed by testdata/holdout/gen_holdout.py: an implementation of the
// hold-out rule apart from HoldOut, run once on the dataset.
type pinnedSplit struct {
	Images       int      `json:"images"`        // image files in the folder
	HeldOut      int      `json:"held_out"`      // names held out
	SHA256       string   `json:"sha256"`        // of the sorted held-out names, one per line
	SmallestKeys []string `json:"smallest_keys"` // five held-out names, for a readable failure
}

func loadPinnedSplits(t *testing.T) map[string]pinnedSplit {
	t.Helper()
	b, err := os.ReadFile("../../testdata/holdout/pinned.json")
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]pinnedSplit
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	for _, f := range weatherFolders {
		if _, ok := p[f]; !ok {
			t.Fatalf("pinned.json has no entry for %s", f)
		}
	}
	return p
}

// checkPinned reports where names, a folder's held-out list, differs from
// the independently computed split.
func checkPinned(t *testing.T, what string, names []string, want pinnedSplit) {
	t.Helper()
	if len(names) != want.HeldOut {
		t.Errorf("%s: %d names, the independent split holds out %d", what, len(names), want.HeldOut)
	}
	for _, n := range want.SmallestKeys {
		if !slices.Contains(names, n) {
			t.Errorf("%s lacks %s, held out by the independent split", what, n)
		}
	}
	sorted := slices.Sorted(slices.Values(names))
	sum := sha256.Sum256([]byte(strings.Join(sorted, "\n") + "\n"))
	if got := hex.EncodeToString(sum[:]); got != want.SHA256 {
		t.Errorf("%s: names hash to %s, the independent split to %s", what, got, want.SHA256)
	}
}

// The committed lists are the split computed independently of HoldOut
// (testdata/holdout/gen_holdout.py); this needs no dataset.
func TestHoldOutListsPinned(t *testing.T) {
	pinned := loadPinnedSplits(t)
	for _, f := range weatherFolders {
		list := filepath.Join("../../models/holdout", f+".txt")
		got, err := ReadList(list)
		if err != nil {
			t.Fatal(err)
		}
		checkPinned(t, list, got, pinned[f])
	}
}

// Where the dataset is present, HoldOut of each folder's readable images
// gives the committed list and the independent split (with -update the
// lists are rewritten from HoldOut first, so a wrong HoldOut still fails).
func TestCommittedHoldOutLists(t *testing.T) {
	if _, err := os.Stat(weatherDir); err != nil {
		t.Skipf("%s absent, so the lists cannot be recomputed from it (TestHoldOutListsPinned still checks them): %v", weatherDir, err)
	}
	pinned := loadPinnedSplits(t)
	for _, f := range weatherFolders {
		list := filepath.Join("../../models/holdout", f+".txt")
		paths, _, err := data.ScanFolder(filepath.Join(weatherDir, f), nil)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range paths {
			names = append(names, filepath.Base(p))
		}
		if len(names) != pinned[f].Images {
			t.Errorf("%s: %d readable images, the independent split counted %d files", f, len(names), pinned[f].Images)
		}
		want := HoldOut(names, HoldOutFraction)
		checkPinned(t, "HoldOut of "+f, want, pinned[f])
		if *update {
			hdr := fmt.Sprintf("Held-out test photos of ../shared/datasets/weather/%s: %d of its %d images, never used\nfor training. Chosen by trainer/eval.HoldOut (see README.md); regenerate with\ngo test ./trainer/eval -run TestCommittedHoldOutLists -update", f, len(want), len(names))
			if err := os.WriteFile(list, FormatList(hdr, want), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := ReadList(list)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s differs from HoldOut of %s (%d vs %d names); rerun with -update if the dataset changed", list, f, len(got), len(want))
		}
	}
}
