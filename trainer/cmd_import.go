package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/cyclegan-go/cyclegan/weights"
	"github.com/cyclegan-go/cyclegan/weights/pth"
)

func init() {
	register("import", "convert official PyTorch generator checkpoints (.pth) into a weight file", runImport)
}

// runImport implements
//
//	cyclegan import [-o OUT] [--dtype int8|f16|f32] [--name N] [--from X --to Y] IN.pth
//	cyclegan import [-o OUT] ... -a latest_net_G_A.pth -b latest_net_G_B.pth
//
// The output follows checkOutput's rule (--force replaces a file that is
// not a weight file).
func runImport(args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	out := fs.String("o", "", "output weight `file` (default: the input's name with .cgw, or NAME.cgw with -a/-b)")
	dtype := fs.String("dtype", weights.DefaultStorage.String(), "weight `storage`: int8, f16 or f32")
	a := fs.String("a", "", "G_A `checkpoint` (translates domain A to B)")
	b := fs.String("b", "", "G_B `checkpoint` (translates domain B to A)")
	name := fs.String("name", "", "model `name` in the metadata (default: the file name)")
	from := fs.String("from", "", "source domain `name` (with -a/-b: the name of domain A)")
	to := fs.String("to", "", "target domain `name` (with -a/-b: the name of domain B)")
	license := fs.String("license", "", "licence `text` of the weights")
	force := fs.Bool("force", false, "replace an existing -o file that is not a weight file (never an input nor a file of a training run)")
	scale := fs.String("training_scale", "", "record how the checkpoint was trained, `PREPROCESS:LOAD_SIZE[:CROP_SIZE]` (the official defaults are resize_and_crop:286:256), so that translators run it at that scale; none recorded by default")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `usage: cyclegan import [-o OUT] [--force] [--dtype int8|f16|f32] [--name N] [--from X --to Y] IN.pth
       cyclegan import [-o OUT] [options] -a latest_net_G_A.pth [-b latest_net_G_B.pth]

Converts generator checkpoints written by the official PyTorch code
(junyanz/pytorch-CycleGAN-and-pix2pix: latest_net_G_A.pth, latest_net_G_B.pth,
or a pretrained model's latest_net_G.pth; zip or legacy serialisation) into one
weight file. The architecture (ngf, blocks, channels, dropout layout) is read
from the checkpoint; no pickled code is ever run. An existing weight file at
-o is replaced; an input, a file of a training run or any other file is not
(--force replaces the last kind).`)
		fs.PrintDefaults()
	}
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	var inputs []pth.Input
	switch {
	case *a != "" || *b != "":
		if len(rest) != 0 {
			return fmt.Errorf("give the checkpoints either with -a/-b or as one argument, not both")
		}
		if *a != "" {
			inputs = append(inputs, pth.Input{Key: "G_A", Path: *a})
		}
		if *b != "" {
			inputs = append(inputs, pth.Input{Key: "G_B", Path: *b})
		}
	case len(rest) == 1:
		key := "G_A"
		if strings.Contains(filepath.Base(rest[0]), "G_B") {
			key = "G_B"
		}
		inputs = append(inputs, pth.Input{Key: key, Path: rest[0]})
	default:
		fs.Usage()
		return fmt.Errorf("need one checkpoint, or -a and/or -b")
	}
	var record *weights.TrainingScale
	if *scale != "" {
		if record, err = parseTrainingScale(*scale); err != nil {
			return fmt.Errorf("--training_scale %w", err)
		}
	}
	if _, ok := weights.ParseStorage(*dtype); !ok {
		return fmt.Errorf("--dtype %q: want int8, f16 or f32", *dtype)
	}
	if *out == "" {
		switch {
		case len(rest) == 1:
			*out = strings.TrimSuffix(rest[0], filepath.Ext(rest[0])) + ".cgw"
		case *name != "":
			*out = *name + ".cgw"
		default:
			return fmt.Errorf("with -a/-b give -o or --name")
		}
	}
	if *name == "" {
		*name = strings.TrimSuffix(filepath.Base(*out), filepath.Ext(*out))
	}
	paths := make([]string, len(inputs))
	for i, in := range inputs {
		paths[i] = in.Path
	}
	if err := checkOutput(*out, paths, *force); err != nil {
		return err
	}
	f, err := pth.Import(pth.Options{Name: *name, From: *from, To: *to, Storage: *dtype, License: *license}, inputs...)
	if err != nil {
		return err
	}
	f.Meta.TrainingScale = record
	if err := weights.WriteFile(*out, f); err != nil {
		return err
	}
	return describeImport(os.Stdout, *out, f, inputs)
}

// describeImport prints what was written and how it compares in size.
func describeImport(w io.Writer, out string, f *weights.File, inputs []pth.Input) error {
	st, err := os.Stat(out)
	if err != nil {
		return err
	}
	var pthSize int64
	for _, in := range inputs {
		if s, err := os.Stat(in.Path); err == nil {
			pthSize += s.Size()
		}
	}
	fmt.Fprintf(w, "Wrote %s: %d generator(s), %s storage, %s parameters, %s", out, len(f.Meta.Generators), f.Meta.Storage,
		thousands(int64(f.Params())), byteSize(st.Size()))
	if pthSize > 0 {
		fmt.Fprintf(w, " (%.1f%% of the %s checkpoint)", 100*float64(st.Size())/float64(pthSize), byteSize(pthSize))
	}
	fmt.Fprintln(w)
	for _, g := range f.Meta.Generators {
		fmt.Fprintf(w, "  %s  %s\n", g.Key, generatorLine(g))
	}
	return nil
}
