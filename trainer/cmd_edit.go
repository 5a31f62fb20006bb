package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/cyclegan-go/cyclegan/weights"
)

func init() {
	register("edit", "change a weight file's metadata (training scale, name, licence, notes) without touching its weights", runEdit)
}

// runEdit implements
//
//	cyclegan edit [-o OUT] [--training_scale P:LOAD[:CROP]|none] [--name N] [--license L] [--notes T] FILE.cgw
//
// The weights are copied byte for byte (weights.EditMeta); the file is
// replaced atomically, or OUT is written (checkOutput's rule).
func runEdit(args []string) error {
	fs := flag.NewFlagSet("edit", flag.ContinueOnError)
	out := fs.String("o", "", "write the edited file here instead of replacing FILE")
	scale := fs.String("training_scale", "", "record the training scale, `PREPROCESS:LOAD_SIZE[:CROP_SIZE]` as given to the official code (e.g. resize_and_crop:286:256), or none to remove the record")
	name := fs.String("name", "", "the model's `name`")
	license := fs.String("license", "", "the weights' licence `text`")
	notes := fs.String("notes", "", "replace the free-text `notes`")
	force := fs.Bool("force", false, "with -o, replace an existing file that is not a weight file (never the input nor a file of a training run)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `usage: cyclegan edit [-o OUT] [options] FILE.cgw

Changes a weight file's metadata and keeps its weights byte for byte (an int8
file is not quantised again). The file is checked whole first; without -o it
is replaced atomically, so a failure leaves it as it was. The storage and the
architecture cannot be edited.`)
		fs.PrintDefaults()
	}
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fs.Usage()
		return fmt.Errorf("need one weight file")
	}
	in := rest[0]
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var record *weights.TrainingScale
	if set["training_scale"] && *scale != "none" {
		if record, err = parseTrainingScale(*scale); err != nil {
			return fmt.Errorf("--training_scale %w", err)
		}
	}
	if !set["training_scale"] && !set["name"] && !set["license"] && !set["notes"] {
		return fmt.Errorf("nothing to change: give --training_scale, --name, --license or --notes")
	}
	dst := in
	if *out != "" {
		if err := checkOutput(*out, []string{in}, *force); err != nil {
			return err
		}
		dst = *out
	}
	if err := weights.EditMetaFile(in, dst, func(m *weights.Meta) error {
		if set["training_scale"] {
			m.TrainingScale = record
		}
		if set["name"] {
			m.Name = *name
		}
		if set["license"] {
			m.Provenance.License = *license
		}
		if set["notes"] {
			m.Provenance.Notes = *notes
		}
		return nil
	}); err != nil {
		return err
	}
	return infoWeights(os.Stdout, dst)
}
