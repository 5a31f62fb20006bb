package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/cyclegan-go/cyclegan/trainer/classify"
	"github.com/cyclegan-go/cyclegan/trainer/eval"
)

// The domain classifier's part of `cyclegan eval` (docs/MODELS.md,
// "Evaluation method"): its accuracy on the real held-out photos, and the
// share of translated photos it assigns to the target domain, beside the
// share of colour-transferred ones (the baseline a mere tint reaches).

// classifierFlags are eval's classifier options.
type classifierFlags struct {
	fs             *flag.FlagSet
	path           string
	classA, classB string
}

func addClassifierFlags(fs *flag.FlagSet) *classifierFlags {
	c := &classifierFlags{fs: fs}
	fs.StringVar(&c.path, "classifier", defaultClassifier, "domain classifier file (`cyclegan classifier train`); \"none\" skips the classification")
	fs.StringVar(&c.classA, "class_a", "", "the classifier's class of the -a photos (default: the name of their folder)")
	fs.StringVar(&c.classB, "class_b", "", "the classifier's class of the -b photos (default: the name of their folder)")
	return c
}

// classifierReport is the classifier's part of `eval --json`.
type classifierReport struct {
	File     string   `json:"file"`
	Classes  []string `json:"classes"`
	Source   string   `json:"source_class"`
	Target   string   `json:"target_class"`
	Accuracy float64  `json:"accuracy"` // on the real held-out photos of every class found
	// Confusion[i][j]: real photos of class i assigned to class j.
	Confusion [][]int `json:"confusion"`
	// Shares of the source photos assigned to the target class.
	Translated     float64 `json:"translated_to_target"`
	ColourTransfer float64 `json:"colour_transfer_to_target"`
	Untranslated   float64 `json:"untranslated_to_target"`
	RealTarget     float64 `json:"real_target_correct"` // share of the real target photos assigned to the target
}

// evalClassifier classifies the real held-out photos, the translations
// fake of the source photos setS and their colour transfers to the target
// domain; it prints the results and fills rep.Classifier. A missing
// default classifier, or folders that are none of its classes, are said
// and skipped.
func evalClassifier(w io.Writer, job *evalJob, setS, fake []*eval.Image, rep *evalReport) error {
	cf := job.cls
	if cf == nil || cf.path == "none" || cf.path == "" {
		return nil
	}
	c, err := classify.Read(cf.path)
	if errors.Is(err, fs.ErrNotExist) && cf.path == defaultClassifier {
		fmt.Fprintf(w, "classifier: no %s here; no domain classification (--classifier FILE)\n", cf.path)
		return nil
	}
	if err != nil {
		return err
	}
	srcName, dstName := cf.classA, cf.classB
	if job.direction == "BtoA" {
		srcName, dstName = dstName, srcName
	}
	if srcName == "" {
		srcName = filepath.Base(filepath.Clean(job.src))
	}
	if dstName == "" {
		dstName = filepath.Base(filepath.Clean(job.dst))
	}
	src, dst := c.ClassIndex(srcName), c.ClassIndex(dstName)
	if src < 0 || dst < 0 || src == dst {
		fmt.Fprintf(w, "classifier: %s knows the classes %v, not %q and %q; no domain classification (--class_a, --class_b name them)\n",
			cf.path, c.Config.Classes, srcName, dstName)
		return nil
	}
	real, err := classifierRealSets(c, job, src, dst, setS)
	if err != nil {
		return err
	}
	conf, err := c.Confusion(real)
	if err != nil {
		return err
	}
	r := &classifierReport{File: cf.path, Classes: c.Config.Classes, Source: srcName, Target: dstName, Accuracy: conf.Accuracy(), Confusion: conf.Counts}
	share := func(set []*eval.Image) (float64, error) {
		pred, err := c.Classes(set)
		if err != nil {
			return 0, err
		}
		n := 0
		for _, p := range pred {
			if p == dst {
				n++
			}
		}
		return float64(n) / float64(len(pred)), nil
	}
	if r.Translated, err = share(fake); err != nil {
		return err
	}
	if r.ColourTransfer, err = share(classify.TransferSet(setS, c.Colour[dst])); err != nil {
		return err
	}
	if n, _ := conf.Row(src); n > 0 {
		r.Untranslated = float64(conf.Counts[src][dst]) / float64(n)
	}
	if n, right := conf.Row(dst); n > 0 {
		r.RealTarget = float64(right) / float64(n)
	}
	rep.Classifier = r
	fmt.Fprintf(w, "domain classifier %s on the real photos (rows: true class, columns: predicted):\n", cf.path)
	conf.Print(w, "  ")
	fmt.Fprintf(w, "share of the %d %s photos it assigns to %s:\n", len(setS), srcName, dstName)
	fmt.Fprintf(w, "  translated           %5.1f%%\n", 100*r.Translated)
	fmt.Fprintf(w, "  colour transfer      %5.1f%%   (each photo's Lab mean and std set to %s's, Reinhard et al. 2001)\n", 100*r.ColourTransfer, dstName)
	fmt.Fprintf(w, "  untranslated         %5.1f%%\n", 100*r.Untranslated)
	fmt.Fprintf(w, "  (real %s photos:     %5.1f%% assigned to %s)\n", dstName, 100*r.RealTarget, dstName)
	return nil
}

// classifierRealSets gathers the real photos per class: the source set
// (already loaded), the target set and, when eval was given --holdout, the
// held-out photos of every other class whose folder sits beside the
// source folder.
func classifierRealSets(c *classify.Classifier, job *evalJob, src, dst int, setS []*eval.Image) ([][]*eval.Image, error) {
	sets := make([][]*eval.Image, len(c.Config.Classes))
	sets[src] = setS
	var err error
	if sets[dst], err = loadEvalSet(job.dst, job.lists[1], job.size); err != nil {
		return nil, err
	}
	holdout := ""
	if f := job.cls.fs.Lookup("holdout"); f != nil {
		holdout = f.Value.String()
	}
	if holdout == "" {
		return sets, nil
	}
	for k, class := range c.Config.Classes {
		if k == src || k == dst {
			continue
		}
		dir := filepath.Join(filepath.Dir(filepath.Clean(job.src)), class)
		list := filepath.Join(holdout, class+".txt")
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		if _, err := os.Stat(list); err != nil {
			continue
		}
		if sets[k], err = loadEvalSet(dir, list, job.size); err != nil {
			return nil, err
		}
	}
	return sets, nil
}
