package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cyclegan-go/cyclegan/trainer/train"
	"github.com/cyclegan-go/cyclegan/weights"
)

func init() {
	register("export", "write a run's generators as a compressed weight file", runExport)
}

func runExport(args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	out := fs.String("o", "", "output weight file (default RUN_DIR/<name>.cgw)")
	dtype := fs.String("dtype", weights.DefaultStorage.String(), "storage of the weights: int8 | f16 | f32")
	license := fs.String("license", "", "licence text recorded in the file's metadata (e.g. the training data's attribution)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: cyclegan export RUN_DIR [-o FILE] [--dtype int8|f16|f32] [--license TEXT]\n\nWrites G_A and G_B of the run's latest valid checkpoint, with provenance metadata.\n\noptions:\n")
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
	st, path, err := ck.Latest(func(m string) { fmt.Fprintln(os.Stderr, m) })
	if err != nil {
		return err
	}
	if *out == "" {
		*out = filepath.Join(pos[0], st.Options.Name+".cgw")
	}
	if err := exportState(st, *out, *dtype, *license); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%s -> %s (%s, step %d)\n", path, *out, *dtype, st.Steps)
	return nil
}
