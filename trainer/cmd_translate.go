package main

import (
	"bytes"
	"flag"
	"fmt"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"

	"github.com/cyclegan-go/cyclegan/nn"
	"github.com/cyclegan-go/cyclegan/trainer/data"
	"github.com/cyclegan-go/cyclegan/trainer/train"
)

func init() {
	register("translate", "translate photos with a weight file", runTranslate)
}

func runTranslate(args []string) error {
	fs := flag.NewFlagSet("translate", flag.ContinueOnError)
	wpath := fs.String("w", "", "weight file (required)")
	dir := fs.String("direction", "AtoB", "AtoB uses G_A, BtoA uses G_B")
	out := fs.String("o", "", "output file (.png, .jpg) for one input, or folder (default: next to each input, NAME_AtoB.png)")
	maxSize := fs.Int("max_size", 1024, "downscale so that the long side is at most this (0 = keep the size)")
	quality := fs.Int("quality", 95, "JPEG quality")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: cyclegan translate -w FILE [--direction AtoB|BtoA] [-o OUT] IN...\n\nIN may be image files or folders (a folder gives a folder of outputs). Each photo keeps its size\n(reflection-padded to a multiple of 4, cropped back). Inputs are never overwritten.\n\noptions:\n")
		fs.PrintDefaults()
	}
	ins, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if *wpath == "" || len(ins) == 0 {
		fs.Usage()
		return fmt.Errorf("need -w FILE and at least one input")
	}
	key := map[string]string{"AtoB": "G_A", "BtoA": "G_B"}[*dir]
	if key == "" {
		return fmt.Errorf("--direction %q: want AtoB or BtoA", *dir)
	}
	g, err := loadGenerator(*wpath, key)
	if err != nil {
		return err
	}
	jobs, err := planOutputs(ins, *out, *dir)
	if err != nil {
		return err
	}
	failed := 0
	for i, j := range jobs {
		if err := translateFile(g, j.in, j.out, *maxSize, *quality); err != nil {
			fmt.Fprintf(os.Stderr, "[%d/%d] %v\n", i+1, len(jobs), err)
			failed++
			continue
		}
		fmt.Fprintf(os.Stderr, "[%d/%d] %s -> %s\n", i+1, len(jobs), j.in, j.out)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d inputs failed", failed, len(jobs))
	}
	return nil
}

type job struct{ in, out string }

// planOutputs maps inputs to output paths and refuses any that would
// overwrite an input (or another output).
func planOutputs(ins []string, out, dir string) ([]job, error) {
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
				jobs = append(jobs, job{p, filepath.Join(od, outName(rel))})
			}
			continue
		}
		switch {
		case outIsFile:
			jobs = append(jobs, job{in, out})
		case out != "":
			jobs = append(jobs, job{in, filepath.Join(out, outName(filepath.Base(in)))})
		default:
			ext := filepath.Ext(in)
			jobs = append(jobs, job{in, outName(strings.TrimSuffix(in, ext) + "_" + dir + ext)})
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

// outName keeps JPEG names JPEG and makes every other output PNG.
func outName(name string) string {
	if isImageName(name) {
		return name
	}
	return strings.TrimSuffix(name, filepath.Ext(name)) + ".png"
}

// translateFile runs one photo through g and writes the result.
func translateFile(g *nn.Generator, in, out string, maxSize, quality int) error {
	m, err := data.Load(in)
	if err != nil {
		return err
	}
	if maxSize > 0 && max(m.W, m.H) > maxSize {
		s := float64(maxSize) / float64(max(m.W, m.H))
		m = data.Resize(m, max(1, int(float64(m.W)*s+0.5)), max(1, int(float64(m.H)*s+0.5)))
	}
	y, err := translateRGB(g, m)
	if err != nil {
		return fmt.Errorf("%s: %v", in, err)
	}
	var buf bytes.Buffer
	switch strings.ToLower(filepath.Ext(out)) {
	case ".jpg", ".jpeg":
		err = jpeg.Encode(&buf, y.Image(), &jpeg.Options{Quality: quality})
	default:
		err = png.Encode(&buf, y.Image())
	}
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return train.WriteFileAtomic(out, buf.Bytes())
}

// translateRGB pads the image by reflection to a multiple of 4, runs the
// generator and crops back to the original size.
func translateRGB(g *nn.Generator, m *data.RGB) (*data.RGB, error) {
	pw, ph := (4-m.W%4)%4, (4-m.H%4)%4
	if m.W <= pw || m.H <= ph {
		return nil, fmt.Errorf("image %dx%d is too small", m.W, m.H)
	}
	W, H := m.W+pw, m.H+ph
	x := nn.NewTensor(1, 3, H, W)
	plane := make([]float32, 3*m.W*m.H)
	m.WriteCHW(plane)
	for c := 0; c < 3; c++ {
		for yy := 0; yy < H; yy++ {
			sy := reflect(yy, m.H)
			for xx := 0; xx < W; xx++ {
				x.Data[(c*H+yy)*W+xx] = plane[(c*m.H+sy)*m.W+reflect(xx, m.W)]
			}
		}
	}
	y, err := g.Forward(x)
	if err != nil {
		return nil, err
	}
	crop := make([]float32, 3*m.W*m.H)
	for c := 0; c < 3; c++ {
		for yy := 0; yy < m.H; yy++ {
			copy(crop[(c*m.H+yy)*m.W:(c*m.H+yy+1)*m.W], y.Data[(c*H+yy)*W:])
		}
	}
	return data.FromCHW(crop, m.W, m.H), nil
}

// reflect maps an index past the end back inside, mirroring without
// repeating the edge (as ReflectionPad2d).
func reflect(i, n int) int {
	if i >= n {
		return 2*(n-1) - i
	}
	return i
}
