package translate

import (
	"fmt"

	"github.com/cyclegan-go/cyclegan/nn"
)

// Memory bounds of a translation. The forward pass holds a few activations
// of NGF channels at the photo's full size at once (a convolution's input,
// its output and the kernels' scratch), so its peak grows with NGF × pixels.
// The constants are measured peak RSS of `cyclegan translate` (docs/PERF.md,
// "Memory") rounded up: about 16–18 bytes per pixel per NGF channel, plus
// the program itself.
const (
	bytesPerPixelPerNGF = 20
	baseBytes           = 150 << 20
	// DefaultMemoryLimit is the peak memory a translation may take unless
	// the user raises it (2 GB).
	DefaultMemoryLimit = 2 << 30
)

// PeakBytes estimates, from above, the peak memory of translating a w×h
// photo with a generator of config cfg.
func PeakBytes(cfg nn.GeneratorConfig, w, h int) int64 {
	px := int64(PaddedSize(w)+6) * int64(PaddedSize(h)+6)
	return baseBytes + bytesPerPixelPerNGF*int64(max(cfg.NGF, cfg.InputNC, cfg.OutputNC))*px
}

// ErrTooLarge is the class of the error for a photo whose translation would
// take more memory than the limit (errors.Is).
var ErrTooLarge = fmt.Errorf("photo too large to translate within the memory limit")

// CheckMemory returns an error when translating a w×h photo with cfg would
// take more than limit bytes; it says how much, and the largest long side
// that fits.
func CheckMemory(cfg nn.GeneratorConfig, w, h int, limit int64) error {
	need := PeakBytes(cfg, w, h)
	if need <= limit {
		return nil
	}
	fit := max(w, h)
	for fit > MinSide {
		fw, fh := FitSize(w, h, fit)
		if PeakBytes(cfg, fw, fh) <= limit {
			break
		}
		fit = fit * 9 / 10
	}
	return fmt.Errorf("%w: %d×%d pixels would need about %s with this model (ngf %d), over the %s limit; scale it down (a long side of %d fits) or raise the limit",
		ErrTooLarge, w, h, formatBytes(need), cfg.NGF, formatBytes(limit), fit)
}

// formatBytes writes n as "1.9 GB" or "640 MB".
func formatBytes(n int64) string {
	if n >= 1<<30 {
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	}
	return fmt.Sprintf("%d MB", n>>20)
}
