package translate

import (
	"slices"
	"testing"

	"github.com/cyclegan-go/cyclegan/nn"
)

// The official tensor2im truncates, so a round trip through [-1, 1] returns
// each byte or one less (float32 (v/255-0.5)/0.5 can land just below v).
func TestRoundTripLosesAtMostOne(t *testing.T) {
	for _, sz := range [][2]int{{8, 8}, {9, 11}, {13, 8}, {16, 21}} {
		for _, ch := range []int{3, 4} {
			in := pattern(sz[0], sz[1], ch)
			x := toTensor(in, 3)
			out := Pixels{W: in.W, H: in.H, Channels: ch, Pix: make([]byte, len(in.Pix))}
			fromTensor(x, out)
			for i := range out.Pix {
				want := in.Pix[i]
				if ch == 4 && i%4 == 3 {
					want = 255
				}
				if out.Pix[i] != want && !(out.Pix[i]+1 == want && !(ch == 4 && i%4 == 3)) {
					t.Fatalf("%v %d channels: byte %d = %d, want %d", sz, ch, i, out.Pix[i], want)
				}
			}
		}
	}
}

func TestTensor2imTruncates(t *testing.T) {
	for _, c := range []struct {
		v    float32
		want byte
	}{{0, 127}, {0.999, 254}, {-0.999, 0}, {0.5, 191}, {-0.5, 63}, {2, 255}, {-2, 0}} {
		if got := toByte(c.v); got != c.want {
			t.Errorf("toByte(%v) = %d, want %d", c.v, got, c.want)
		}
	}
}

// The padding mirrors without repeating the edge, as ReflectionPad2d: a row
// 0 1 … 8 padded to 12 continues 7 6 5.
func TestReflectionPadding(t *testing.T) {
	x := nn.NewTensor(1, 1, 9, 9)
	for i := range x.Data {
		x.Data[i] = float32(i%9) + 100*float32(i/9)
	}
	p := padTensor(x)
	if p.H() != 12 || p.W() != 12 {
		t.Fatalf("padded to %dx%d, want 12x12", p.H(), p.W())
	}
	wantCols := []float32{0, 1, 2, 3, 4, 5, 6, 7, 8, 7, 6, 5}
	wantRows := []float32{0, 1, 2, 3, 4, 5, 6, 7, 8, 7, 6, 5}
	for r := range 12 {
		for c := range 12 {
			if got, want := p.Data[r*12+c], wantCols[c]+100*wantRows[r]; got != want {
				t.Fatalf("padded (%d, %d) = %v, want %v", r, c, got, want)
			}
		}
	}
	if back := cropTensor(p, 9, 9); !slices.Equal(back.Data, x.Data) {
		t.Error("crop after pad is not the original")
	}
	if padTensor(p) != p {
		t.Error("a tensor already a multiple of 4 was copied")
	}
}

// grey is PIL's convert("L"): white stays 255, pure red is 76, green 150,
// blue 29 (PIL's own results).
func TestGreyIsPILs(t *testing.T) {
	for _, c := range []struct{ r, g, b, want byte }{{255, 255, 255, 255}, {255, 0, 0, 76}, {0, 255, 0, 150}, {0, 0, 255, 29}, {0, 0, 0, 0}, {10, 200, 30, 124}} {
		if got := grey(c.r, c.g, c.b); got != c.want {
			t.Errorf("grey(%d, %d, %d) = %d, want %d", c.r, c.g, c.b, got, c.want)
		}
	}
}
