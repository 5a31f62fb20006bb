package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// LossEntry is one line of the loss log (loss_log.jsonl, JSON lines).
type LossEntry struct {
	Step   int                `json:"step"`   // iterations done in the run
	Epoch  int                `json:"epoch"`  // 1-based
	Iter   int                `json:"iter"`   // 1-based, within the epoch
	Images int                `json:"images"` // official total_iters
	LR     float64            `json:"lr"`
	Losses map[string]float64 `json:"losses"` // D_A, G_A, cycle_A, idt_A, D_B, G_B, cycle_B, idt_B
}

// LossLog appends entries to a JSON-lines file and keeps them for plots.
type LossLog struct {
	Path    string
	Entries []LossEntry
	f       *os.File
}

// OpenLossLog opens (creating) the log at path. Entries beyond step
// keepUpTo (iterations a resumed run will redo) are dropped, so the log
// always describes the run that the checkpoints hold.
func OpenLossLog(path string, keepUpTo int) (*LossLog, error) {
	l := &LossLog{Path: path}
	if f, err := os.Open(path); err == nil {
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<16), 1<<20)
		for sc.Scan() {
			var e LossEntry
			if json.Unmarshal(sc.Bytes(), &e) == nil && e.Step <= keepUpTo {
				l.Entries = append(l.Entries, e)
			}
		}
		f.Close()
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("loss log: %v", err)
	}
	l.f = f
	for _, e := range l.Entries {
		if err := l.write(e); err != nil {
			return nil, err
		}
	}
	return l, nil
}

func (l *LossLog) write(e LossEntry) error {
	b, _ := json.Marshal(e)
	if _, err := l.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("loss log %s: %v", l.Path, err)
	}
	return nil
}

// Add appends an entry.
func (l *LossLog) Add(e LossEntry) error {
	l.Entries = append(l.Entries, e)
	return l.write(e)
}

// Close flushes and closes the file.
func (l *LossLog) Close() error {
	if l.f == nil {
		return nil
	}
	l.f.Sync()
	return l.f.Close()
}
