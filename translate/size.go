package translate

import (
	"errors"
	"fmt"
)

// The generator's size rules: two stride-2 downsamplings make it work on
// sizes that are a multiple of Multiple, and its 7×7 reflection-padded
// convolutions need at least MinSide pixels on each side.
const (
	Multiple = 4
	MinSide  = 8
)

// ErrTooSmall is the class of the error for an image with a side under
// MinSide pixels (errors.Is).
var ErrTooSmall = errors.New("image too small to translate")

// CheckSize returns the error every user of a translator shows for a w×h
// image that cannot be translated, or nil.
func CheckSize(w, h int) error {
	if w < MinSide || h < MinSide {
		return fmt.Errorf("%w: it is %d×%d pixels and needs at least %d on each side", ErrTooSmall, w, h, MinSide)
	}
	return nil
}

// PaddedSize is the size the generator runs at for an image side of n
// pixels (n ≥ MinSide): n rounded up to a multiple of Multiple.
func PaddedSize(n int) int { return (n + Multiple - 1) / Multiple * Multiple }

// FitSize is the size of a w×h image scaled down so that its long side is at
// most maxSide (rounded to the nearest pixel, at least 1); maxSide ≤ 0 or an
// image already within it keeps its size.
func FitSize(w, h, maxSide int) (int, int) {
	if maxSide <= 0 || max(w, h) <= maxSide {
		return w, h
	}
	s := float64(maxSide) / float64(max(w, h))
	return max(1, int(float64(w)*s+0.5)), max(1, int(float64(h)*s+0.5))
}

// CheckFit is CheckSize for an image of w×h pixels that is first scaled down
// to a long side of maxSide (FitSize): the error names both sizes and says
// what to change, before any pixel is decoded or scaled.
func CheckFit(w, h, maxSide int) error {
	fw, fh := FitSize(w, h, maxSide)
	if fw == w && fh == h {
		return CheckSize(w, h)
	}
	if err := CheckSize(fw, fh); err != nil {
		return fmt.Errorf("%w: it is %d×%d pixels, %d×%d after scaling its long side to %d, and needs at least %d on each side (raise the size limit or crop the photo)",
			ErrTooSmall, w, h, fw, fh, maxSide, MinSide)
	}
	return nil
}
