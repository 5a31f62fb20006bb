package classify

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/cyclegan-go/cyclegan/nn"
	"github.com/cyclegan-go/cyclegan/trainer/data"
	"github.com/cyclegan-go/cyclegan/trainer/eval"
	"github.com/cyclegan-go/cyclegan/trainer/train"
)

// Dataset is the training photos of every class, decoded once and kept in
// memory at a little more than the input size (shorter side Size·9/8),
// from which every epoch cuts fresh random crops.
type Dataset struct {
	Classes []string
	Photos  []*data.RGB
	Labels  []int
	Colour  []ColourStats // per class: the photos' average Lab mean and std
	// PhotoColour is each photo's own Lab mean and std, the targets of
	// the colour-transfer augmentation (Augment.Transfer).
	PhotoColour []ColourStats
}

// LoadTrainSet reads root/<class> for every class, leaving out the photos
// named in holdout/<class>.txt (the held-out photos must never be trained
// on), and scales each to shorter side size·9/8. Unreadable files are
// reported to report and skipped.
//
// With validation, the next 10% of each folder in the hold-out hash's
// order (eval.HoldOut's ranks 10–20%) are left out too and returned at
// the evaluation size (256), to choose settings on without looking at the
// held-out photos.
func LoadTrainSet(root string, classes []string, holdout string, size int, validation bool, report io.Writer) (*Dataset, [][]*eval.Image, error) {
	ds := &Dataset{Classes: classes}
	var val [][]*eval.Image
	short := size * 9 / 8
	for ci, class := range classes {
		dir := filepath.Join(root, class)
		paths, _, err := data.ScanFolder(dir, report)
		if err != nil {
			return nil, nil, err
		}
		names, err := eval.ReadList(filepath.Join(holdout, class+".txt"))
		if err != nil {
			return nil, nil, fmt.Errorf("held-out list of %s: %w", class, err)
		}
		skip := map[string]bool{}
		for _, n := range names {
			skip[n] = true
		}
		if validation {
			var all, vnames []string
			for _, p := range paths {
				all = append(all, filepath.Base(p))
			}
			for _, n := range eval.HoldOut(all, 2*eval.HoldOutFraction) {
				if !skip[n] {
					vnames = append(vnames, n)
					skip[n] = true
				}
			}
			set, _, err := eval.LoadSet(dir, vnames, 256, report)
			if err != nil {
				return nil, nil, err
			}
			val = append(val, set)
		}
		var sum ColourStats
		n := 0
		for _, p := range paths {
			if skip[filepath.Base(p)] {
				continue
			}
			m, err := data.Load(p)
			if err != nil {
				fmt.Fprintf(report, "skipping %v\n", err)
				continue
			}
			w, h := short, short
			if m.W > m.H {
				w = max(short, (m.W*short+m.H/2)/m.H)
			} else {
				h = max(short, (m.H*short+m.W/2)/m.W)
			}
			m = data.Resize(m, w, h)
			mean, std := labStats(eval.FromRGB(m).Pix)
			for c := range 3 {
				sum.Mean[c] += mean[c]
				sum.Std[c] += std[c]
			}
			ds.PhotoColour = append(ds.PhotoColour, ColourStats{Mean: mean, Std: std})
			ds.Photos = append(ds.Photos, m)
			ds.Labels = append(ds.Labels, ci)
			n++
		}
		if n == 0 {
			return nil, nil, fmt.Errorf("image folder %s: no training photos left", dir)
		}
		for c := range 3 {
			sum.Mean[c] /= float64(n)
			sum.Std[c] /= float64(n)
		}
		ds.Colour = append(ds.Colour, sum)
	}
	return ds, val, nil
}

// Count returns the number of photos of each class.
func (ds *Dataset) Count() []int {
	n := make([]int, len(ds.Classes))
	for _, l := range ds.Labels {
		n[l]++
	}
	return n
}

// TrainOptions are the settings of one training run.
type TrainOptions struct {
	Epochs  int     // passes over the training photos
	Batch   int     // photos per step
	LR      float64 // Adam's learning rate, constant for the first half, then decayed linearly to 0
	Seed    uint64  // initialisation, order and augmentation all derive from it
	Augment Augment
	Log     io.Writer // one line per epoch (nil: none)
}

// DefaultTrainOptions is how the committed classifier was trained.
func DefaultTrainOptions() TrainOptions {
	return TrainOptions{Epochs: 120, Batch: 32, LR: 2e-3, Seed: 1, Augment: DefaultAugment()}
}

// Train fits a model of configuration c (c.Classes must be ds.Classes)
// to the dataset. The same options, data and number of threads give the
// same weights.
func Train(ds *Dataset, c Config, o TrainOptions) (*Model, error) {
	if o.Epochs < 1 || o.Batch < 1 || !(o.LR > 0) {
		return nil, fmt.Errorf("classify: want epochs ≥ 1, batch ≥ 1 and a positive learning rate, have %d, %d, %g", o.Epochs, o.Batch, o.LR)
	}
	if len(ds.Photos) == 0 {
		return nil, fmt.Errorf("classify: no training photos")
	}
	m, err := New(c)
	if err != nil {
		return nil, err
	}
	m.Init(rand.New(rand.NewPCG(o.Seed, 0)))
	var params []*nn.Param
	for _, p := range m.Params() {
		params = append(params, p.Param)
	}
	opt := train.NewAdam(params, 0.9, 0.999)
	log := o.Log
	if log == nil {
		log = io.Discard
	}
	s := c.Size
	start := time.Now()
	for epoch := range o.Epochs {
		lr := o.LR
		if half := o.Epochs / 2; epoch >= half {
			lr *= float64(o.Epochs-epoch) / float64(o.Epochs-half)
		}
		order := rand.New(rand.NewPCG(o.Seed, uint64(epoch)+1)).Perm(len(ds.Photos))
		var lossSum float64
		right := 0
		for lo := 0; lo < len(order); lo += o.Batch {
			idx := order[lo:min(lo+o.Batch, len(order))]
			x := nn.NewTensor(len(idx), 3, s, s)
			labels := make([]int, len(idx))
			pix := make([]float32, 3*s*s)
			for i, k := range idx {
				// each photo's own stream: independent of batching
				rng := rand.New(rand.NewPCG(o.Seed, uint64(epoch+1)<<32|uint64(k)))
				o.Augment.Sample(pix, ds.Photos[k], s, ds.PhotoColour, rng)
				toNetwork(x.Data[i*3*s*s:(i+1)*3*s*s], pix)
				labels[i] = ds.Labels[k]
			}
			acts, err := m.forwardTrain(x)
			if err != nil {
				return nil, err
			}
			logits := acts[len(acts)-1]
			loss, grad, err := CrossEntropy(logits, labels)
			if err != nil {
				return nil, err
			}
			lossSum += loss * float64(len(idx))
			k := len(c.Classes)
			for i, l := range labels {
				best := 0
				for j := range k {
					if logits.Data[i*k+j] > logits.Data[i*k+best] {
						best = j
					}
				}
				if best == l {
					right++
				}
			}
			opt.ZeroGrad()
			m.backward(acts, grad)
			opt.Update(lr)
		}
		fmt.Fprintf(log, "epoch %d/%d  lr %.2e  loss %.3f  train accuracy %.1f%%  %s\n", epoch+1, o.Epochs, lr,
			lossSum/float64(len(order)), 100*float64(right)/float64(len(order)), time.Since(start).Round(time.Second))
	}
	return m, nil
}

// LoadHeldOut reads the held-out photos of each class, root/<class> minus
// everything not named in holdout/<class>.txt, at the evaluation size
// (eval.LoadSet). A class whose folder is missing is left out (nil).
func LoadHeldOut(root string, classes []string, holdout string, size int) ([][]*eval.Image, error) {
	sets := make([][]*eval.Image, len(classes))
	for i, class := range classes {
		dir := filepath.Join(root, class)
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		names, err := eval.ReadList(filepath.Join(holdout, class+".txt"))
		if err != nil {
			return nil, err
		}
		if sets[i], _, err = eval.LoadSet(dir, names, size, io.Discard); err != nil {
			return nil, err
		}
	}
	return sets, nil
}

// Confusion classifies every set (sets[i] holds photos of class i; nil
// sets are skipped) and counts the answers.
func (m *Model) Confusion(sets [][]*eval.Image) (*Confusion, error) {
	c := NewConfusion(m.Config.Classes)
	for i, set := range sets {
		if len(set) == 0 {
			continue
		}
		pred, err := m.Classes(set)
		if err != nil {
			return nil, err
		}
		c.Add(i, pred)
	}
	return c, nil
}
