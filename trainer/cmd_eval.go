package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/cyclegan-go/cyclegan/nn"
	"github.com/cyclegan-go/cyclegan/trainer/eval"
	"github.com/cyclegan-go/cyclegan/trainer/train"
	"github.com/cyclegan-go/cyclegan/weights"
)

func init() {
	register("eval", "measure a translator on held-out photos (sliced Wasserstein distance, cycle error)", runEval)
}

// evalReport is what `eval --json` writes.
type evalReport struct {
	Size       int       `json:"size"`
	Seed       uint64    `json:"seed"`
	Normalize  string    `json:"normalize"`
	Res        []int     `json:"levels"`
	A          string    `json:"a"`
	B          string    `json:"b"`
	NA         int       `json:"n_a"`
	NB         int       `json:"n_b"`
	Weights    string    `json:"weights,omitempty"`
	Direction  string    `json:"direction,omitempty"`
	Translated []float64 `json:"swd_translated,omitempty"` // SWD(G(source), target) per level, x1e3
	Baseline   []float64 `json:"swd_baseline"`             // SWD(source, target) per level, x1e3
	TransAvg   float64   `json:"swd_translated_avg,omitempty"`
	BaseAvg    float64   `json:"swd_baseline_avg"`
	Ratio      float64   `json:"ratio,omitempty"`
	CycleError *float64  `json:"cycle_error,omitempty"` // mean |x - F(G(x))| in [0, 1] units
}

// runEval implements `cyclegan eval`: with -w, how far a generator's
// translations of held-out photos are from the target domain, against how
// far the untranslated photos are; with --sets, the distance between two
// folders.
func runEval(args []string) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	wpath := fs.String("w", "", "weight file")
	dir := fs.String("direction", "AtoB", "AtoB: translate the -a photos with G_A and compare with -b; BtoA: the -b photos with G_B, compared with -a")
	dirA := fs.String("a", "", "photo folder of domain A")
	dirB := fs.String("b", "", "photo folder of domain B")
	sets := fs.Bool("sets", false, "only the distance between the two folders given as arguments")
	holdout := fs.String("holdout", "", "folder of held-out lists (e.g. models/holdout): use only the photos named in FOLDER/<name of the photo folder>.txt")
	listA := fs.String("list_a", "", "use only the photos of the first folder named in this file")
	listB := fs.String("list_b", "", "use only the photos of the second folder named in this file")
	size := fs.Int("size", 256, "evaluation size: photos are scaled (shorter side) and centre-cropped to SIZE x SIZE; a power of two")
	seed := fs.Uint64("seed", 1, "seed of the neighbourhood positions and projection directions")
	nhoods := fs.Int("nhoods", 128, "7x7 neighbourhoods drawn per image and pyramid level")
	perSet := fs.Bool("per_set_norm", false, "standardise each set by its own statistics as Karras et al.'s code (blind to colour casts)")
	jsonOut := fs.String("json", "", "also write the results as JSON to this file")
	cycle := fs.Bool("cycle", true, "also measure the cycle error (runs the reverse generator too: twice the time)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `usage: cyclegan eval -w FILE [--direction AtoB|BtoA] -a DIR_A -b DIR_B [--holdout models/holdout] [options]
       cyclegan eval --sets [--holdout models/holdout] DIR1 DIR2 [options]

Sliced Wasserstein distance (SWD, Karras et al. 2018) over 7x7 neighbourhoods of a
Laplacian pyramid (levels SIZE, SIZE/2, ..., 16), x1e3, per level and averaged. With -w:
SWD(G(source), target) against SWD(source, target), their ratio (a good translator makes
it small), and the cycle error mean|x - F(G(x))| when the file holds both generators.

options:
`)
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	o := eval.DefaultOptions()
	o.Seed, o.NhoodsPerImage = *seed, *nhoods
	if *perSet {
		o.Normalize = eval.PerSet
	}
	var src, dst string
	switch {
	case *sets:
		if len(pos) != 2 || *wpath != "" || *dirA != "" || *dirB != "" {
			fs.Usage()
			return fmt.Errorf("--sets takes exactly two folders and no -w, -a or -b")
		}
		src, dst = pos[0], pos[1]
	default:
		if *wpath == "" || *dirA == "" || *dirB == "" || len(pos) != 0 {
			fs.Usage()
			return fmt.Errorf("need -w FILE, -a DIR and -b DIR (or --sets DIR1 DIR2)")
		}
		src, dst = *dirA, *dirB
	}
	if *size < 16 || *size&(*size-1) != 0 {
		return fmt.Errorf("--size %d: want a power of two, at least 16", *size)
	}
	lists := [2]string{*listA, *listB}
	if *holdout != "" {
		for i, d := range []string{src, dst} {
			if lists[i] == "" {
				lists[i] = filepath.Join(*holdout, filepath.Base(filepath.Clean(d))+".txt")
			}
		}
	}
	key, back := "G_A", "G_B"
	if !*sets {
		switch *dir {
		case "AtoB":
		case "BtoA":
			key, back = "G_B", "G_A"
			src, dst = dst, src
			lists[0], lists[1] = lists[1], lists[0]
		default:
			return fmt.Errorf("--direction %q: want AtoB or BtoA", *dir)
		}
	}
	setS, err := loadEvalSet(src, lists[0], *size)
	if err != nil {
		return err
	}
	setT, err := loadEvalSet(dst, lists[1], *size)
	if err != nil {
		return err
	}
	rep := evalReport{Size: *size, Seed: o.Seed, Normalize: "pooled", A: src, B: dst, NA: len(setS), NB: len(setT)}
	if *perSet {
		rep.Normalize = "per-set"
	}
	descT, err := eval.Extract(setT, o)
	if err != nil {
		return fmt.Errorf("%s: %v", dst, err)
	}
	descS, err := eval.Extract(setS, o)
	if err != nil {
		return fmt.Errorf("%s: %v", src, err)
	}
	base, err := eval.Distance(descS, descT)
	if err != nil {
		return err
	}
	rep.Res, rep.Baseline, rep.BaseAvg = base.Res, base.Level, base.Avg
	w := os.Stdout
	fmt.Fprintf(w, "SWD x1e3 at %dx%d, seed %d, %s normalisation: %d photos of %s, %d of %s\n", *size, *size, o.Seed, rep.Normalize, len(setS), src, len(setT), dst)
	header := "  " + fmt.Sprintf("%-22s", "level")
	for _, r := range base.Res {
		header += fmt.Sprintf("%9d", r)
	}
	fmt.Fprintln(w, header+"      avg")
	if *sets {
		printRow(w, "distance", base.Level, base.Avg)
		return writeEvalJSON(*jsonOut, &rep)
	}

	f, err := weights.ReadFile(*wpath)
	if err != nil {
		return err
	}
	g, err := generatorByKey(f, *wpath, key)
	if err != nil {
		return err
	}
	var gb *nn.Generator
	if *cycle && f.Meta.Generator(back) >= 0 {
		if gb, err = generatorByKey(f, *wpath, back); err != nil {
			return err
		}
	}
	rep.Weights, rep.Direction = *wpath, *dir
	fake := make([]*eval.Image, len(setS))
	var recs []*eval.Image
	for i, m := range setS {
		fmt.Fprintf(os.Stderr, "\rtranslating %d/%d", i+1, len(setS))
		if fake[i], err = eval.Translate(g, m); err != nil {
			return fmt.Errorf("%s: %v", src, err)
		}
		if gb != nil {
			r, err := eval.Translate(gb, fake[i])
			if err != nil {
				return err
			}
			recs = append(recs, r)
		}
	}
	fmt.Fprintln(os.Stderr)
	descF, err := eval.Extract(fake, o)
	if err != nil {
		return err
	}
	tr, err := eval.Distance(descF, descT)
	if err != nil {
		return err
	}
	rep.Translated, rep.TransAvg, rep.Ratio = tr.Level, tr.Avg, tr.Avg/base.Avg
	ratio := make([]float64, len(tr.Level))
	for i := range ratio {
		ratio[i] = tr.Level[i] / base.Level[i]
	}
	printRow(w, key+"(source) vs target", tr.Level, tr.Avg)
	printRow(w, "source vs target", base.Level, base.Avg)
	printRow(w, "ratio", ratio, rep.Ratio)
	if gb != nil {
		ce, err := eval.MeanAbsError(setS, recs)
		if err != nil {
			return err
		}
		rep.CycleError = &ce
		fmt.Fprintf(w, "cycle error mean|x - %s(%s(x))| = %.4f (pixel values in [0, 1])\n", back, key, ce)
	} else if *cycle {
		fmt.Fprintf(w, "cycle error: %s holds no %s\n", *wpath, back)
	}
	return writeEvalJSON(*jsonOut, &rep)
}

// generatorByKey loads the generator stored under key, frozen for inference.
func generatorByKey(f *weights.File, path, key string) (*nn.Generator, error) {
	i := f.Meta.Generator(key)
	if i < 0 {
		return nil, fmt.Errorf("%s: no generator %q", path, key)
	}
	g, err := f.Generator(i)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	g.Freeze()
	return g, nil
}

// loadEvalSet reads a folder's photos (those in list when given).
func loadEvalSet(dir, list string, size int) ([]*eval.Image, error) {
	var names []string
	if list != "" {
		var err error
		if names, err = eval.ReadList(list); err != nil {
			return nil, err
		}
	}
	set, _, err := eval.LoadSet(dir, names, size, os.Stderr)
	return set, err
}

func printRow(w io.Writer, name string, v []float64, avg float64) {
	var b strings.Builder
	fmt.Fprintf(&b, "  %-22s", name)
	for _, x := range v {
		fmt.Fprintf(&b, "%9.2f", x)
	}
	fmt.Fprintf(&b, "%9.2f", avg)
	fmt.Fprintln(w, b.String())
}

func writeEvalJSON(path string, rep *evalReport) error {
	if path == "" {
		return nil
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return train.WriteFileAtomic(path, append(b, '\n'))
}
