package eval

import (
	"fmt"
	"image"

	"github.com/cyclegan-go/cyclegan/trainer/data"
)

// Image is an RGB picture as three float32 planes (R, G, B; channel-major,
// rows top to bottom) with values in [0, 1].
type Image struct {
	W, H int
	Pix  []float32 // 3*W*H values: Pix[(c*H+y)*W+x]
}

// NewImage returns a black w x h image.
func NewImage(w, h int) *Image { return &Image{W: w, H: h, Pix: make([]float32, 3*w*h)} }

// FromRGB converts an 8-bit image (v/255).
func FromRGB(m *data.RGB) *Image {
	out := NewImage(m.W, m.H)
	hw := m.W * m.H
	for i := 0; i < hw; i++ {
		for c := 0; c < 3; c++ {
			out.Pix[c*hw+i] = float32(m.Pix[3*i+c]) / 255
		}
	}
	return out
}

// FromImage converts any decoded image (alpha dropped, as data.ToRGB).
func FromImage(img image.Image) *Image { return FromRGB(data.ToRGB(img)) }

// RGB converts back to 8 bits, rounding and clamping.
func (m *Image) RGB() *data.RGB {
	out := data.NewRGB(m.W, m.H)
	hw := m.W * m.H
	for i := 0; i < hw; i++ {
		for c := 0; c < 3; c++ {
			v := m.Pix[c*hw+i]*255 + 0.5
			if v < 0 {
				v = 0
			}
			if v > 255 {
				v = 255
			}
			out.Pix[3*i+c] = uint8(v)
		}
	}
	return out
}

// Plane returns channel c (0 R, 1 G, 2 B) as a slice of Pix.
func (m *Image) Plane(c int) []float32 { return m.Pix[c*m.W*m.H : (c+1)*m.W*m.H] }

// Clone returns a deep copy.
func (m *Image) Clone() *Image {
	return &Image{W: m.W, H: m.H, Pix: append([]float32(nil), m.Pix...)}
}

// Square brings a photo to the evaluation size: the shorter side is scaled
// to size with PIL's bicubic filter (data.Resize, as the training
// preprocessing), keeping the aspect ratio, and the centre size x size
// square is cut out.
func Square(m *data.RGB, size int) (*data.RGB, error) {
	if size < 1 {
		return nil, fmt.Errorf("evaluation size %d: must be positive", size)
	}
	if m.W < 1 || m.H < 1 {
		return nil, fmt.Errorf("image is empty (%dx%d)", m.W, m.H)
	}
	w, h := size, size
	if m.W > m.H {
		w = max(size, int(float64(m.W)*float64(size)/float64(m.H)+0.5))
	} else {
		h = max(size, int(float64(m.H)*float64(size)/float64(m.W)+0.5))
	}
	r := data.Resize(m, w, h)
	return r.Crop((w-size)/2, (h-size)/2, size, size), nil
}
