package data

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Preprocess holds the official preprocessing options.
type Preprocess struct {
	Mode     string // resize_and_crop | scale_width_and_crop | crop | none
	LoadSize int    // --load_size
	CropSize int    // --crop_size
	NoFlip   bool   // --no_flip
}

// Validate checks the option combination before any image is read.
func (p Preprocess) Validate() error {
	switch p.Mode {
	case "resize_and_crop", "scale_width_and_crop", "crop", "none":
	default:
		return fmt.Errorf("--preprocess %q: want resize_and_crop, scale_width_and_crop, crop or none", p.Mode)
	}
	if p.Mode != "none" {
		if p.CropSize <= 0 || p.CropSize%4 != 0 {
			return fmt.Errorf("--crop_size %d: must be a positive multiple of 4", p.CropSize)
		}
	}
	if p.Mode == "resize_and_crop" || p.Mode == "scale_width_and_crop" {
		if p.LoadSize < p.CropSize {
			return fmt.Errorf("--load_size %d is smaller than --crop_size %d", p.LoadSize, p.CropSize)
		}
	}
	return nil
}

// Apply runs the official get_transform pipeline on one image with the
// random draws taken from rng (crop offsets first, then the flip coin),
// and returns the result still as 8-bit RGB (ToCHW scales it).
func (p Preprocess) Apply(path string, m *RGB, rng *rand.Rand) (*RGB, error) {
	switch p.Mode {
	case "resize_and_crop":
		m = Resize(m, p.LoadSize, p.LoadSize)
	case "scale_width_and_crop":
		m = scaleWidth(m, p.LoadSize, p.CropSize)
	case "none":
		m = makePower(m, 4)
	}
	if p.Mode != "none" {
		if m.W < p.CropSize || m.H < p.CropSize {
			return nil, fmt.Errorf("%s: image is %dx%d, smaller than --crop_size %d", path, m.W, m.H, p.CropSize)
		}
		// torchvision RandomCrop.get_params: top first, then left.
		top := rng.IntN(m.H - p.CropSize + 1)
		left := rng.IntN(m.W - p.CropSize + 1)
		m = m.Crop(left, top, p.CropSize, p.CropSize)
	}
	if !p.NoFlip && rng.Float64() < 0.5 {
		m.FlipH()
	}
	return m, nil
}

// scaleWidth is the official __scale_width: width to target, height kept
// in proportion but at least crop.
func scaleWidth(m *RGB, target, crop int) *RGB {
	if m.W == target && m.H >= crop {
		return m
	}
	h := int(math.Max(float64(target*m.H)/float64(m.W), float64(crop)))
	return Resize(m, target, h)
}

// makePower is the official __make_power_2: both sides rounded to the
// nearest multiple of base.
func makePower(m *RGB, base int) *RGB {
	h := int(math.RoundToEven(float64(m.H)/float64(base))) * base
	w := int(math.RoundToEven(float64(m.W)/float64(base))) * base
	if h == 0 {
		h = base
	}
	if w == 0 {
		w = base
	}
	if h == m.H && w == m.W {
		return m
	}
	return Resize(m, w, h)
}
