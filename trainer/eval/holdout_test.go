package eval

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
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

// The committed lists are well formed; where the dataset is present they
// are exactly HoldOut of each folder's readable images (with -update they
// are rewritten from it).
func TestCommittedHoldOutLists(t *testing.T) {
	_, err := os.Stat(weatherDir)
	haveData := err == nil
	if !haveData {
		t.Logf("%s absent: checking the lists' form only, not their content", weatherDir)
	}
	for _, f := range weatherFolders {
		list := filepath.Join("../../models/holdout", f+".txt")
		if haveData {
			paths, _, err := data.ScanFolder(filepath.Join(weatherDir, f), nil)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, p := range paths {
				names = append(names, filepath.Base(p))
			}
			want := HoldOut(names, HoldOutFraction)
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
			continue
		}
		got, err := ReadList(list)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
			t.Errorf("%s: names not sorted and unique", list)
		}
	}
}
