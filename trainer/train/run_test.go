package train

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// writeImages writes n random smooth PNGs (w x h) into dir.
func writeImages(t testing.TB, dir string, n, w, h int, seed uint64) {
	t.Helper()
	os.MkdirAll(dir, 0o755)
	r := rand.New(rand.NewPCG(seed, 3))
	for i := 0; i < n; i++ {
		m := image.NewNRGBA(image.Rect(0, 0, w, h))
		c := [3]float64{r.Float64(), r.Float64(), r.Float64()}
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				o := 4 * (y*w + x)
				for k := 0; k < 3; k++ {
					m.Pix[o+k] = uint8(255 * (0.5*c[k] + 0.5*float64((x*(k+1)+y*(3-k))%w)/float64(w)))
				}
				m.Pix[o+3] = 255
			}
		}
		var buf bytes.Buffer
		png.Encode(&buf, m)
		if err := os.WriteFile(filepath.Join(dir, "img"+strconv.Itoa(i)+".png"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// tinyOptions is a small, fast configuration over a synthetic dataset.
func tinyOptions(t testing.TB, root string) Options {
	writeImages(t, filepath.Join(root, "data", "trainA"), 3, 40, 36, 1)
	writeImages(t, filepath.Join(root, "data", "trainB"), 4, 36, 40, 2)
	o := Defaults()
	o.Dataroot = filepath.Join(root, "data")
	o.CheckpointsDir = filepath.Join(root, "ck")
	o.Name = "tiny"
	o.NGF, o.NDF, o.NetG, o.NetD, o.NLayersD = 4, 8, "resnet_1blocks", "n_layers", 2
	o.LoadSize, o.CropSize = 36, 32
	o.NEpochs, o.NEpochsDecay = 1, 2
	o.PoolSize = 2 // small, so that the pool's random swaps happen
	o.SaveLatestFreq = 2
	o.NumThreads = 2
	o.Seed = 42
	return o
}

func quiet() Hooks { return Hooks{Log: &bytes.Buffer{}} }

func finalState(t *testing.T, r *Run) []byte {
	st := r.State()
	st.Options = Options{} // the run folders differ
	return st.Encode()
}

// N iterations straight give bit for bit the state of N/2 iterations,
// a stop, a resume in a fresh Run from the checkpoint, and the rest.
func TestResumeBitExact(t *testing.T) {
	root := t.TempDir()
	o := tinyOptions(t, root)
	r, err := Setup(o, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Train(context.Background(), quiet(), 0); err != nil {
		t.Fatal(err)
	}
	if r.Steps != 12 || r.Epoch != 4 {
		t.Fatalf("steps %d epoch %d, want 12 and 4", r.Steps, r.Epoch)
	}
	straight := finalState(t, r)

	o2 := o
	o2.Name = "resumed"
	r2, err := Setup(o2, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r2.Train(context.Background(), quiet(), 5); err != nil {
		t.Fatal(err)
	}
	if r2.Steps != 5 {
		t.Fatalf("stopped after %d steps", r2.Steps)
	}
	if _, err := Setup(o2, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "--continue_train") {
		t.Fatalf("reusing a run without --continue_train: %v", err)
	}
	o2.ContinueTrain = true
	r3, err := Setup(o2, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if r3.Steps != 5 || r3.Epoch != 2 || r3.Iter != 1 {
		t.Fatalf("resumed at step %d epoch %d iter %d", r3.Steps, r3.Epoch, r3.Iter)
	}
	if err := r3.Train(context.Background(), quiet(), 0); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(finalState(t, r3), straight) {
		t.Fatal("resumed run differs from the uninterrupted one")
	}
	if got, _ := r3.Ckpt.List(); len(got) != o.KeepCheckpoints {
		t.Errorf("%d checkpoints kept, want %d", len(got), o.KeepCheckpoints)
	}
	// A different architecture cannot continue this run.
	o2.NGF = 8
	if _, err := Setup(o2, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "--ngf: the checkpoint was trained with 4, now 8") {
		t.Errorf("architecture change accepted: %v", err)
	}
}

// A checkpoint that cannot be written is an error at that save; the
// previous checkpoint stays valid and is what a resume finds.
func TestSaveFailureKeepsPrevious(t *testing.T) {
	root := t.TempDir()
	o := tinyOptions(t, root)
	r, err := Setup(o, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Train(context.Background(), quiet(), 2); err != nil {
		t.Fatal(err)
	}
	failWrites = func() error { return &os.PathError{Op: "write", Path: "x", Err: errNoSpace} }
	defer func() { failWrites = nil }()
	err = r.Train(context.Background(), quiet(), 3)
	if err == nil || !strings.Contains(err.Error(), "no space") {
		t.Fatalf("want a save error, got %v", err)
	}
	failWrites = nil
	left, _ := filepath.Glob(filepath.Join(o.RunDir(), ".state_*"))
	if len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
	st, _, err := r.Ckpt.Latest(nil)
	if err != nil || st.Steps != 2 {
		t.Fatalf("previous checkpoint: %v, %v", st, err)
	}
}

// A diverging run stops with the loss and iteration, and keeps the last
// good checkpoint.
func TestNonFiniteLossStopsRun(t *testing.T) {
	root := t.TempDir()
	o := tinyOptions(t, root)
	o.LR = 1e30
	o.SaveLatestFreq = 1
	r, err := Setup(o, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	err = r.Train(context.Background(), quiet(), 0)
	if err == nil || !strings.Contains(err.Error(), "loss ") || !strings.Contains(err.Error(), "iteration") {
		t.Fatalf("want a non-finite loss error, got %v", err)
	}
	t.Log(err)
	st, _, err := r.Ckpt.Latest(nil)
	if err != nil {
		t.Fatalf("no valid checkpoint after the stop: %v", err)
	}
	if st.Steps != r.Steps {
		t.Errorf("last checkpoint at step %d, run stopped after %d good steps", st.Steps, r.Steps)
	}
}

func TestCheckpointDetectsCorruption(t *testing.T) {
	s := &State{Epoch: 3, Iter: 4, Steps: 7, RNG: []byte{1, 2, 3},
		Nets:  map[string][]NamedArray{"G_A": {{Key: "model.1.weight", Shape: []int{2, 2}, Data: []float32{1, 2, 3, 4}}}},
		AdamG: AdamState{Step: 2, M: [][]float32{{1}}, V: [][]float32{{2}}}, PoolA: [][]float32{{5, 6}}}
	b := s.Encode()
	got, err := DecodeState(b)
	if err != nil || got.Steps != 7 || got.Nets["G_A"][0].Data[3] != 4 || got.PoolA[0][1] != 6 || got.AdamG.V[0][0] != 2 {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	for _, cut := range []int{1, 10, len(b) / 2, len(b) - 1} {
		if _, err := DecodeState(b[:cut]); err == nil {
			t.Errorf("truncated to %d bytes: accepted", cut)
		}
	}
	c := append([]byte(nil), b...)
	c[len(c)/2] ^= 1
	if _, err := DecodeState(c); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("flipped bit: %v", err)
	}
	// Latest skips a corrupt newest file and reports it.
	dir := t.TempDir()
	ck := &Checkpoints{Dir: dir, Keep: 3}
	if _, err := ck.Save(s); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "state_000000009.ckpt"), c, 0o644)
	var warned string
	st, p, err := ck.Latest(func(m string) { warned = m })
	if err != nil || st.Steps != 7 || !strings.Contains(warned, "000000009") {
		t.Errorf("Latest: %v %s %v, warning %q", st, p, err, warned)
	}
}

func TestLRSchedule(t *testing.T) {
	o := Defaults()      // n_epochs 100, n_epochs_decay 100, lr 2e-4
	lr, d := 2e-4, 101.0 // variables: Go would fold constants exactly
	for _, c := range []struct {
		epoch int
		want  float64
	}{{1, lr}, {100, lr}, {101, lr * (1 - 1/d)}, {150, lr * (1 - 50/d)}, {200, lr * (1 - 100/d)}} {
		if got := o.LRAt(c.epoch); got != c.want {
			t.Errorf("epoch %d: lr %g, want %g", c.epoch, got, c.want)
		}
	}
}
