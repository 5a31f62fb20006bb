// Package data reads the training photos: folder datasets in the official
// layout (trainA, trainB, ...), decoding of JPEG/PNG/GIF/WebP with EXIF
// orientation, conversion to 8-bit RGB, the official preprocessing
// (resize, random crop, random flip, scale to [-1, 1]) and a loader that
// prepares the next batches while the current training step runs.
package data

import (
	"image"
	"image/color"
)

// RGB is an 8-bit RGB image, 3 bytes per pixel, rows top to bottom.
type RGB struct {
	W, H int
	Pix  []uint8
}

// NewRGB returns a black w x h image.
func NewRGB(w, h int) *RGB { return &RGB{W: w, H: h, Pix: make([]uint8, 3*w*h)} }

// ToRGB converts any decoded image to 8-bit RGB the way PIL's
// convert("RGB") does: alpha is dropped (not composited), 16-bit channels
// keep their high byte, greyscale is replicated, palettes are looked up.
func ToRGB(img image.Image) *RGB {
	b := img.Bounds()
	out := NewRGB(b.Dx(), b.Dy())
	p := out.Pix
	i := 0
	switch m := img.(type) {
	case *image.YCbCr:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				yi, ci := m.YOffset(x, y), m.COffset(x, y)
				r, g, bb := color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
				p[i], p[i+1], p[i+2] = r, g, bb
				i += 3
			}
		}
	case *image.NRGBA:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, y):]
			for x := 0; x < b.Dx(); x++ {
				p[i], p[i+1], p[i+2] = row[4*x], row[4*x+1], row[4*x+2]
				i += 3
			}
		}
	case *image.Gray:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, y):]
			for x := 0; x < b.Dx(); x++ {
				v := row[x]
				p[i], p[i+1], p[i+2] = v, v, v
				i += 3
			}
		}
	case *image.Paletted:
		pal := make([][3]uint8, len(m.Palette))
		for k, c := range m.Palette {
			n := color.NRGBAModel.Convert(c).(color.NRGBA)
			pal[k] = [3]uint8{n.R, n.G, n.B}
		}
		for y := b.Min.Y; y < b.Max.Y; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, y):]
			for x := 0; x < b.Dx(); x++ {
				var c [3]uint8
				if int(row[x]) < len(pal) {
					c = pal[row[x]]
				}
				p[i], p[i+1], p[i+2] = c[0], c[1], c[2]
				i += 3
			}
		}
	default:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				n := color.NRGBA64Model.Convert(img.At(x, y)).(color.NRGBA64)
				p[i], p[i+1], p[i+2] = uint8(n.R>>8), uint8(n.G>>8), uint8(n.B>>8)
				i += 3
			}
		}
	}
	return out
}

// FlipH mirrors the image left to right in place.
func (m *RGB) FlipH() {
	for y := 0; y < m.H; y++ {
		row := m.Pix[3*m.W*y : 3*m.W*(y+1)]
		for l, r := 0, m.W-1; l < r; l, r = l+1, r-1 {
			row[3*l], row[3*r] = row[3*r], row[3*l]
			row[3*l+1], row[3*r+1] = row[3*r+1], row[3*l+1]
			row[3*l+2], row[3*r+2] = row[3*r+2], row[3*l+2]
		}
	}
}

// Crop returns the w x h window whose top-left corner is (x0, y0).
func (m *RGB) Crop(x0, y0, w, h int) *RGB {
	out := NewRGB(w, h)
	for y := 0; y < h; y++ {
		copy(out.Pix[3*w*y:3*w*(y+1)], m.Pix[3*(m.W*(y0+y)+x0):])
	}
	return out
}

// Image returns the picture as a standard library image (for encoding).
func (m *RGB) Image() *image.NRGBA {
	out := image.NewNRGBA(image.Rect(0, 0, m.W, m.H))
	for i := 0; i < m.W*m.H; i++ {
		out.Pix[4*i], out.Pix[4*i+1], out.Pix[4*i+2], out.Pix[4*i+3] = m.Pix[3*i], m.Pix[3*i+1], m.Pix[3*i+2], 255
	}
	return out
}

// WriteCHW stores the image in dst (3*H*W floats, channel-major) scaled to
// [-1, 1] exactly as torchvision's ToTensor then Normalize(0.5, 0.5):
// (v/255 - 0.5) / 0.5 in float32.
func (m *RGB) WriteCHW(dst []float32) {
	hw := m.W * m.H
	for i := 0; i < hw; i++ {
		for c := 0; c < 3; c++ {
			v := float32(m.Pix[3*i+c]) / 255
			dst[c*hw+i] = (v - 0.5) / 0.5
		}
	}
}

// FromCHW converts a channel-major [-1, 1] image back to 8-bit RGB the way
// the official tensor2im does: (x + 1) / 2 * 255, truncated, clamped.
func FromCHW(src []float32, w, h int) *RGB {
	out := NewRGB(w, h)
	hw := w * h
	for i := 0; i < hw; i++ {
		for c := 0; c < 3; c++ {
			v := (float64(src[c*hw+i]) + 1) / 2 * 255
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
