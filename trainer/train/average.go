package train

import (
	"fmt"
	"os"
	"strings"
)

// Weight averaging: the generators' weights averaged over a run's last
// checkpoints, instead of the last checkpoint alone. The iterates of GAN
// training circle around a solution rather than settle on it; their mean is
// usually nearer to it (Yazıcı et al. 2019, "The Unusual Effectiveness of
// Averaging in GAN Training"; Izmailov et al. 2018, stochastic weight
// averaging). Not part of the official method: `cyclegan export --average N`.
//
// The generators have no running statistics (instance normalisation), so
// the weights are all there is to average. The mean of kernels balanced by
// --balance_upsample is balanced too: the balance is a linear constraint.

// generatorKeys are the networks a weight file holds.
var generatorKeys = []string{"G_A", "G_B"}

// AverageGenerators loads the n newest usable checkpoints and returns the
// newest of them with its generators (G_A, G_B) replaced by their mean
// over all n, with the paths it used, newest first. Damaged files are
// reported through warn and passed over. Every checkpoint must come from
// the same architecture and method as the newest (checkpoints of one run);
// fewer than n usable ones is an error, as the file would otherwise claim
// an average it is not.
func (c *Checkpoints) AverageGenerators(n int, warn func(string)) (*State, []string, error) {
	if n < 1 {
		return nil, nil, fmt.Errorf("averaging over %d checkpoints: want at least 1", n)
	}
	st, used, _, err := c.average(func(_, _ *State, taken int) bool { return taken < n }, warn)
	if err == nil && len(used) < n {
		err = fmt.Errorf("%s holds %d usable checkpoints, fewer than the %d to average (train with --keep_checkpoints %d or more)", c.Dir, len(used), n, n)
	}
	if err != nil {
		return nil, nil, err
	}
	return st, used, nil
}

// AverageDecay is AverageGenerators over every checkpoint saved during
// the learning-rate decay (the run's last --n_epochs_decay epochs), as
// stochastic weight averaging averages the final phase of training. The
// run must still hold the checkpoint made when the decay began (the end of
// epoch --n_epochs), which shows that none of the decay phase was deleted.
func (c *Checkpoints) AverageDecay(warn func(string)) (*State, []string, error) {
	st, used, complete, err := c.average(func(newest, st *State, _ int) bool { return inDecay(st, newest.Options.NEpochs) }, warn)
	switch {
	case err != nil:
		return nil, nil, err
	case len(used) == 0:
		return nil, nil, fmt.Errorf("%s: the newest checkpoint precedes the learning-rate decay (--n_epochs %d): nothing to average yet", c.Dir, st.Options.NEpochs)
	case !complete:
		return nil, nil, fmt.Errorf("%s: the oldest kept checkpoint (%s) is already in the learning-rate decay, so part of it is missing: train with more --keep_checkpoints", c.Dir, used[len(used)-1])
	}
	return st, used, nil
}

// inDecay reports whether st was saved after at least one step of the
// learning-rate decay, which begins with epoch nEpochs + 1 (Options.LRAt).
// nEpochs is the newest checkpoint's --n_epochs: a run extended with
// --continue_train decays on its latest schedule.
func inDecay(st *State, nEpochs int) bool {
	first := nEpochs + 1
	return st.Epoch > first || st.Epoch == first && st.Iter > 0
}

// average walks the usable checkpoints from the newest while take accepts
// them, and returns the newest taken with its generators replaced by the
// mean of those taken (or, when none is, the newest checkpoint as it is),
// the paths taken, and whether take refused one (rather than the files
// running out).
func (c *Checkpoints) average(take func(newest, st *State, taken int) bool, warn func(string)) (newest *State, used []string, refused bool, err error) {
	steps, err := c.List()
	if err != nil {
		return nil, nil, false, err
	}
	var sums map[string][][]float64 // per generator, per tensor
	for _, s := range steps {
		st, p, err := c.Read(s)
		if err != nil {
			if warn != nil {
				warn(fmt.Sprintf("checkpoint %s unusable: %v", p, err))
			}
			continue
		}
		if newest == nil {
			newest = st
		}
		if !take(newest, st, len(used)) {
			refused = true
			break
		}
		if sums == nil {
			sums = make(map[string][][]float64)
		} else if diff := refusedChanges(&st.Options, &newest.Options); len(diff) > 0 {
			return nil, nil, false, fmt.Errorf("%s cannot be averaged with %s, another run: %s", p, used[0], strings.Join(diff, "; "))
		}
		if err := addGenerators(sums, st, p); err != nil {
			return nil, nil, false, err
		}
		used = append(used, p)
	}
	if newest == nil {
		return nil, nil, false, fmt.Errorf("no usable checkpoint in %s: %w", c.Dir, os.ErrNotExist)
	}
	if len(used) > 0 {
		for _, key := range generatorKeys {
			for i, a := range newest.Nets[key] {
				for j, sum := range sums[key][i] {
					a.Data[j] = float32(sum / float64(len(used)))
				}
			}
		}
	}
	return newest, used, refused, nil
}

// addGenerators adds the generators' weights of st (read from path) to
// sums, which the first call shapes.
func addGenerators(sums map[string][][]float64, st *State, path string) error {
	for _, key := range generatorKeys {
		arrs, ok := st.Nets[key]
		if !ok {
			return fmt.Errorf("%s: no %s", path, key)
		}
		if sums[key] == nil {
			sums[key] = make([][]float64, len(arrs))
			for i, a := range arrs {
				sums[key][i] = make([]float64, len(a.Data))
			}
		}
		if len(arrs) != len(sums[key]) {
			return fmt.Errorf("%s: %s has %d tensors, the newer checkpoints %d", path, key, len(arrs), len(sums[key]))
		}
		for i, a := range arrs {
			if len(a.Data) != len(sums[key][i]) {
				return fmt.Errorf("%s: %s tensor %s has %d values, the newer checkpoints %d", path, key, a.Key, len(a.Data), len(sums[key][i]))
			}
			for j, v := range a.Data {
				sums[key][i][j] += float64(v)
			}
		}
	}
	return nil
}
