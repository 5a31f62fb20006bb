package eval

import (
	"image"
	"image/color"
	"testing"

	"github.com/cyclegan-go/cyclegan/trainer/data"
)

// A 300x200 picture in three vertical colour bands: scaled to 192x128 and
// cut to its centre 128x128, the left quarter is red, then green, the right
// quarter blue.
func TestSquareKeepsAspectAndCentre(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 300, 200))
	for y := 0; y < 200; y++ {
		for x := 0; x < 300; x++ {
			c := color.NRGBA{A: 255}
			switch {
			case x < 100:
				c.R = 255
			case x < 200:
				c.G = 255
			default:
				c.B = 255
			}
			img.SetNRGBA(x, y, c)
		}
	}
	sq, err := Square(data.ToRGB(img), 128)
	if err != nil {
		t.Fatal(err)
	}
	if sq.W != 128 || sq.H != 128 {
		t.Fatalf("size %dx%d", sq.W, sq.H)
	}
	m := FromRGB(sq)
	for _, c := range []struct{ x, ch int }{{10, 0}, {64, 1}, {118, 2}} {
		for ch := 0; ch < 3; ch++ {
			v := m.Plane(ch)[64*128+c.x]
			if want := float32(0); ch == c.ch {
				want = 1
				if v != want {
					t.Errorf("x=%d channel %d = %v, want %v", c.x, ch, v, want)
				}
			} else if v != want {
				t.Errorf("x=%d channel %d = %v, want %v", c.x, ch, v, want)
			}
		}
	}
	if back := m.RGB(); back.Pix[3*(64*128+10)] != 255 {
		t.Errorf("RGB round trip lost red: %v", back.Pix[3*(64*128+10):][:3])
	}
}
