package translate

import (
	"fmt"
	"math"

	"github.com/cyclegan-go/cyclegan/weights"
)

// Scale is the size a Translator runs its generator at.
type Scale int

const (
	// FullScale runs the generator on the photo at its own size: the exact
	// forward pass (the zero value).
	FullScale Scale = iota
	// ModelScale runs it on the photo scaled to the scale the model was trained
	// at (the file's training scale, ModelSize), and carries the change up
	// to the photo's size (Carry). Where that scale is unknown or not
	// smaller than the photo, it runs at full scale, and Plan says why.
	ModelScale
)

// Carry is how a translation at the model's scale reaches the photo's size.
type Carry int

const (
	// Guided fits, at the model's scale, a local affine colour map from the
	// scaled photo to the generator's output, and applies it, bilinearly
	// interpolated, to the photo at its own size (guided.go).
	Guided Carry = iota
	// Additive adds the change the generator made, enlarged, to the photo:
	// x + up(G(down x) − down x).
	Additive
	// Resized enlarges the generator's output: up(G(down x)). The baseline:
	// it loses the photo's detail finer than the model's scale.
	Resized
)

// Options say how a Translator runs. The zero value is FullScale, the exact
// forward pass.
type Options struct {
	Scale Scale
	Carry Carry // with ModelScale
	// Training, when not nil, replaces the file's training scale (for
	// measuring files that record none).
	Training *weights.TrainingScale
}

// Default is what the command and the page use unless told otherwise
// (docs/MODELS.md, "Inference at the model's scale", says why).
var Default = Options{Scale: ModelScale, Carry: Additive}

var (
	scaleNames = []string{FullScale: "full", ModelScale: "model"}
	carryNames = []string{Guided: "guided", Additive: "additive", Resized: "resize"}
)

func (s Scale) String() string { return name(scaleNames, int(s)) }
func (c Carry) String() string { return name(carryNames, int(c)) }

func name(names []string, i int) string {
	if i >= 0 && i < len(names) {
		return names[i]
	}
	return fmt.Sprintf("%d", i)
}

// ParseScale reads "model" or "full".
func ParseScale(s string) (Scale, error) {
	i, err := parse(scaleNames, s, "scale")
	return Scale(i), err
}

// ParseCarry reads "guided", "additive" or "resize".
func ParseCarry(s string) (Carry, error) {
	i, err := parse(carryNames, s, "carry-up")
	return Carry(i), err
}

func parse(names []string, s, what string) (int, error) {
	for i, n := range names {
		if s == n {
			return i, nil
		}
	}
	return 0, fmt.Errorf("unknown %s %q: want %v", what, s, names)
}

// ModelSize is the size a w×h photo has at the training scale s, and
// whether that is smaller than the photo (ok false: translate it at its own
// size). The rules follow how training scaled its photos:
//
//   - scale_width_and_crop: the photo's width becomes LoadSize, as in
//     training;
//   - resize_and_crop: training squeezed every photo to LoadSize×LoadSize;
//     the photo keeps its aspect ratio and gets as many pixels as that
//     square (each axis scaled by the geometric mean of the two axes'
//     training scales);
//   - crop and none: training used photos at their own size, so does this.
//
// A photo is never enlarged, and each side keeps at least MinSide pixels.
func ModelSize(s *weights.TrainingScale, w, h int) (mw, mh int, ok bool) {
	if s == nil || w <= 0 || h <= 0 {
		return w, h, false
	}
	var f float64
	switch s.Preprocess {
	case "scale_width_and_crop":
		f = float64(s.LoadSize) / float64(w)
	case "resize_and_crop":
		f = float64(s.LoadSize) / math.Sqrt(float64(w)*float64(h))
	default:
		return w, h, false
	}
	f = max(f, float64(MinSide)/float64(min(w, h)))
	mw, mh = max(int(float64(w)*f+0.5), MinSide), max(int(float64(h)*f+0.5), MinSide)
	if mw >= w || mh >= h {
		return w, h, false
	}
	return mw, mh, true
}

// Plan is what a Translator does with a photo of a given size.
type Plan struct {
	W, H  int    // the size the generator runs at
	Full  bool   // W×H is the photo's own size: the exact forward pass
	Carry Carry  // how the result reaches the photo's size, when not Full
	Note  string // one line for the user: the scale used, or why the photo runs at full resolution
}

// Plan says at which size t runs the generator for a w×h photo, and why.
func (t *Translator) Plan(w, h int) Plan {
	if t.opts.Scale == FullScale {
		return Plan{W: w, H: h, Full: true, Note: "full resolution (asked for)"}
	}
	s := t.opts.Training
	if s == nil {
		s = t.training
	}
	mw, mh, ok := ModelSize(s, w, h)
	switch {
	case ok:
		return Plan{W: mw, H: mh, Carry: t.opts.Carry, Note: fmt.Sprintf("at the model's scale, %d×%d, %s carry-up to %d×%d", mw, mh, t.opts.Carry, w, h)}
	case s == nil:
		return Plan{W: w, H: h, Full: true, Note: "full resolution: the weight file records no training scale"}
	case s.Preprocess == "crop" || s.Preprocess == "none":
		return Plan{W: w, H: h, Full: true, Note: "full resolution: the model was trained on photos at their own size"}
	}
	return Plan{W: w, H: h, Full: true, Note: "full resolution: the photo is no larger than the model's scale"}
}

// With returns a translator of the same generator that runs with o; t
// itself is unchanged, so translators with different options may share a
// model.
func (t *Translator) With(o Options) *Translator {
	u := *t
	u.opts = o
	return &u
}

// Options are the options t runs with.
func (t *Translator) Options() Options { return t.opts }

// TrainingScale is the training scale the weight file records (nil when it
// records none).
func (t *Translator) TrainingScale() *weights.TrainingScale { return t.training }
