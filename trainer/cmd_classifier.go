package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/cyclegan-go/cyclegan/trainer/classify"
	"github.com/cyclegan-go/cyclegan/trainer/eval"
)

func init() {
	register("classifier", "train or test the weather-domain classifier that `eval` reports (trainer/classify)", runClassifier)
}

// defaultClassifier is the committed classifier, which `eval` uses unless told otherwise.
const defaultClassifier = "models/classifier/weather.cgc"

// defaultClasses are the weather folders, in the committed file's order.
const defaultClasses = "shine,cloudy,sunrise,rain"

// runClassifier implements `cyclegan classifier train|test`.
func runClassifier(args []string) error {
	usage := "usage: cyclegan classifier train --data DIR --holdout models/holdout [-o FILE] [options]\n" +
		"       cyclegan classifier test  --data DIR --holdout models/holdout [-c FILE]\n"
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return fmt.Errorf("want train or test")
	}
	switch args[0] {
	case "train":
		return runClassifierTrain(args[1:])
	case "test":
		return runClassifierTest(args[1:])
	case "-h", "-help", "--help", "help":
		fmt.Print(usage)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown subcommand %q: want train or test", args[0])
}

func runClassifierTrain(args []string) error {
	fs := flag.NewFlagSet("classifier train", flag.ContinueOnError)
	root := fs.String("data", "", "folder holding one photo folder per class (e.g. ../shared/datasets/weather)")
	holdout := fs.String("holdout", "", "folder of held-out lists: the photos named in FOLDER/<class>.txt are never trained on, and are tested on at the end")
	classes := fs.String("classes", defaultClasses, "the class folders, comma-separated")
	out := fs.String("o", defaultClassifier, "output classifier file")
	o := classify.DefaultTrainOptions()
	fs.IntVar(&o.Epochs, "epochs", o.Epochs, "passes over the training photos")
	fs.IntVar(&o.Batch, "batch", o.Batch, "photos per step")
	fs.Float64Var(&o.LR, "lr", o.LR, "Adam's learning rate (constant for half the epochs, then decayed linearly to 0)")
	fs.Uint64Var(&o.Seed, "seed", o.Seed, "seed of the initialisation, the order and the augmentation")
	a := &o.Augment
	fs.Float64Var(&a.MinCrop, "min_crop", a.MinCrop, "augmentation: random square crops of this share of the shorter side up to all of it")
	fs.BoolVar(&a.Hue, "hue", a.Hue, "augmentation: rotate the hue by a random angle")
	fs.Float64Var(&a.Sat, "sat", a.Sat, "augmentation: saturation factor drawn in [0, SAT]")
	fs.Float64Var(&a.Cast, "cast", a.Cast, "augmentation: per-channel gain in 1±CAST and offset in ±CAST/2")
	fs.Float64Var(&a.Bright, "bright", a.Bright, "augmentation: brightness factor in 1±BRIGHT")
	fs.Float64Var(&a.Contrast, "contrast", a.Contrast, "augmentation: contrast factor in 1±CONTRAST")
	fs.Float64Var(&a.Greyscale, "grey", a.Greyscale, "augmentation: probability of a greyscale photo")
	fs.Float64Var(&a.Transfer, "transfer", a.Transfer, "augmentation: probability of a colour transfer (Reinhard, Lab) to a random training photo's colour statistics, before the other colour changes")
	def := classify.DefaultConfig(nil)
	size := fs.Int("size", def.Size, "input size of the network")
	width := fs.Int("width", def.Width, "filters of the first convolution")
	validation := fs.Bool("validation", false, "also leave out the next 10% of each folder (hold-out hash ranks 10-20%) and report the accuracy on them instead of the held-out photos: for choosing settings")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: cyclegan classifier train --data DIR --holdout models/holdout [-o FILE] [options]\n\nTrains the small CNN that `eval` uses to tell the weather domains apart, with strong colour\naugmentation (docs/MODELS.md, \"Evaluation method\"), then reports its accuracy on the held-out photos.\n\noptions:\n")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if *root == "" || *holdout == "" || len(pos) != 0 {
		fs.Usage()
		return fmt.Errorf("need --data DIR and --holdout DIR (the held-out photos must stay out of training)")
	}
	cfg := classify.DefaultConfig(strings.Split(*classes, ","))
	cfg.Size, cfg.Width = *size, *width
	if err := cfg.Validate(); err != nil {
		return err
	}
	start := time.Now()
	ds, val, err := classify.LoadTrainSet(*root, cfg.Classes, *holdout, cfg.Size, *validation, os.Stderr)
	if err != nil {
		return err
	}
	fmt.Printf("training photos %v (%s), read in %s\n", ds.Count(), *classes, time.Since(start).Round(time.Second))
	o.Log = os.Stdout
	t0 := time.Now()
	m, err := classify.Train(ds, cfg, o)
	if err != nil {
		return err
	}
	took := time.Since(t0).Round(time.Second)
	note := fmt.Sprintf("cyclegan classifier train --classes %s --epochs %d --batch %d --lr %g --seed %d --size %d --width %d --min_crop %g --hue=%t --sat %g --cast %g --bright %g --contrast %g --grey %g --transfer %g; photos per class %v, held-out lists excluded",
		*classes, o.Epochs, o.Batch, o.LR, o.Seed, cfg.Size, cfg.Width, a.MinCrop, a.Hue, a.Sat, a.Cast, a.Bright, a.Contrast, a.Greyscale, a.Transfer, ds.Count())
	c := &classify.Classifier{Model: m, Colour: ds.Colour, Note: note}
	if err := classify.Write(*out, c); err != nil {
		return err
	}
	fmt.Printf("trained in %s; wrote %s\n", took, *out)
	if *validation {
		fmt.Println("validation photos (hold-out hash ranks 10-20%):")
		return reportClassifier(c, val)
	}
	sets, err := classify.LoadHeldOut(*root, c.Config.Classes, *holdout, 256)
	if err != nil {
		return err
	}
	fmt.Println("held-out photos:")
	return reportClassifier(c, sets)
}

func runClassifierTest(args []string) error {
	fs := flag.NewFlagSet("classifier test", flag.ContinueOnError)
	path := fs.String("c", defaultClassifier, "classifier file")
	root := fs.String("data", "", "folder holding one photo folder per class")
	holdout := fs.String("holdout", "", "folder of held-out lists (FOLDER/<class>.txt)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if *root == "" || *holdout == "" || len(pos) != 0 {
		fs.Usage()
		return fmt.Errorf("need --data DIR and --holdout DIR")
	}
	c, err := classify.Read(*path)
	if err != nil {
		return err
	}
	sets, err := classify.LoadHeldOut(*root, c.Config.Classes, *holdout, 256)
	if err != nil {
		return err
	}
	fmt.Println("held-out photos:")
	return reportClassifier(c, sets)
}

// reportClassifier prints the confusion matrix of sets (sets[i]: photos of
// class i) and, per class, the share of the other classes' photos
// assigned to it after a colour transfer to its typical colour.
func reportClassifier(c *classify.Classifier, sets [][]*eval.Image) error {
	conf, err := c.Confusion(sets)
	if err != nil {
		return err
	}
	fmt.Println("  rows: true class, columns: predicted")
	conf.Print(os.Stdout, "  ")
	fmt.Println("  colour transfer to each class (Reinhard, Lab): share of the other classes' photos assigned to it")
	for t, name := range c.Config.Classes {
		n, hit := 0, 0
		for s, set := range sets {
			if s == t || len(set) == 0 {
				continue
			}
			pred, err := c.Classes(classify.TransferSet(set, c.Colour[t]))
			if err != nil {
				return err
			}
			for _, p := range pred {
				n++
				if p == t {
					hit++
				}
			}
		}
		if n > 0 {
			fmt.Printf("    to %-9s %3d/%-3d %3.0f%%\n", name, hit, n, 100*float64(hit)/float64(n))
		}
	}
	return nil
}
