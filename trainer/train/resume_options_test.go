package train

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// A finished run of 1 + 1 epochs continues with --n_epochs_decay 2: the
// change is logged, the third epoch runs at the learning rate of the
// official rule for the new schedule (lr/3: the official code resumed with
// --epoch_count 3 --n_epochs 1 --n_epochs_decay 2 gives the same), the
// housekeeping options take their new values, and every checkpoint left
// verifies and records the new schedule.
func TestContinueFinishedRunWithMoreEpochs(t *testing.T) {
	root := t.TempDir()
	o := tinyOptions(t, root)
	o.NEpochsDecay = 1
	r, err := Setup(o, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Train(context.Background(), quiet(), 0); err != nil {
		t.Fatal(err)
	}
	if r.Epoch != 3 || r.Steps != 8 {
		t.Fatalf("the 1+1 run ended at epoch %d, step %d; want 3 and 8", r.Epoch, r.Steps)
	}

	o2 := o
	o2.ContinueTrain = true
	o2.NEpochsDecay = 2
	o2.KeepCheckpoints = 2
	o2.PrintFreq = 7
	var log bytes.Buffer
	r2, err := Setup(o2, &log)
	if err != nil {
		t.Fatalf("continuing a finished run with a longer schedule: %v", err)
	}
	for _, want := range []string{"--n_epochs_decay: 1 → 2", "--keep_checkpoints: 3 → 2", "--print_freq: 100 → 7"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("the resume does not log %q:\n%s", want, log.String())
		}
	}
	lrs := map[int]float64{}
	h := quiet()
	h.Step = func(r *Run, p Progress) { lrs[p.Epoch] = p.LR }
	if err := r2.Train(context.Background(), h, 0); err != nil {
		t.Fatal(err)
	}
	if r2.Epoch != 4 || r2.Steps != 12 {
		t.Errorf("the extended run ended at epoch %d, step %d; want 4 and 12", r2.Epoch, r2.Steps)
	}
	lr, two, three := o.LR, 2.0, 3.0 // variables: Go would fold constants exactly
	if want := lr * (1 - two/three); len(lrs) != 1 || lrs[3] != want {
		t.Errorf("learning rates by epoch %v, want only epoch 3 at %g", lrs, want)
	}
	steps, err := r2.Ckpt.List()
	if err != nil || len(steps) != 2 {
		t.Fatalf("checkpoints %v (%v), want the 2 newest", steps, err)
	}
	for _, n := range steps {
		st, p, err := r2.Ckpt.Read(n)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if st.Options.NEpochsDecay != 2 || st.Options.KeepCheckpoints != 2 {
			t.Errorf("%s records n_epochs_decay %d, keep_checkpoints %d; want 2 and 2", p, st.Options.NEpochsDecay, st.Options.KeepCheckpoints)
		}
	}
	if st, _, _ := r2.Ckpt.Read(steps[0]); st.Steps != 12 || st.Epoch != 4 || st.Iter != 0 {
		t.Errorf("newest checkpoint at step %d, epoch %d, iteration %d; want 12, 4, 0", st.Steps, st.Epoch, st.Iter)
	}
}

// --continue_train refuses an option that changes the networks, the
// method or the data, naming each such option with both values, and
// keeps the checkpoint's --epoch_count (where the run began), saying so.
func TestContinueRefusesNetworkAndDataChanges(t *testing.T) {
	root := t.TempDir()
	o := tinyOptions(t, root)
	r, err := Setup(o, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Train(context.Background(), quiet(), 2); err != nil {
		t.Fatal(err)
	}
	o.ContinueTrain = true
	other := filepath.Join(root, "other")
	writeImages(t, filepath.Join(other, "trainA"), 3, 40, 36, 5)
	writeImages(t, filepath.Join(other, "trainB"), 4, 36, 40, 6)
	for _, c := range []struct {
		change func(o *Options)
		want   []string
	}{
		{func(o *Options) { o.NGF = 8 }, []string{"--ngf: the checkpoint was trained with 4, now 8; that changes the networks"}},
		{func(o *Options) { o.CropSize = 24 }, []string{"--crop_size: the checkpoint was trained with 32, now 24; that changes the training data"}},
		{func(o *Options) { o.Dataroot = other }, []string{"--dataroot: the checkpoint was trained with " + o.Dataroot + ", now " + other}},
		{func(o *Options) { o.LambdaA = 5 }, []string{"--lambda_A: the checkpoint was trained with 10, now 5; that changes the training method"}},
		{func(o *Options) { o.Seed, o.NDF = 1, 16 }, []string{"--seed: the checkpoint was trained with 42, now 1", "--ndf: the checkpoint was trained with 8, now 16"}},
	} {
		o2 := o
		c.change(&o2)
		_, err := Setup(o2, &bytes.Buffer{})
		for _, want := range c.want {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("want an error saying %q, got %v", want, err)
			}
		}
	}

	// The same folder under another spelling is the same data.
	o2 := o
	o2.Dataroot = filepath.Join(root, "data", ".") + string(filepath.Separator)
	o2.EpochCount = 5
	var log bytes.Buffer
	r2, err := Setup(o2, &log)
	if err != nil {
		t.Fatalf("the same dataroot spelt %s: %v", o2.Dataroot, err)
	}
	if r2.Opt.EpochCount != 1 || r2.Epoch != 1 || !strings.Contains(log.String(), "--epoch_count 5 ignored") {
		t.Errorf("--epoch_count 5 on resume: options' epoch_count %d, epoch %d; log:\n%s", r2.Opt.EpochCount, r2.Epoch, log.String())
	}
}

// Every option has a rule for --continue_train (resume_options.go), so
// that a new option cannot slip through unjudged.
func TestEveryOptionHasAResumeRule(t *testing.T) {
	o := Defaults()
	for _, f := range o.Flags() {
		if _, ok := resumeRules[f.Name]; !ok {
			t.Errorf("--%s has no rule in resumeRules", f.Name)
		}
	}
	for name := range resumeRules {
		found := false
		for _, f := range o.Flags() {
			found = found || f.Name == name
		}
		if !found {
			t.Errorf("resumeRules names --%s, which is no option", name)
		}
	}
}
