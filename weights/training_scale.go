package weights

import "fmt"

// TrainingScale records how the training photos were scaled before the
// generators saw them (the official --preprocess, --load_size and
// --crop_size), so that a translator can run a generator at the scale it
// learned (package translate). Files written before it existed record none.
type TrainingScale struct {
	Preprocess string `json:"preprocess"` // resize_and_crop | scale_width_and_crop | crop | none
	LoadSize   int    `json:"load_size"`  // photos scaled to this (a square side, or the width)
	CropSize   int    `json:"crop_size"`  // then random crops of this side
}

// maxScaleSide bounds the sizes a file may record.
const maxScaleSide = 16384

// Validate checks the record's mode and sizes.
func (s *TrainingScale) Validate() error {
	switch s.Preprocess {
	case "resize_and_crop", "scale_width_and_crop", "crop", "none":
	default:
		return fmt.Errorf("%w: training scale: unknown preprocess %q", ErrMetadata, s.Preprocess)
	}
	if s.LoadSize < 1 || s.LoadSize > maxScaleSide || s.CropSize < 1 || s.CropSize > maxScaleSide {
		return fmt.Errorf("%w: training scale: load_size %d, crop_size %d (want 1..%d)", ErrMetadata, s.LoadSize, s.CropSize, maxScaleSide)
	}
	if (s.Preprocess == "resize_and_crop" || s.Preprocess == "scale_width_and_crop") && s.CropSize > s.LoadSize {
		return fmt.Errorf("%w: training scale: crop_size %d exceeds load_size %d", ErrMetadata, s.CropSize, s.LoadSize)
	}
	return nil
}

// String describes the record as `cyclegan info` prints it.
func (s *TrainingScale) String() string {
	switch s.Preprocess {
	case "resize_and_crop":
		return fmt.Sprintf("photos resized to %d×%d, %d×%d crops (resize_and_crop)", s.LoadSize, s.LoadSize, s.CropSize, s.CropSize)
	case "scale_width_and_crop":
		return fmt.Sprintf("photos scaled to %d pixels wide, %d×%d crops (scale_width_and_crop)", s.LoadSize, s.CropSize, s.CropSize)
	case "crop":
		return fmt.Sprintf("photos at their own size, %d×%d crops (crop)", s.CropSize, s.CropSize)
	}
	return fmt.Sprintf("photos at their own size (%s)", s.Preprocess)
}
