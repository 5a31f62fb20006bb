package report

import (
	"os"
	"path/filepath"
	"testing"
)

// A resumed run's log drops the entries after the checkpoint it resumes from.
func TestLossLogTruncatesOnResume(t *testing.T) {
	p := filepath.Join(t.TempDir(), "loss_log.jsonl")
	l, err := OpenLossLog(p, 0)
	if err != nil {
		t.Fatal(err)
	}
	for s := 1; s <= 5; s++ {
		l.Add(LossEntry{Step: s, Epoch: 1, Iter: s, Losses: map[string]float64{"D_A": float64(s)}})
	}
	l.Close()
	l, err = OpenLossLog(p, 3)
	if err != nil {
		t.Fatal(err)
	}
	l.Add(LossEntry{Step: 4, Epoch: 1, Iter: 4, Losses: map[string]float64{"D_A": 40}})
	l.Close()
	l, _ = OpenLossLog(p, 100)
	defer l.Close()
	if len(l.Entries) != 4 || l.Entries[3].Losses["D_A"] != 40 {
		t.Fatalf("entries after resume: %+v", l.Entries)
	}
	if err := PlotLosses(filepath.Join(filepath.Dir(p), "loss.png"), l.Entries, []string{"D_A"}, 5); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Join(filepath.Dir(p), "loss.png")); err != nil || st.Size() < 1000 {
		t.Fatalf("plot: %v", err)
	}
}
