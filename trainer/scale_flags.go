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
			"the training scale to assume, as `PREPROCESS:LOAD_SIZE[:CROP_SIZE]` (e.g. resize_and_crop:143), instead of the file's record: for files that record none"),
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
		s, err := parseTrainingScale(*f.training)
		if err != nil {
			return o, fmt.Errorf("--training_scale %w", err)
		}
		o.Training = s
	}
	return o, nil
}

// parseTrainingScale reads PREPROCESS:LOAD_SIZE[:CROP_SIZE] (the crop size
// defaults to the load size; only the load size matters to a translator).
func parseTrainingScale(text string) (*weights.TrainingScale, error) {
	parts := strings.Split(text, ":")
	sizes := make([]int, len(parts)-1)
	for i, p := range parts[1:] {
		n, err := strconv.Atoi(p)
		if err != nil {
			sizes = nil
			break
		}
		sizes[i] = n
	}
	if len(sizes) < 1 || len(sizes) > 2 {
		return nil, fmt.Errorf("%q: want PREPROCESS:LOAD_SIZE[:CROP_SIZE], e.g. resize_and_crop:286:256", text)
	}
	s := &weights.TrainingScale{Preprocess: parts[0], LoadSize: sizes[0], CropSize: sizes[len(sizes)-1]}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("%q: %w", text, err)
	}
	return s, nil
}
