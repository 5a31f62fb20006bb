package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/cyclegan-go/cyclegan/trainer/data"
	"github.com/cyclegan-go/cyclegan/translate"
	"github.com/cyclegan-go/cyclegan/weights"
)

func init() {
	register("translate", "translate photos with a weight file", runTranslate)
}

func runTranslate(args []string) error {
	fs := flag.NewFlagSet("translate", flag.ContinueOnError)
	wpath := fs.String("w", "", "weight file (required)")
	dir := fs.String("direction", "AtoB", "AtoB (the file's G_A), BtoA (its G_B), or the domains it names, e.g. \"Sunny → Sunset\" (`cyclegan info FILE` lists them)")
	out := fs.String("o", "", "output file (.png, .jpg) for one input, or folder (default: next to each input, NAME_AtoB.png)")
	maxSize := fs.Int("max_size", 1024, "downscale so that the long side is at most this (0 = keep the size)")
	quality := fs.Int("quality", 95, "JPEG quality")
	maxMemory := fs.Int("max_memory", translate.DefaultMemoryLimit>>20, "refuse a photo whose translation would need more memory than this many `MB` (the message says the size that fits)")
	scale := addScaleFlags(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: cyclegan translate -w FILE [--direction AtoB|BtoA] [--scale model|full] [-o OUT] IN...\n\nIN may be image files or folders (a folder gives a folder of outputs). Each photo keeps its size\n(reflection-padded to a multiple of 4, cropped back); each side needs at least %d pixels.\nBy default the generator runs at the scale the model was trained at and the change is carried up\nto the photo's size (--scale model; --scale full runs it on the full-size photo). Each line of the\noutput says which. Inputs are never overwritten.\n\noptions:\n", translate.MinSide)
		fs.PrintDefaults()
		if *wpath != "" {
			printDirections(fs.Output(), *wpath)
		}
	}
	ins, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if *wpath == "" || len(ins) == 0 {
		fs.Usage()
		return fmt.Errorf("need -w FILE and at least one input")
	}
	m, err := translate.Open(*wpath)
	if err != nil {
		return err
	}
	tr, err := m.Translator(*dir)
	if err != nil {
		return fmt.Errorf("%s: %w", *wpath, err)
	}
	opts, err := scale.options()
	if err != nil {
		return err
	}
	tr = tr.With(opts)
	jobs, err := planOutputs(ins, *out, tr.Direction.ID)
	if err != nil {
		return err
	}
	if *maxMemory < 256 {
		return fmt.Errorf("--max_memory %d: want at least 256 (MB)", *maxMemory)
	}
	limits := translateLimits{maxSize: *maxSize, memory: int64(*maxMemory) << 20}
	debug.SetMemoryLimit(limits.memory) // the garbage collector works to keep the peak within it
	failed := translateAll(tr, jobs, limits, *quality, os.Stderr)
	if failed > 0 {
		return fmt.Errorf("%d of %d inputs failed", failed, len(jobs))
	}
	return nil
}

// printDirections lists a weight file's directions by their domains, for
// `translate -w FILE --help`.
func printDirections(w io.Writer, path string) {
	f, err := weights.ReadFile(path)
	if err != nil {
		fmt.Fprintf(w, "\n(%v)\n", err)
		return
	}
	fmt.Fprintf(w, "\n%s translates:\n", path)
	for _, d := range translate.Directions(&f.Meta) {
		fmt.Fprintf(w, "  --direction %s   %s\n", d.ID, d.Label)
	}
}

type job struct{ in, out string }

// planOutputs maps inputs to output paths and refuses any that would
// overwrite an input (or another output).
// Outputs named after their inputs carry the direction (NAME_AtoB.png), so
// that both directions can go to one folder.
func planOutputs(ins []string, out, dir string) ([]job, error) {
	if err := checkOutputName(out); err != nil {
		return nil, err
	}
	var jobs []job
	outIsFile := out != "" && isImageName(out)
	for _, in := range ins {
		st, err := os.Stat(in)
		if err != nil {
			return nil, err
		}
		if st.IsDir() {
			if outIsFile {
				return nil, fmt.Errorf("-o %s is a file name but input %s is a folder", out, in)
			}
			paths, _, err := data.ScanFolder(in, os.Stderr)
			if err != nil {
				return nil, err
			}
			od := out
			if od == "" {
				od = strings.TrimRight(in, `/\`) + "_" + dir
			} else if len(ins) > 1 {
				od = filepath.Join(out, filepath.Base(filepath.Clean(in)))
			}
			for _, p := range paths {
				rel, _ := filepath.Rel(in, p)
				name := outName(rel)
				if out != "" { // a folder named by the user may receive both directions
					name = withDirection(rel, dir)
				}
				jobs = append(jobs, job{p, filepath.Join(od, name)})
			}
			continue
		}
		switch {
		case outIsFile:
			jobs = append(jobs, job{in, out})
		case out != "":
			jobs = append(jobs, job{in, filepath.Join(out, withDirection(filepath.Base(in), dir))})
		default:
			jobs = append(jobs, job{in, withDirection(in, dir)})
		}
	}
	if outIsFile && len(jobs) != 1 {
		return nil, fmt.Errorf("-o %s names one file but there are %d inputs; give a folder", out, len(jobs))
	}
	seen := map[string]string{}
	for _, j := range jobs {
		a, _ := filepath.Abs(j.in)
		seen[a] = "input"
	}
	for _, j := range jobs {
		a, _ := filepath.Abs(j.out)
		if seen[a] != "" {
			return nil, fmt.Errorf("output %s would overwrite an %s; choose another -o", j.out, seen[a])
		}
		seen[a] = "output"
		for _, k := range jobs {
			if si, err := os.Stat(k.in); err == nil {
				if so, err := os.Stat(j.out); err == nil && os.SameFile(si, so) {
					return nil, fmt.Errorf("output %s is the input %s; choose another -o", j.out, k.in)
				}
			}
		}
	}
	return jobs, nil
}

func isImageName(p string) bool {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".png", ".jpg", ".jpeg":
		return true
	}
	return false
}

// withDirection is the output name of an input name: the direction added
// (photo.jpg → photo_AtoB.jpg), JPEG names kept JPEG and every other
// output made PNG.
func withDirection(name, dir string) string {
	ext := filepath.Ext(name)
	return outName(strings.TrimSuffix(name, ext) + "_" + dir + ext)
}

// outName keeps JPEG names JPEG and makes every other output PNG.
func outName(name string) string {
	if isImageName(name) {
		return name
	}
	return strings.TrimSuffix(name, filepath.Ext(name)) + ".png"
}

// unwritableImage lists image formats that can be read but not written.
var unwritableImage = map[string]string{".gif": "GIF", ".webp": "WebP", ".bmp": "BMP", ".tif": "TIFF", ".tiff": "TIFF", ".heic": "HEIC", ".avif": "AVIF"}

// checkOutputName refuses an -o that names an image format the command
// cannot write (instead of making a folder of that name).
func checkOutputName(out string) error {
	if format, ok := unwritableImage[strings.ToLower(filepath.Ext(out))]; ok {
		if st, err := os.Stat(out); err == nil && st.IsDir() {
			return nil // an existing folder that happens to be named x.gif
		}
		return fmt.Errorf("-o %s: cannot write %s images; name the output .png or .jpg (or give a folder)", out, format)
	}
	return nil
}
