package translate

import (
	"fmt"

	"github.com/cyclegan-go/cyclegan/nn"
)

// Pixels is an 8-bit colour image, rows top to bottom, with Channels bytes a
// pixel: 3 (RGB) or 4 (RGBA, as the browser's ImageData; alpha is ignored on
// the way in and 255 on the way out).
type Pixels struct {
	W, H     int
	Channels int
	Pix      []byte
}

// check reports whether p is a well-formed image.
func (p Pixels) check() error {
	switch {
	case p.Channels != 3 && p.Channels != 4:
		return fmt.Errorf("translate: %d bytes a pixel; want 3 (RGB) or 4 (RGBA)", p.Channels)
	case p.W <= 0 || p.H <= 0:
		return fmt.Errorf("translate: image size %d×%d is empty", p.W, p.H)
	case len(p.Pix) != p.Channels*p.W*p.H:
		return fmt.Errorf("translate: %d bytes of pixels for a %d×%d image of %d bytes a pixel, want %d",
			len(p.Pix), p.W, p.H, p.Channels, p.Channels*p.W*p.H)
	}
	return nil
}

// reflect maps an index in [0, 2n-1) onto [0, n) the way PyTorch's
// ReflectionPad2d does (mirror without repeating the edge pixel).
func reflect(i, n int) int {
	if i >= n {
		return 2*(n-1) - i
	}
	return i
}

// toFloat is the official input mapping of one byte: ToTensor, then
// Normalize(0.5, 0.5), in float32.
func toFloat(b byte) float32 { return (float32(b)/255 - 0.5) / 0.5 }

// floatOfByte is toFloat of every byte.
var floatOfByte = func() (t [256]float32) {
	for i := range t {
		t[i] = toFloat(byte(i))
	}
	return t
}()

// toByte is the official tensor2im of one value: (v+1)/2·255, clamped to
// [0, 255] and truncated.
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

// grey is PIL's convert("L") of one RGB pixel (ITU-R 601-2 luma, rounded).
func grey(r, g, b byte) byte {
	return byte((uint32(r)*19595 + uint32(g)*38470 + uint32(b)*7471 + 0x8000) >> 16)
}

// toTensor converts p into a 1×channels×H×W tensor in [-1, 1] (channels 3:
// the colours; 1: grey), H and W being p's size padded by reflection to a
// multiple of Multiple. p's size must pass CheckSize.
func toTensor(p Pixels, channels int) *nn.Tensor {
	return toTensorSize(p, channels, PaddedSize(p.W), PaddedSize(p.H))
}

// toTensorSize is toTensor padded to pw×ph (at least p's size; p.W×p.H
// for no padding).
func toTensorSize(p Pixels, channels, pw, ph int) *nn.Tensor {
	t := nn.NewTensor(1, channels, ph, pw)
	plane := pw * ph
	if pw == p.W && ph == p.H && channels == 3 {
		// Unpadded colour (the model's scale): row by row, from a table.
		lut := &floatOfByte
		nc := p.Channels
		for y := range ph {
			row := p.Pix[y*pw*nc : (y+1)*pw*nc]
			r, g, b := t.Data[y*pw:][:pw], t.Data[plane+y*pw:][:pw], t.Data[2*plane+y*pw:][:pw]
			for x := range r {
				px := row[x*nc : x*nc+3 : x*nc+3]
				r[x], g[x], b[x] = lut[px[0]], lut[px[1]], lut[px[2]]
			}
		}
		return t
	}
	for y := 0; y < ph; y++ {
		row := p.Pix[reflect(y, p.H)*p.W*p.Channels:]
		for x := 0; x < pw; x++ {
			px := row[reflect(x, p.W)*p.Channels:]
			o := y*pw + x
			if channels == 1 {
				t.Data[o] = toFloat(grey(px[0], px[1], px[2]))
				continue
			}
			for c := range 3 {
				t.Data[c*plane+o] = toFloat(px[c])
			}
		}
	}
	return t
}

// fromTensor writes the top-left W×H pixels of a 1×C×H'×W' tensor in [-1, 1]
// (C 3, or 1 for grey, repeated in the three colours as tensor2im does)
// into dst, which has dst.Channels bytes a pixel.
func fromTensor(t *nn.Tensor, dst Pixels) {
	tw, plane := t.W(), t.W()*t.H()
	grey := t.C() == 1
	if !grey {
		// Colour: row by row.
		nc, w := dst.Channels, dst.W
		for y := range dst.H {
			d := dst.Pix[y*w*nc : (y+1)*w*nc]
			r, g, b := t.Data[y*tw:][:w], t.Data[plane+y*tw:][:w], t.Data[2*plane+y*tw:][:w]
			for x := range r {
				px := d[x*nc : x*nc+nc : x*nc+nc]
				px[0], px[1], px[2] = toByte(r[x]), toByte(g[x]), toByte(b[x])
				if nc == 4 {
					px[3] = 255
				}
			}
		}
		return
	}
	for y := 0; y < dst.H; y++ {
		for x := 0; x < dst.W; x++ {
			o := y*tw + x
			d := dst.Pix[(y*dst.W+x)*dst.Channels:]
			for c := range 3 {
				if grey {
					d[c] = toByte(t.Data[o])
				} else {
					d[c] = toByte(t.Data[c*plane+o])
				}
			}
			if dst.Channels == 4 {
				d[3] = 255
			}
		}
	}
}

// padTensor pads a 1×C×h×w tensor by reflection to a multiple of Multiple on
// the right and bottom (x itself when it already is one).
func padTensor(x *nn.Tensor) *nn.Tensor {
	c, h, w := x.C(), x.H(), x.W()
	ph, pw := PaddedSize(h), PaddedSize(w)
	if ph == h && pw == w {
		return x
	}
	t := nn.NewTensor(1, c, ph, pw)
	for k := range c {
		src := x.Data[k*h*w : (k+1)*h*w]
		dst := t.Data[k*ph*pw : (k+1)*ph*pw]
		for y := range ph {
			sr := src[reflect(y, h)*w:]
			dr := dst[y*pw : (y+1)*pw]
			for xx := range pw {
				dr[xx] = sr[reflect(xx, w)]
			}
		}
	}
	return t
}

// cropTensor returns the top-left h×w of a 1×C×H×W tensor (y itself when
// it has that size).
func cropTensor(y *nn.Tensor, h, w int) *nn.Tensor {
	c, H, W := y.C(), y.H(), y.W()
	if H == h && W == w {
		return y
	}
	t := nn.NewTensor(1, c, h, w)
	for k := range c {
		for r := range h {
			copy(t.Data[(k*h+r)*w:(k*h+r+1)*w], y.Data[(k*H+r)*W:])
		}
	}
	return t
}

// PixelsToTensor is the network input Pixels feeds a generator of the given
// input channels (1 or 3): p in [-1, 1], padded by reflection to a multiple
// of Multiple. For peers and benchmarks that run the network themselves.
func PixelsToTensor(p Pixels, channels int) (*nn.Tensor, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	if err := CheckSize(p.W, p.H); err != nil {
		return nil, err
	}
	if !photoChannels(channels) {
		return nil, fmt.Errorf("translate: %d input channels; want 1 or 3", channels)
	}
	return toTensor(p, channels), nil
}

// TensorToPixels is the image Pixels makes of a network output: the top-left
// w×h of a 1×C×H×W tensor (C 1 or 3) as 8-bit pixels of the given channels
// (3 or 4).
func TensorToPixels(t *nn.Tensor, w, h, channels int) (Pixels, error) {
	out := Pixels{W: w, H: h, Channels: channels, Pix: make([]byte, max(0, channels*w*h))}
	if err := out.check(); err != nil {
		return Pixels{}, err
	}
	if len(t.Shape) != 4 || t.N() != 1 || !photoChannels(t.C()) || t.H() < h || t.W() < w {
		return Pixels{}, fmt.Errorf("translate: network output of shape %v does not hold a 1×(1 or 3)×%d×%d image", t.Shape, h, w)
	}
	fromTensor(t, out)
	return out, nil
}
