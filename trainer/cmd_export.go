package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/cyclegan-go/cyclegan/trainer/train"
	"github.com/cyclegan-go/cyclegan/weights"
)

func init() {
	register("export", "write a run's generators as a compressed weight file", runExport)
}

// runExport implements `cyclegan export RUN_DIR [-o FILE] ...`; the output
// follows checkOutput's rule, with the run's checkpoints as the inputs.
func runExport(args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	out := fs.String("o", "", "output weight file (default RUN_DIR/<name>.cgw)")
	dtype := fs.String("dtype", weights.DefaultStorage.String(), "storage of the weights: int8 | f16 | f32")
	license := fs.String("license", "", "licence text recorded in the file's metadata (e.g. the training data's attribution)")
	name := fs.String("name", "", "the model's name recorded in the file (default: the run's --name)")
	force := fs.Bool("force", false, "replace an existing -o file that is not a weight file (never a checkpoint nor another file of a training run)")
	average := fs.String("average", "1", "average the generators' weights over the N newest checkpoints, or with \"decay\" over every checkpoint of the learning-rate decay (weight averaging; the run must keep them, --keep_checkpoints); 1 exports the latest alone")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: cyclegan export RUN_DIR [-o FILE] [--force] [--dtype int8|f16|f32] [--license TEXT] [--name NAME] [--average N|decay]\n\nWrites G_A and G_B of the run's latest valid checkpoint (or their mean over several), with provenance metadata.\nAn existing weight file at -o is replaced; a checkpoint, another file of a run or any other file is not (--force replaces the last kind).\n\noptions:\n")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return fmt.Errorf("want exactly one RUN_DIR")
	}
	ck := &train.Checkpoints{Dir: pos[0]}
	if *out != "" {
		if err := checkOutput(*out, ck.Paths(), *force); err != nil {
			return err
		}
	}
	warn := func(m string) { fmt.Fprintln(os.Stderr, m) }
	var (
		st    *train.State
		from  string   // what was exported, for the message
		used  []string // the checkpoints averaged, newest first
		notes string
	)
	switch n, nerr := strconv.Atoi(*average); {
	case *average == "decay":
		st, used, err = ck.AverageDecay(warn)
	case nerr != nil || n < 1:
		return fmt.Errorf("--average %q: want a number of checkpoints (1 or more) or \"decay\"", *average)
	case n == 1:
		st, from, err = ck.Latest(warn)
	default:
		st, used, err = ck.AverageGenerators(n, warn)
	}
	if err != nil {
		return err
	}
	if len(used) > 0 {
		span := fmt.Sprintf("%d checkpoints (%s to %s)", len(used), filepath.Base(used[len(used)-1]), filepath.Base(used[0]))
		from, notes = "mean of "+span, ", generators averaged over "+span
	}
	if *name != "" {
		st.Options.Name = *name
	}
	if *out == "" {
		*out = filepath.Join(pos[0], st.Options.Name+".cgw")
		if err := checkOutput(*out, ck.Paths(), *force); err != nil {
			return err
		}
	}
	if err := exportState(st, *out, *dtype, *license, notes); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%s -> %s (%s, step %d)\n", from, *out, *dtype, st.Steps)
	return nil
}
