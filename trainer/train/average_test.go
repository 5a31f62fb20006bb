package train

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tinyState is a checkpoint whose generators hold the value g in every
// weight and whose discriminator holds d.
func tinyState(steps int, g, d float32) *State {
	fill := func(n int, v float32) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = v + float32(i)
		}
		return s
	}
	return &State{Options: Options{NGF: 4, NetG: "resnet_1blocks"}, Steps: steps, RNG: []byte{1},
		Nets: map[string][]NamedArray{
			"G_A": {{Key: "w", Shape: []int{3}, Data: fill(3, g)}, {Key: "b", Shape: []int{1}, Data: fill(1, g)}},
			"G_B": {{Key: "w", Shape: []int{2}, Data: fill(2, -g)}},
			"D_A": {{Key: "w", Shape: []int{2}, Data: fill(2, d)}},
		}}
}

func TestAverageGenerators(t *testing.T) {
	dir := t.TempDir()
	ck := &Checkpoints{Dir: dir, Keep: 10}
	// Steps 5 (an outlier that must not count), 10, 20, 30.
	for _, s := range []*State{tinyState(5, 100, 0), tinyState(10, 1, 1), tinyState(20, 2, 2), tinyState(30, 6, 3)} {
		if _, err := ck.Save(s); err != nil {
			t.Fatal(err)
		}
	}
	st, used, err := ck.AverageGenerators(3, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(used) != 3 || !strings.HasSuffix(used[0], "state_000000030.ckpt") || !strings.HasSuffix(used[2], "state_000000010.ckpt") {
		t.Errorf("used %v, want steps 30, 20, 10", used)
	}
	// Mean of 1, 2 and 6 is 3; G_B holds the negatives; everything else
	// is the newest checkpoint's.
	for key, want := range map[string][]float32{"G_A": {3, 4, 5}, "G_B": {-3, -2}, "D_A": {3, 4}} {
		got := st.Nets[key][0].Data
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s = %v, want %v", key, got, want)
				break
			}
		}
	}
	if b := st.Nets["G_A"][1].Data[0]; b != 3 {
		t.Errorf("G_A bias %v, want 3", b)
	}
	if st.Steps != 30 {
		t.Errorf("steps %d, want the newest (30)", st.Steps)
	}
	// n = 1 is the latest checkpoint as it is.
	if one, _, err := ck.AverageGenerators(1, nil); err != nil {
		t.Errorf("average of 1: %v", err)
	} else if got := one.Nets["G_A"][0].Data; got[0] != 6 {
		t.Errorf("average of 1: G_A %v, want the newest checkpoint's (6, ...)", got)
	}

	// A damaged newest file is reported and passed over.
	os.WriteFile(filepath.Join(dir, "state_000000040.ckpt"), []byte("CGGOCKP1 damaged"), 0o644)
	var warned string
	if st, _, err := ck.AverageGenerators(3, func(m string) { warned = m }); err != nil || st.Steps != 30 || st.Nets["G_A"][0].Data[0] != 3 {
		t.Errorf("with a damaged newest file: %v", err)
	}
	if !strings.Contains(warned, "000000040") {
		t.Errorf("damaged file not reported: %q", warned)
	}

	// More than the run kept is an error that says what to do.
	if _, _, err := ck.AverageGenerators(5, nil); err == nil || !strings.Contains(err.Error(), "--keep_checkpoints 5") {
		t.Errorf("averaging over more checkpoints than kept: %v", err)
	}
	if _, _, err := ck.AverageGenerators(0, nil); err == nil {
		t.Error("averaging over 0 checkpoints accepted")
	}
	if _, _, err := (&Checkpoints{Dir: t.TempDir()}).AverageGenerators(2, nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("empty run: %v", err)
	}
}

// Checkpoints of another architecture, or of differently shaped
// generators, are not averaged together.
func TestAverageGeneratorsRefusesMixedRuns(t *testing.T) {
	for name, older := range map[string]*State{
		"other ngf": func() *State { s := tinyState(10, 1, 1); s.Options.NGF = 8; return s }(),
		"other shape": func() *State {
			s := tinyState(10, 1, 1)
			s.Nets["G_A"][0].Data, s.Nets["G_A"][0].Shape = s.Nets["G_A"][0].Data[:2], []int{2}
			return s
		}(),
	} {
		ck := &Checkpoints{Dir: t.TempDir(), Keep: 10}
		for _, s := range []*State{older, tinyState(20, 2, 2)} {
			if _, err := ck.Save(s); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := ck.AverageGenerators(2, nil); err == nil || !strings.Contains(err.Error(), "state_000000010.ckpt") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// --average decay takes exactly the checkpoints saved after the decay
// began, and refuses when the run no longer holds its start.
func TestAverageDecay(t *testing.T) {
	at := func(steps, epoch, iter int, g float32) *State {
		s := tinyState(steps, g, 0)
		s.Options.NEpochs, s.Options.NEpochsDecay, s.Epoch, s.Iter = 2, 2, epoch, iter
		return s
	}
	dir := t.TempDir()
	ck := &Checkpoints{Dir: dir, Keep: 10}
	// Epochs of 10 steps; the decay begins with epoch 3 (step 21).
	for _, s := range []*State{at(15, 2, 5, 100), at(20, 3, 0, 50), at(25, 3, 5, 1), at(30, 4, 0, 2), at(35, 4, 5, 6)} {
		if _, err := ck.Save(s); err != nil {
			t.Fatal(err)
		}
	}
	st, used, err := ck.AverageDecay(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(used) != 3 || st.Steps != 35 || st.Nets["G_A"][0].Data[0] != 3 {
		t.Errorf("averaged %v into step %d, G_A %v; want steps 35, 30, 25 and a mean of 3", used, st.Steps, st.Nets["G_A"][0].Data)
	}

	// Without the checkpoint of the decay's start, part of it may be lost.
	os.Remove(filepath.Join(dir, "state_000000015.ckpt"))
	os.Remove(filepath.Join(dir, "state_000000020.ckpt"))
	if _, _, err := ck.AverageDecay(nil); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("decay start deleted: %v", err)
	}

	// Before the decay there is nothing to average.
	early := &Checkpoints{Dir: t.TempDir(), Keep: 10}
	early.Save(at(20, 3, 0, 50))
	if _, _, err := early.AverageDecay(nil); err == nil || !strings.Contains(err.Error(), "nothing to average") {
		t.Errorf("before the decay: %v", err)
	}
}
