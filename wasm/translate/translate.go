// Package translate turns an RGBA image into a generator's input tensor and
// the output tensor back into RGBA pixels, exactly as the official
// pytorch-CycleGAN-and-pix2pix test script does: pixels map to [-1, 1]
// (ToTensor then Normalize(0.5, 0.5), in float32), outputs map back with
// (x+1)/2*255 truncated to uint8 (tensor2im). Sizes that are not a multiple
// of 4 (or under 8) are reflection-padded on the right and bottom and
// cropped back.
//
// It is shared by the browser program (wasm/) and its tests; it has no
// dependency on syscall/js.
package translate

import (
	"fmt"

	"github.com/cyclegan-go/cyclegan/nn"
)

// Generator is the part of *nn.Generator the translator needs.
type Generator interface {
	Forward(x *nn.Tensor) (*nn.Tensor, error)
}

// Multiple is the size granularity of the ResNet generator (two stride-2
// downsamplings); MinSide is the smallest side it accepts.
const (
	Multiple = 4
	MinSide  = 8
)

// PaddedSize rounds n up to a multiple of Multiple, and at least MinSide.
func PaddedSize(n int) int { return max(MinSide, (n+Multiple-1)/Multiple*Multiple) }

// reflect maps an index in [0, 2n) onto [0, n) the way PyTorch's
// ReflectionPad2d does (mirror without repeating the edge pixel), folding
// again for images narrower than the padding.
func reflect(i, n int) int {
	if n == 1 {
		return 0
	}
	period := 2 * (n - 1)
	i %= period
	if i < 0 {
		i += period
	}
	if i >= n {
		i = period - i
	}
	return i
}

// ToTensor converts w×h RGBA pixels (row-major, 4 bytes a pixel, alpha
// ignored) into a 1×3×H×W tensor in [-1, 1], where H and W are h and w padded
// to a multiple of 4 by reflection.
func ToTensor(rgba []byte, w, h int) (*nn.Tensor, error) {
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("translate: image size %d×%d is empty", w, h)
	}
	if len(rgba) != 4*w*h {
		return nil, fmt.Errorf("translate: %d bytes of pixels for a %d×%d RGBA image, want %d", len(rgba), w, h, 4*w*h)
	}
	pw, ph := PaddedSize(w), PaddedSize(h)
	t := nn.NewTensor(1, 3, ph, pw)
	plane := pw * ph
	for y := 0; y < ph; y++ {
		sy := reflect(y, h)
		for x := 0; x < pw; x++ {
			sx := reflect(x, w)
			p := rgba[4*(sy*w+sx):]
			o := y*pw + x
			for c := 0; c < 3; c++ {
				t.Data[c*plane+o] = (float32(p[c])/255 - 0.5) / 0.5
			}
		}
	}
	return t, nil
}

// ToRGBA writes the top-left w×h pixels of a 1×3×H×W tensor in [-1, 1] into
// opaque RGBA bytes (len 4*w*h), using tensor2im's rounding: truncation of
// (x+1)/2*255 after clamping to [0, 255].
func ToRGBA(t *nn.Tensor, w, h int, dst []byte) error {
	if len(t.Shape) != 4 || t.N() != 1 || t.C() != 3 {
		return fmt.Errorf("translate: generator output has shape %v, want 1×3×H×W", t.Shape)
	}
	if t.H() < h || t.W() < w {
		return fmt.Errorf("translate: generator output %d×%d is smaller than the image %d×%d", t.W(), t.H(), w, h)
	}
	if len(dst) != 4*w*h {
		return fmt.Errorf("translate: %d bytes for a %d×%d RGBA image, want %d", len(dst), w, h, 4*w*h)
	}
	tw, plane := t.W(), t.W()*t.H()
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			o := y*tw + x
			d := dst[4*(y*w+x):]
			for c := 0; c < 3; c++ {
				d[c] = toByte(t.Data[c*plane+o])
			}
			d[3] = 255
		}
	}
	return nil
}

func toByte(v float32) byte {
	f := (v + 1) / 2 * 255
	if !(f > 0) { // also catches NaN
		return 0
	}
	if f >= 255 {
		return 255
	}
	return byte(f)
}

// Image runs g on w×h RGBA pixels and returns the translated RGBA pixels of
// the same size.
func Image(g Generator, rgba []byte, w, h int) ([]byte, error) {
	x, err := ToTensor(rgba, w, h)
	if err != nil {
		return nil, err
	}
	y, err := g.Forward(x)
	if err != nil {
		return nil, fmt.Errorf("translate: %w", err)
	}
	out := make([]byte, 4*w*h)
	if err := ToRGBA(y, w, h, out); err != nil {
		return nil, err
	}
	return out, nil
}
