package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cyclegan-go/cyclegan/trainer/classify"
)

// captureStdout runs f and returns what it printed on standard output.
func captureStdout(t *testing.T, f func() error) (string, error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() { b, _ := io.ReadAll(r); done <- string(b) }()
	ferr := f()
	os.Stdout = old
	w.Close()
	return <-done, ferr
}

// A classifier whose convolutions are zero answers every photo with the
// class of its largest output bias, here "b": every share and every cell
// of the confusion matrix is then known.
func TestEvalClassifier(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "photos")
	a, b, c := filepath.Join(data, "a"), filepath.Join(data, "b"), filepath.Join(data, "c")
	writePhotos(t, a, 3, 1, [3]float64{0.3, 0.5, 0.7})
	writePhotos(t, b, 4, 2, [3]float64{0.7, 0.5, 0.3})
	writePhotos(t, c, 2, 3, [3]float64{0.5, 0.5, 0.5})
	hold := filepath.Join(dir, "holdout")
	os.MkdirAll(hold, 0o755)
	os.WriteFile(filepath.Join(hold, "a.txt"), []byte("pa.png\npb.png\npc.png\n"), 0o644)
	os.WriteFile(filepath.Join(hold, "b.txt"), []byte("pa.png\npb.png\npc.png\npd.png\n"), 0o644)
	os.WriteFile(filepath.Join(hold, "c.txt"), []byte("pa.png\n"), 0o644)

	wf := writeGreyModel(t, dir)
	m, err := classify.New(classify.Config{Size: 32, Width: 2, Classes: []string{"c", "b", "a"}})
	if err != nil {
		t.Fatal(err)
	}
	ps := m.Params()
	ps[len(ps)-1].Param.Value.Data[1] = 1 // fc.bias of "b"
	cf := filepath.Join(dir, "cls.cgc")
	if err := classify.Write(cf, &classify.Classifier{Model: m, Colour: make([]classify.ColourStats, 3)}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "r.json")
	args := []string{"-w", wf, "-a", a, "-b", b, "--holdout", hold, "--size", "32", "--nhoods", "16", "--cycle=false", "--json", out, "--classifier", cf}
	text, err := captureStdout(t, func() error { return runEval(args) })
	if err != nil {
		t.Fatal(err)
	}
	r := readReport(t, out).Classifier
	if r == nil {
		t.Fatalf("no classifier report; output:\n%s", text)
	}
	// Rows c, b, a (the file's order): 1 photo of c (its list), 4 of b, 3 of a, all assigned to b.
	want := [][]int{{0, 1, 0}, {0, 4, 0}, {0, 3, 0}}
	for i := range want {
		for j := range want[i] {
			if r.Confusion[i][j] != want[i][j] {
				t.Fatalf("confusion %v, want %v", r.Confusion, want)
			}
		}
	}
	if r.Accuracy != 0.5 || r.Translated != 1 || r.ColourTransfer != 1 || r.Untranslated != 1 || r.RealTarget != 1 || r.Source != "a" || r.Target != "b" {
		t.Errorf("report %+v: want accuracy 0.5 and every share 1", r)
	}
	for _, s := range []string{"domain classifier " + cf, "overall accuracy 50.0%", "share of the 3 a photos it assigns to b", "translated           100.0%", "colour transfer      100.0%", "untranslated         100.0%"} {
		if !strings.Contains(text, s) {
			t.Errorf("output lacks %q:\n%s", s, text)
		}
	}

	// BtoA: b's photos translated towards a; none is assigned to a.
	if _, err := captureStdout(t, func() error { return runEval(append(args, "--direction", "BtoA")) }); err != nil {
		t.Fatal(err)
	}
	if r := readReport(t, out).Classifier; r == nil || r.Source != "b" || r.Target != "a" || r.Translated != 0 || r.RealTarget != 0 {
		t.Errorf("BtoA: %+v, want source b, target a, shares 0", r)
	}

	// Folders that are none of the classes: said, not an error; --class_a/--class_b name them.
	x := filepath.Join(dir, "x")
	writePhotos(t, x, 2, 4, [3]float64{0.2, 0.2, 0.2})
	args2 := []string{"-w", wf, "-a", x, "-b", b, "--size", "32", "--nhoods", "16", "--cycle=false", "--json", out, "--classifier", cf}
	text, err = captureStdout(t, func() error { return runEval(args2) })
	if err != nil || !strings.Contains(text, `not "x" and "b"`) || readReport(t, out).Classifier != nil {
		t.Errorf("unknown class: err %v, output:\n%s", err, text)
	}
	if _, err := captureStdout(t, func() error { return runEval(append(args2, "--class_a", "c")) }); err != nil {
		t.Fatal(err)
	}
	if r := readReport(t, out).Classifier; r == nil || r.Source != "c" || r.Confusion[0][1] != 2 {
		t.Errorf("--class_a c: %+v, want x's 2 photos counted as c", r)
	}

	// A damaged classifier file is an error naming it.
	os.WriteFile(cf, []byte("cyclegan-classifier\n\x05\x00\x00\x00{"), 0o644)
	if _, err := captureStdout(t, func() error { return runEval(args) }); err == nil || !strings.Contains(err.Error(), cf) {
		t.Errorf("damaged classifier: %v", err)
	}
}
