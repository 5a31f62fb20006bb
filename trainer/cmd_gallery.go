package main

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/cyclegan-go/cyclegan/trainer/data"
	"github.com/cyclegan-go/cyclegan/trainer/eval"
	"github.com/cyclegan-go/cyclegan/trainer/gallery"
	"github.com/cyclegan-go/cyclegan/translate"
	"github.com/cyclegan-go/cyclegan/weights/atomicfile"
)

func init() {
	register("gallery", "render a before/after sheet of translations (synthetic scenes or held-out photos)", runGallery)
}

// runGallery implements `cyclegan gallery`.
func runGallery(args []string) error { return renderGallery(os.Stdout, os.Stderr, args) }

// fileList is a flag that may be repeated (-w A -w B).
type fileList []string

func (l *fileList) String() string     { return strings.Join(*l, ",") }
func (l *fileList) Set(s string) error { *l = append(*l, s); return nil }

// galleryOptions are the flags of `cyclegan gallery`.
type galleryOptions struct {
	weights   fileList // -w: one column per file
	synthetic int      // --synthetic N: the inputs are scenes 1..N; else
	dirA      string   // -a: the inputs are photos of this folder,
	holdout   string   // those named in HOLDOUT/<folder name>.txt
	list      string   // or in this list
	maxN      int      // at most this many photos (0: all)
	direction string   // AtoB or BtoA
	size      int      // side of each picture
	colors    int      // at most this many colours in the PNG (0: full colour)
	out       string   // the PNG to write
}

// galleryModel is one column of the sheet: a translator, its label and
// the file it comes from.
type galleryModel struct {
	label, path string
	tr          *translate.Translator
}

// renderGallery is runGallery writing to the given streams (tests pass buffers).
func renderGallery(stdout, stderr io.Writer, args []string) error {
	fs := flag.NewFlagSet("gallery", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o galleryOptions
	fs.Var(&o.weights, "w", "weight `file` (repeat -w for one column per file)")
	fs.IntVar(&o.synthetic, "synthetic", 0, "translate `N` synthetic sunny scenes (seeds 1..N) instead of photos")
	fs.StringVar(&o.dirA, "a", "", "`folder` of input photos (of the direction's source domain)")
	fs.StringVar(&o.holdout, "holdout", "", "`folder` of held-out lists (e.g. models/holdout): use only the photos named in FOLDER/<name of the -a folder>.txt")
	fs.StringVar(&o.list, "list", "", "use only the photos of -a named in this `file` (one name per line)")
	fs.IntVar(&o.maxN, "max", 8, "at most `N` photos, one row each (0: all)")
	fs.StringVar(&o.direction, "direction", "AtoB", "AtoB uses each file's G_A, BtoA its G_B")
	fs.IntVar(&o.size, "size", 256, "each picture is scaled (shorter side) and centre-cropped to `SIZE` x SIZE; a multiple of 4")
	fs.StringVar(&o.out, "o", "", "output PNG `file` (required)")
	fs.IntVar(&o.colors, "colors", 0, "write a palette PNG of at most `N` colours (2 to 256; about a third of the size, dithered); 0: full colour")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `usage: cyclegan gallery -w MODEL.cgw [-w MODEL2.cgw ...] (--synthetic N | -a DIR [--holdout models/holdout | --list FILE] [--max N])
                        [--direction AtoB|BtoA] [--size 256] [--colors 256] -o OUT.png

Renders a before/after sheet: one row per input (a synthetic sunny scene, or a
photo of DIR scaled and centre-cropped as `+"`cyclegan eval`"+` does), the input
first, then its translation by each weight file, under labels such as
"Original", "Sunny → Sunset". Unreadable photos are skipped with a warning.

options:
`)
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if err := o.check(pos); err != nil {
		fs.Usage()
		return err
	}
	models, err := loadGalleryModels(o.weights, o.direction)
	if err != nil {
		return err
	}
	inputs, err := o.inputs(stderr)
	if err != nil {
		return err
	}
	columns := []string{"Original"}
	for _, mo := range models {
		columns = append(columns, mo.label)
	}
	rows := make([][]image.Image, len(inputs))
	for i, m := range inputs {
		fmt.Fprintf(stderr, "\rtranslating %d/%d", i+1, len(inputs))
		rows[i] = []image.Image{m.Image()}
		for _, mo := range models {
			y, err := translateRGB(mo.tr, m)
			if err != nil {
				return fmt.Errorf("%s: %v", mo.path, err)
			}
			rows[i] = append(rows[i], y.Image())
		}
	}
	fmt.Fprintln(stderr)
	sheet, err := gallery.Sheet(columns, rows, o.size)
	if err != nil {
		return err
	}
	var pic image.Image = sheet
	if o.colors > 0 {
		if pic, err = gallery.PalettedSheet(sheet, len(columns), len(rows), o.size, o.colors); err != nil {
			return err
		}
	}
	if err := writePNG(o.out, pic); err != nil {
		return err
	}
	b := sheet.Bounds()
	fmt.Fprintf(stdout, "wrote %s: %d rows, columns %s (%dx%d pixels)\n", o.out, len(rows), strings.Join(columns, " | "), b.Dx(), b.Dy())
	return nil
}

// check refuses flag combinations that make no sense, before anything is
// read; pos are the arguments left after the flags.
func (o *galleryOptions) check(pos []string) error {
	switch {
	case len(pos) != 0:
		return fmt.Errorf("unexpected argument %q (photos come from -a DIR)", pos[0])
	case len(o.weights) == 0:
		return fmt.Errorf("need at least one -w FILE")
	case o.out == "":
		return fmt.Errorf("need -o OUT.png")
	case strings.ToLower(filepath.Ext(o.out)) != ".png":
		return fmt.Errorf("-o %s: the sheet is written as PNG; give a name ending in .png", o.out)
	case (o.synthetic != 0) == (o.dirA != ""):
		return fmt.Errorf("give either --synthetic N or -a DIR")
	case o.synthetic < 0 || o.synthetic > 1000:
		return fmt.Errorf("--synthetic %d: want 1 to 1000 scenes", o.synthetic)
	case o.dirA == "" && (o.holdout != "" || o.list != ""):
		return fmt.Errorf("--holdout and --list choose photos of -a DIR; they do not apply to --synthetic")
	case o.holdout != "" && o.list != "":
		return fmt.Errorf("give --holdout or --list, not both")
	case o.maxN < 0:
		return fmt.Errorf("--max %d: want 0 (all) or more", o.maxN)
	case o.size < 16 || o.size > 2048 || o.size%4 != 0:
		return fmt.Errorf("--size %d: want a multiple of 4 from 16 to 2048", o.size)
	case o.direction != "AtoB" && o.direction != "BtoA":
		return fmt.Errorf("--direction %q: want AtoB or BtoA", o.direction)
	case o.colors != 0 && (o.colors < 2 || o.colors > 256):
		return fmt.Errorf("--colors %d: want 2 to 256, or 0 for full colour", o.colors)
	}
	return nil
}

// loadGalleryModels opens each weight file's translator for the direction
// (AtoB: the file's G_A, BtoA: its G_B).
func loadGalleryModels(paths []string, direction string) ([]galleryModel, error) {
	var models []galleryModel
	for _, p := range paths {
		m, err := translate.Open(p)
		if err != nil {
			return nil, err
		}
		tr, err := m.Translator(direction)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		models = append(models, galleryModel{tr.Direction.Label, p, tr.With(translate.Default)})
	}
	return models, nil
}

// inputs are the pictures of the first column: the synthetic scenes, or
// the photos of -a (warnings about skipped photos go to warn).
func (o *galleryOptions) inputs(warn io.Writer) ([]*data.RGB, error) {
	var inputs []*data.RGB
	if o.synthetic > 0 {
		for seed := 1; seed <= o.synthetic; seed++ {
			inputs = append(inputs, data.ToRGB(gallery.Scene(o.size, o.size, uint64(seed))))
		}
		return inputs, nil
	}
	list := o.list
	if o.holdout != "" {
		list = filepath.Join(o.holdout, filepath.Base(filepath.Clean(o.dirA))+".txt")
	}
	inputs, paths, err := galleryPhotos(warn, o.dirA, list, o.maxN, o.size)
	if err != nil {
		return nil, err
	}
	for _, p := range paths {
		if sameFile(p, o.out) {
			return nil, fmt.Errorf("-o %s is one of the input photos; choose another output", o.out)
		}
	}
	return inputs, nil
}

// galleryPhotos loads up to maxN photos of dir (0: all), only those named
// in list when list is not empty, each scaled and centre-cropped to size x
// size as `cyclegan eval` does. A photo that is missing or cannot be read
// is skipped with a warning that names it; a folder that gives no photo at
// all is an error. It returns the pictures and their paths.
func galleryPhotos(warn io.Writer, dir, list string, maxN, size int) ([]*data.RGB, []string, error) {
	var names []string // nil: every photo in dir
	if list != "" {
		var err error
		if names, err = eval.ReadList(list); err != nil {
			return nil, nil, fmt.Errorf("photo list: %w", err)
		}
	}
	paths, err := eval.SetPaths(dir, names, warn)
	if err != nil {
		return nil, nil, err
	}
	var imgs []*data.RGB
	var used []string
	for _, p := range paths {
		if maxN > 0 && len(imgs) == maxN {
			break
		}
		m, err := data.Load(p)
		if err == nil {
			if m, err = eval.Square(m, size); err != nil {
				err = fmt.Errorf("%s: %v", p, err)
			}
		}
		if err != nil {
			fmt.Fprintf(warn, "gallery: skipping %v\n", err)
			continue
		}
		imgs = append(imgs, m)
		used = append(used, p)
	}
	if len(imgs) == 0 {
		if list != "" {
			return nil, nil, fmt.Errorf("photo folder %s: none of the %d photos listed in %s can be read", dir, len(paths), list)
		}
		return nil, nil, fmt.Errorf("photo folder %s: none of its photos can be read", dir)
	}
	return imgs, used, nil
}

// writePNG encodes m as a PNG (best compression) and writes it
// atomically, readable by everyone, making its folder if needed.
func writePNG(path string, m image.Image) error {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, m); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteBytes(path, buf.Bytes())
}

// sameFile reports whether a and b name the same existing file.
func sameFile(a, b string) bool {
	sa, err := os.Stat(a)
	if err != nil {
		return false
	}
	sb, err := os.Stat(b)
	return err == nil && os.SameFile(sa, sb)
}
