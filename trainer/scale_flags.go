package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/cyclegan-go/cyclegan/translate"
	"github.com/cyclegan-go/cyclegan/weights"
)

// scaleFlags are the options of `translate` and `eval` that choose at which
// scale the generator runs (package translate, scale.go).
type scaleFlags struct {
	scale, carry, training *string
}

// addScaleFlags defines --scale, --carry and --training_scale on fs, with
// the translators' default (translate.Default).
func addScaleFlags(fs *flag.FlagSet) *scaleFlags {
	return &scaleFlags{
		scale: fs.String("scale", translate.Default.Scale.String(),
			"model: run the generator on the photo scaled to the model's training scale (recorded in the weight file) and carry the change up to the photo's size; full: run it at the photo's own size (exact, slower). Files that record no training scale, and photos no larger than it, run at full size"),
		carry: fs.String("carry", translate.Default.Carry.String(),
			"with --scale model, how the result reaches the photo's size: guided (a local colour map fitted at the model's scale, applied to the photo), additive (the photo plus the enlarged change), resize (the enlarged result)"),
		training: fs.String("training_scale", "",
			"the training scale to assume, as `PREPROCESS:LOAD_SIZE` (e.g. resize_and_crop:143), instead of the file's record: for files that record none"),
	}
}

// options reads the flags into translator options.
func (f *scaleFlags) options() (translate.Options, error) {
	var o translate.Options
	var err error
	if o.Scale, err = translate.ParseScale(*f.scale); err != nil {
		return o, fmt.Errorf("--scale: %w", err)
	}
	if o.Carry, err = translate.ParseCarry(*f.carry); err != nil {
		return o, fmt.Errorf("--carry: %w", err)
	}
	if *f.training != "" {
		mode, load, ok := strings.Cut(*f.training, ":")
		n, nerr := strconv.Atoi(load)
		if !ok || nerr != nil {
			return o, fmt.Errorf("--training_scale %q: want PREPROCESS:LOAD_SIZE, e.g. resize_and_crop:143", *f.training)
		}
		s := &weights.TrainingScale{Preprocess: mode, LoadSize: n, CropSize: n}
		if err := s.Validate(); err != nil {
			return o, fmt.Errorf("--training_scale %q: %w", *f.training, err)
		}
		o.Training = s
	}
	return o, nil
}
