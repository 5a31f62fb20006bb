package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/cyclegan-go/cyclegan/nn"
	"github.com/cyclegan-go/cyclegan/trainer/data"
)

// Progress is what Run tells its observers after each iteration.
type Progress struct {
	Epoch, Iter   int // 1-based epoch; 1-based iteration within it
	ItersPerEpoch int
	Steps         int // iterations done in the whole run
	TotalSteps    int // iterations the whole run will do
	TotalIters    int // training images seen (the official total_iters)
	LR            float64
	Losses        Losses
	Visuals       *Visuals
}

// Hooks lets the command show progress and write logs; each may be nil.
type Hooks struct {
	Begin func(r *Run)                 // after setup, before the first iteration
	Step  func(r *Run, p Progress)     // after every iteration
	Epoch func(r *Run, epoch int)      // after each epoch's checkpoint
	Saved func(r *Run, path string)    // after each checkpoint
	Log   io.Writer                    // messages (skipped files, resumes); default os.Stderr
	InitG func(r *Run, m *Model) error // fine-tuning: load generator weights (--init_g)
}

// Run is one training run: options, data, model, and where it stands.
type Run struct {
	Opt     Options
	Data    *data.Unaligned
	Model   *Model
	Ckpt    *Checkpoints
	Epoch   int // epoch being trained (1-based)
	Iter    int // next iteration within it (0-based)
	Steps   int
	Total   int // official total_iters (images)
	Resumed string
	pcg     *rand.PCG
	rng     *rand.Rand
}

// Setup resolves the data folders, builds or restores the model and
// checks everything that can fail before training starts.
func Setup(o Options, log io.Writer) (*Run, error) {
	if log == nil {
		log = os.Stderr
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	dirA, dirB := o.DirA, o.DirB
	if o.Dataroot != "" {
		dirA, dirB = filepath.Join(o.Dataroot, o.Phase+"A"), filepath.Join(o.Dataroot, o.Phase+"B")
	}
	if o.Direction == "BtoA" {
		dirA, dirB = dirB, dirA
	}
	pathsA, _, err := data.ScanFolder(dirA, log)
	if err != nil {
		return nil, fmt.Errorf("domain A: %v", err)
	}
	pathsB, _, err := data.ScanFolder(dirB, log)
	if err != nil {
		return nil, fmt.Errorf("domain B: %v", err)
	}
	r := &Run{Opt: o, Epoch: o.EpochCount}
	r.Data = &data.Unaligned{A: pathsA, B: pathsB, Seed: o.Seed, SerialBatches: o.SerialBatches, MaxSize: o.MaxDatasetSize,
		Pre: data.Preprocess{Mode: o.Preprocess, LoadSize: o.LoadSize, CropSize: o.CropSize, NoFlip: o.NoFlip}}
	if err := r.Data.Check(o.BatchSize); err != nil {
		return nil, err
	}
	r.Ckpt = &Checkpoints{Dir: o.RunDir(), Keep: o.KeepCheckpoints}
	existing, err := r.Ckpt.List()
	if err != nil {
		return nil, err
	}
	r.pcg = rand.NewPCG(o.Seed, 0x706f6f6c) // "pool"
	r.rng = rand.New(r.pcg)
	r.Model, err = NewModel(&o, rand.New(rand.NewPCG(o.Seed, 0x696e6974))) // "init"
	if err != nil {
		return nil, err
	}
	if !o.ContinueTrain {
		if len(existing) > 0 {
			return nil, fmt.Errorf("run folder %s already holds checkpoints: add --continue_train to continue it, or choose another --name", o.RunDir())
		}
		return r, nil
	}
	st, path, err := r.Ckpt.Latest(func(msg string) { fmt.Fprintln(log, msg) })
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(log, "--continue_train: %s has no checkpoint yet; starting from scratch\n", o.RunDir())
			return r, nil
		}
		return nil, err
	}
	o, err = resumeOptions(&st.Options, &o, log)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	r.Opt = o
	r.Ckpt.Keep = o.KeepCheckpoints
	if err := r.Model.Restore(st); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if err := r.pcg.UnmarshalBinary(st.RNG); err != nil {
		return nil, fmt.Errorf("%s: random state: %v", path, err)
	}
	r.Epoch, r.Iter, r.Steps, r.Total, r.Resumed = st.Epoch, st.Iter, st.Steps, st.TotalIters, path
	// Newer files that did not verify are set aside so that they are
	// neither resumed from nor counted among the kept checkpoints.
	steps, _ := r.Ckpt.List()
	for _, n := range steps {
		if n > st.Steps {
			p := r.Ckpt.path(n)
			os.Rename(p, p+".bad")
		}
	}
	fmt.Fprintf(log, "continuing from %s (epoch %d, iteration %d)\n", path, r.Epoch, r.Iter)
	return r, nil
}

// TotalSteps is the number of iterations of the whole run.
func (r *Run) TotalSteps() int {
	return (r.Opt.TotalEpochs() - r.Opt.EpochCount + 1) * r.Data.Batches(r.Opt.BatchSize)
}

// State snapshots the run for a checkpoint.
func (r *Run) State() *State { return r.state(true) }

// state is State; without clone its arrays are the model's own (Model.state).
func (r *Run) state(clone bool) *State {
	nets, g, d, pa, pb := r.Model.state(clone)
	return &State{Options: r.Opt, Epoch: r.Epoch, Iter: r.Iter, TotalIters: r.Total, Steps: r.Steps,
		RNG: marshalPCG(r.pcg), Nets: nets, AdamG: g, AdamD: d, PoolA: pa, PoolB: pb}
}

// Save writes a checkpoint of the current state.
func (r *Run) Save(h Hooks) error {
	p, err := r.Ckpt.Save(r.state(false)) // written before the next step changes the model
	if err != nil {
		return err
	}
	stopHere("saved")
	if h.Saved != nil {
		h.Saved(r, p)
	}
	return nil
}

// Train runs the epochs from where the run stands to the end (or until ctx
// is cancelled, which saves a checkpoint first). maxSteps > 0 stops after
// that many iterations in this call (with a checkpoint), for tests.
func (r *Run) Train(ctx context.Context, h Hooks, maxSteps int) error {
	log := h.Log
	if log == nil {
		log = os.Stderr
	}
	if r.Resumed == "" && r.Steps == 0 && h.InitG != nil {
		if err := h.InitG(r, r.Model); err != nil {
			return err
		}
	}
	if h.Begin != nil {
		h.Begin(r)
	}
	if err := os.MkdirAll(r.Opt.RunDir(), 0o755); err != nil {
		return err
	}
	removeStaleTemporaries(r.Opt.RunDir(), log)
	loader := &data.Loader{Data: r.Data, Batch: r.Opt.BatchSize, Workers: r.Opt.NumThreads, Report: log}
	perEpoch := r.Data.Batches(r.Opt.BatchSize)
	done := 0
	for r.Epoch <= r.Opt.TotalEpochs() {
		lr := r.Opt.LRAt(r.Epoch)
		next, stop := loader.Epoch(r.Epoch, r.Iter)
		for {
			if ctx.Err() != nil || (maxSteps > 0 && done >= maxSteps) {
				stop()
				if err := r.Save(h); err != nil {
					return err
				}
				return ctx.Err()
			}
			b, err := next()
			if err != nil {
				stop()
				return err
			}
			if b == nil {
				break
			}
			realA := nn.FromData(b.A, b.N, 3, b.H, b.W)
			realB := nn.FromData(b.B, b.N, 3, b.H, b.W)
			L, vis, err := r.Model.Step(realA, realB, lr, r.rng)
			if err != nil {
				stop()
				var nf *NonFiniteError
				if errors.As(err, &nf) {
					last := "none yet"
					if s, _ := r.Ckpt.List(); len(s) > 0 {
						last = r.Ckpt.path(s[0])
					}
					return fmt.Errorf("training stopped at epoch %d, iteration %d (step %d): %v; last good checkpoint: %s",
						r.Epoch, b.Iter+1, r.Steps+1, err, last)
				}
				return err
			}
			prevTotal := r.Total
			r.Total += b.N
			r.Steps++
			r.Iter = b.Iter + 1
			done++
			stopHere("step")
			if h.Step != nil {
				h.Step(r, Progress{Epoch: r.Epoch, Iter: r.Iter, ItersPerEpoch: perEpoch, Steps: r.Steps, TotalSteps: r.TotalSteps(),
					TotalIters: r.Total, LR: lr, Losses: L, Visuals: vis})
			}
			if r.Iter < perEpoch && r.Total/r.Opt.SaveLatestFreq > prevTotal/r.Opt.SaveLatestFreq {
				if err := r.Save(h); err != nil {
					stop()
					return err
				}
			}
		}
		stop()
		epoch := r.Epoch
		r.Epoch++
		r.Iter = 0
		if err := r.Save(h); err != nil {
			return err
		}
		if h.Epoch != nil {
			h.Epoch(r, epoch)
		}
	}
	return nil
}

// Elapsed formats a duration for messages.
func Elapsed(d time.Duration) string { return d.Round(time.Second).String() }
