package main

import (
	"context"
	"flag"
	"fmt"
	"image"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"

	"github.com/cyclegan-go/cyclegan/nn"
	"github.com/cyclegan-go/cyclegan/trainer/data"
	"github.com/cyclegan-go/cyclegan/trainer/gallery"
	"github.com/cyclegan-go/cyclegan/trainer/report"
	"github.com/cyclegan-go/cyclegan/trainer/train"
)

func init() {
	register("train", "train a CycleGAN on two folders of photos (official options)", runTrain)
}

func runTrain(args []string) error {
	o := train.Defaults()
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	o.Register(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `usage: cyclegan train (--dataroot DIR | -a DIR -b DIR) [options]

Trains CycleGAN exactly as the official PyTorch code (junyanz/pytorch-CycleGAN-and-pix2pix)
with the same option names. The run lives in <checkpoints_dir>/<name>: checkpoints
(state_*.ckpt), loss_log.jsonl, loss.png, samples/epoch_NNN.png, and at the end
<name>.cgw, the exported weight file. Ctrl-C saves a checkpoint and stops;
--continue_train continues, also a finished run given a larger --n_epochs or
--n_epochs_decay (the schedule and housekeeping options may change; the
networks, method and data may not).

options:
`)
		fs.PrintDefaults()
	}
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected arguments %v (every train option is a flag)", rest)
	}
	setTrainGC()
	r, err := train.Setup(o, os.Stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return trainRun(ctx, r, 0)
}

// trainGCPercent is the garbage collector's target for training (GOGC, 100
// by default): a step allocates almost nothing (its activations, gradients
// and packings come back from the step before), so what the collector
// finds is the data loader's decoded photos, a few MB a step, while the
// heap, and the resident memory with it, may grow by the target's share of
// the live heap (the model, Adam's moments, the pooled activations) before
// each collection. At 5 a collection comes every second or third step (ngf
// 16, 128²: 250 MB live, 4 MB of photos a step) and costs under 2 ms of
// CPU; against 20 the peak resident memory of a run fell from 366 to 319 MB.
const trainGCPercent = 5

// setTrainGC sets trainGCPercent unless GOGC is set.
func setTrainGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(trainGCPercent)
	}
}

// trainRun trains r with progress display, loss log, plots and samples,
// then exports the weights. maxSteps > 0 stops early (tests).
func trainRun(ctx context.Context, r *train.Run, maxSteps int) error {
	o := &r.Opt
	dir := o.RunDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("run folder: %v", err)
	}
	log, err := report.OpenLossLog(filepath.Join(dir, "loss_log.jsonl"), r.Steps)
	if err != nil {
		return err
	}
	defer log.Close()
	held, err := heldOut(r)
	if err != nil {
		fmt.Fprintf(os.Stderr, "no sample grids: %v\n", err)
	}
	var prog *report.Progress
	names := train.Losses{}.Names()
	hooks := train.Hooks{
		Log:   os.Stderr,
		InitG: func(r *train.Run, m *train.Model) error { return initGenerators(&r.Opt, m) },
		Begin: func(r *train.Run) {
			prog = report.NewProgress(os.Stdout, r.TotalSteps(), r.Steps, o.PrintFreq)
		},
		Step: func(r *train.Run, p train.Progress) {
			prog.Update(p.Steps, p.TotalSteps, p.Epoch, o.TotalEpochs(), p.Iter, p.ItersPerEpoch, names, p.Losses.Values())
			if p.TotalIters/o.PrintFreq > (p.TotalIters-o.BatchSize)/o.PrintFreq || p.Iter == p.ItersPerEpoch {
				e := report.LossEntry{Step: p.Steps, Epoch: p.Epoch, Iter: p.Iter, Images: p.TotalIters, LR: p.LR, Losses: map[string]float64{}}
				for i, v := range p.Losses.Values() {
					e.Losses[names[i]] = v
				}
				if err := log.Add(e); err != nil {
					fmt.Fprintln(os.Stderr, err)
				}
			}
		},
		Epoch: func(r *train.Run, epoch int) {
			if err := report.PlotLosses(filepath.Join(dir, "loss.png"), log.Entries, names, r.Data.Batches(o.BatchSize)); err != nil {
				fmt.Fprintf(os.Stderr, "loss plot: %v\n", err)
			}
			if held != nil {
				if err := writeSamples(filepath.Join(dir, "samples", fmt.Sprintf("epoch_%03d.png", epoch)), r.Model, held); err != nil {
					fmt.Fprintf(os.Stderr, "samples: %v\n", err)
				}
			}
		},
	}
	err = r.Train(ctx, hooks, maxSteps)
	if prog != nil {
		prog.Finish()
	}
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(os.Stderr, "interrupted: checkpoint saved in %s; continue with --continue_train --name %s\n", dir, o.Name)
			return errInterrupted
		}
		return err
	}
	if maxSteps == 0 && !o.NoExport && r.Epoch > o.TotalEpochs() {
		out := filepath.Join(dir, o.Name+".cgw")
		if err := exportState(r.State(), out, o.ExportDType, "", ""); err != nil {
			return fmt.Errorf("export: %v", err)
		}
		fmt.Fprintf(os.Stderr, "weights written to %s\n", out)
	}
	return nil
}

// heldOut are the fixed images of the sample grids: the first two of
// testA/testB when the dataroot has them, else of the training folders,
// resized to crop_size (multiple of 4 for --preprocess none).
type heldOutImages struct{ A, B []*nn.Tensor }

func heldOut(r *train.Run) (*heldOutImages, error) {
	o := &r.Opt
	pick := func(train []string, test string) []string {
		if o.Dataroot != "" {
			if ps, _, err := data.ScanFolder(filepath.Join(o.Dataroot, test), nil); err == nil {
				return ps[:min(2, len(ps))]
			}
		}
		return train[:min(2, len(train))]
	}
	ta, tb := "testA", "testB"
	if o.Direction == "BtoA" {
		ta, tb = tb, ta
	}
	h := &heldOutImages{}
	for _, x := range []struct {
		paths []string
		dst   *[]*nn.Tensor
	}{{pick(r.Data.A, ta), &h.A}, {pick(r.Data.B, tb), &h.B}} {
		for _, p := range x.paths {
			m, err := data.Load(p)
			if err != nil {
				return nil, err
			}
			s := o.CropSize
			if o.Preprocess == "none" {
				s = 128
			}
			m = data.Resize(m, s, s)
			t := nn.NewTensor(1, 3, s, s)
			m.WriteCHW(t.Data)
			*x.dst = append(*x.dst, t)
		}
	}
	return h, nil
}

// sampleColumns label the columns of an epoch's sample sheet.
var sampleColumns = []string{"real A", "fake B = G_A(A)", "rec A", "real B", "fake A = G_B(B)", "rec B"}

// writeSamples writes a labelled sheet (gallery.Sheet) with one row of
// real A | fake B | rec A | real B | fake A | rec B per held-out pair.
func writeSamples(path string, m *train.Model, h *heldOutImages) error {
	var rows [][]image.Image
	cell := 0
	toImg := func(t *nn.Tensor) image.Image { return data.FromCHW(t.Data, t.W(), t.H()).Image() }
	for i := 0; i < max(len(h.A), len(h.B)); i++ {
		a, b := h.A[i%len(h.A)], h.B[i%len(h.B)]
		fakeB, err := m.GA.Forward(a)
		if err != nil {
			return err
		}
		recA, err := m.GB.Forward(fakeB)
		if err != nil {
			return err
		}
		fakeA, err := m.GB.Forward(b)
		if err != nil {
			return err
		}
		recB, err := m.GA.Forward(fakeA)
		if err != nil {
			return err
		}
		rows = append(rows, []image.Image{toImg(a), toImg(fakeB), toImg(recA), toImg(b), toImg(fakeA), toImg(recB)})
		cell = max(cell, a.W(), a.H())
	}
	sheet, err := gallery.Sheet(sampleColumns, rows, max(cell, gallery.MinCell))
	if err != nil {
		return err
	}
	return writePNG(path, sheet)
}
