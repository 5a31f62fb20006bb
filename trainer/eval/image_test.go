package eval

import (
	"image"
	"image/color"
	"math"
	"testing"

	"github.com/cyclegan-go/cyclegan/nn"
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

// A generator whose weights are all zero outputs tanh(0) = 0, which is 0.5
// in image units, whatever the input.
func TestTranslateMapsRanges(t *testing.T) {
	g := nn.NewResnetGenerator(nn.GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 2, NBlocks: 1})
	m := synthSet(1, 1, 16)[0]
	out, err := Translate(g, m)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range out.Pix {
		if math.Abs(float64(v)-0.5) > 1e-6 {
			t.Fatalf("value %d = %v, want 0.5", i, v)
		}
	}
	// A bias on the last convolution moves the output to (tanh(b)+1)/2.
	ps := g.Params()
	last := ps[len(ps)-1].Param.Value.Data
	for i := range last {
		last[i] = 0.5
	}
	out, err = Translate(g, m)
	if err != nil {
		t.Fatal(err)
	}
	if want := (math.Tanh(0.5) + 1) / 2; math.Abs(float64(out.Pix[0])-want) > 1e-5 {
		t.Errorf("with bias 0.5: %v, want %v", out.Pix[0], want)
	}
	if _, err := Translate(g, NewImage(18, 18)); err == nil {
		t.Error("18x18 input (not a multiple of 4): no error")
	}
}
