package main

import (
	"context"
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
	"github.com/cyclegan-go/cyclegan/translate"
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

	// the domain classifier's verdicts (cmd_eval_classify.go)
	Classifier *classifierReport `json:"classifier,omitempty"`
}

// evalJob is what the flags of `cyclegan eval` ask for.
type evalJob struct {
	weights   string // -w, empty with --sets
	direction string // AtoB or BtoA
	src, dst  string // the folder translated (or the first of --sets) and the target folder
	lists     [2]string
	size      int
	cycle     bool
	jsonOut   string
	opts      eval.Options
	cls       *classifierFlags
	scale     translate.Options // at which scale the generators run (--scale, --carry, --training_scale)
}

// runEval implements `cyclegan eval`: with -w, how far a generator's
// translations of held-out photos are from the target domain, against how
// far the untranslated photos are; with --sets, the distance between two
// folders.
func runEval(args []string) error {
	job, err := parseEvalFlags(args)
	if err != nil {
		return err
	}
	setS, err := loadEvalSet(job.src, job.lists[0], job.size)
	if err != nil {
		return err
	}
	setT, err := loadEvalSet(job.dst, job.lists[1], job.size)
	if err != nil {
		return err
	}
	rep := evalReport{Size: job.size, Seed: job.opts.Seed, Normalize: "pooled", A: job.src, B: job.dst, NA: len(setS), NB: len(setT)}
	if job.opts.Normalize == eval.PerSet {
		rep.Normalize = "per-set"
	}
	descT, err := eval.Extract(setT, job.opts)
	if err != nil {
		return fmt.Errorf("%s: %v", job.dst, err)
	}
	descS, err := eval.Extract(setS, job.opts)
	if err != nil {
		return fmt.Errorf("%s: %v", job.src, err)
	}
	base, err := eval.Distance(descS, descT)
	if err != nil {
		return err
	}
	rep.Res, rep.Baseline, rep.BaseAvg = base.Res, base.Level, base.Avg
	w := os.Stdout
	fmt.Fprintf(w, "SWD x1e3 at %dx%d, seed %d, %s normalisation: %d photos of %s, %d of %s\n",
		job.size, job.size, job.opts.Seed, rep.Normalize, len(setS), job.src, len(setT), job.dst)
	header := "  " + fmt.Sprintf("%-22s", "level")
	for _, r := range base.Res {
		header += fmt.Sprintf("%9d", r)
	}
	fmt.Fprintln(w, header+"      avg")
	if job.weights == "" {
		printRow(w, "distance", base.Level, base.Avg)
		return writeEvalJSON(job.jsonOut, &rep)
	}
	if err := evalTranslator(w, job, setS, descT, base, &rep); err != nil {
		return err
	}
	return writeEvalJSON(job.jsonOut, &rep)
}

// parseEvalFlags reads the flags and checks their combination before
// anything is loaded.
func parseEvalFlags(args []string) (*evalJob, error) {
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
	clsF := addClassifierFlags(fs)
	scaleF := addScaleFlags(fs)
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
		return nil, err
	}
	job := &evalJob{weights: *wpath, direction: *dir, size: *size, cycle: *cycle, jsonOut: *jsonOut, opts: eval.DefaultOptions()}
	if job.scale, err = scaleF.options(); err != nil {
		return nil, err
	}
	job.opts.Seed, job.opts.NhoodsPerImage = *seed, *nhoods
	job.cls = clsF
	if *perSet {
		job.opts.Normalize = eval.PerSet
	}
	switch {
	case *sets:
		if len(pos) != 2 || *wpath != "" || *dirA != "" || *dirB != "" {
			fs.Usage()
			return nil, fmt.Errorf("--sets takes exactly two folders and no -w, -a or -b")
		}
		job.src, job.dst = pos[0], pos[1]
	default:
		if *wpath == "" || *dirA == "" || *dirB == "" || len(pos) != 0 {
			fs.Usage()
			return nil, fmt.Errorf("need -w FILE, -a DIR and -b DIR (or --sets DIR1 DIR2)")
		}
		job.src, job.dst = *dirA, *dirB
	}
	if *size < 16 || *size&(*size-1) != 0 {
		return nil, fmt.Errorf("--size %d: want a power of two, at least 16", *size)
	}
	job.lists = [2]string{*listA, *listB}
	if *holdout != "" {
		for i, d := range []string{job.src, job.dst} {
			if job.lists[i] == "" {
				job.lists[i] = filepath.Join(*holdout, filepath.Base(filepath.Clean(d))+".txt")
			}
		}
	}
	if !*sets {
		switch *dir {
		case "AtoB":
		case "BtoA":
			job.src, job.dst = job.dst, job.src
			job.lists[0], job.lists[1] = job.lists[1], job.lists[0]
		default:
			return nil, fmt.Errorf("--direction %q: want AtoB or BtoA", *dir)
		}
	}
	return job, nil
}

// evalTranslator translates the source set with the weight file's
// generator, measures the distance of the translations to the target set
// (whose descriptors are descT; base is the untranslated distance) and,
// when the file holds the reverse generator, the cycle error; it prints
// the rows and fills rep.
func evalTranslator(w io.Writer, job *evalJob, setS []*eval.Image, descT *eval.Descriptors, base eval.Result, rep *evalReport) error {
	m, err := translate.Open(job.weights)
	if err != nil {
		return err
	}
	forward, err := m.Translator(job.direction)
	if err != nil {
		return fmt.Errorf("%s: %w", job.weights, err)
	}
	back := "BtoA"
	if job.direction == "BtoA" {
		back = "AtoB"
	}
	var reverse *translate.Translator
	if job.cycle {
		reverse, _ = m.Translator(back) // absent: no cycle error, said below
	}
	forward = forward.With(job.scale)
	fmt.Fprintf(w, "%s runs %s\n", forward.Direction.Key, forward.Plan(job.size, job.size).Note)
	if reverse != nil {
		reverse = reverse.With(job.scale)
	}
	rep.Weights, rep.Direction = job.weights, job.direction
	fake := make([]*eval.Image, len(setS))
	var recs []*eval.Image
	for i, img := range setS {
		fmt.Fprintf(os.Stderr, "\rtranslating %d/%d", i+1, len(setS))
		if fake[i], err = translateEvalImage(forward, img); err != nil {
			return fmt.Errorf("%s: %v", job.src, err)
		}
		if reverse != nil {
			r, err := translateEvalImage(reverse, fake[i])
			if err != nil {
				return err
			}
			recs = append(recs, r)
		}
	}
	fmt.Fprintln(os.Stderr)
	descF, err := eval.Extract(fake, job.opts)
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
	key := forward.Direction.Key
	printRow(w, key+"(source) vs target", tr.Level, tr.Avg)
	printRow(w, "source vs target", base.Level, base.Avg)
	printRow(w, "ratio", ratio, rep.Ratio)
	switch {
	case reverse != nil:
		ce, err := eval.MeanAbsError(setS, recs)
		if err != nil {
			return err
		}
		rep.CycleError = &ce
		fmt.Fprintf(w, "cycle error mean|x - %s(%s(x))| = %.4f (pixel values in [0, 1])\n", reverse.Direction.Key, key, ce)
	case job.cycle:
		fmt.Fprintf(w, "cycle error: %s holds no %s generator\n", job.weights, back)
	}
	return evalClassifier(w, job, setS, fake, rep)
}

// translateEvalImage runs one evaluation image ([0, 1] planes) through tr
// without 8-bit rounding: [0, 1] maps to the network's [-1, 1] and back. A
// grey generator sees the image's luma and its grey output fills all three
// planes.
func translateEvalImage(tr *translate.Translator, m *eval.Image) (*eval.Image, error) {
	hw := m.W * m.H
	x := nn.NewTensor(1, tr.Config().InputNC, m.H, m.W)
	if x.C() == 1 {
		for i := range hw {
			x.Data[i] = 2*(0.299*m.Pix[i]+0.587*m.Pix[hw+i]+0.114*m.Pix[2*hw+i]) - 1
		}
	} else {
		for i, v := range m.Pix {
			x.Data[i] = 2*v - 1
		}
	}
	y, err := tr.Tensor(context.Background(), x, nil)
	if err != nil {
		return nil, err
	}
	out := eval.NewImage(m.W, m.H)
	for i := range out.Pix {
		v := y.Data[i%(y.C()*hw)] // a grey output repeats its one plane
		out.Pix[i] = min(max((v+1)/2, 0), 1)
	}
	return out, nil
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
