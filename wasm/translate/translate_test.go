package translate

import (
	"errors"
	"testing"

	"github.com/cyclegan-go/cyclegan/nn"
)

// identity returns its input, cropped to nothing: it checks the round trip.
type identity struct{ calls int }

func (g *identity) Forward(x *nn.Tensor) (*nn.Tensor, error) {
	g.calls++
	if x.H()%Multiple != 0 || x.W()%Multiple != 0 {
		return nil, errors.New("size not a multiple of 4")
	}
	return x.Clone(), nil
}

func pattern(w, h int) []byte {
	p := make([]byte, 4*w*h)
	for i := range p {
		p[i] = byte(i*37 + i/7)
	}
	return p
}

// The official tensor2im truncates, so a round trip through [-1, 1] returns
// each byte or one less (float32 (v/255-0.5)/0.5 can land just below v).
func TestRoundTripLosesAtMostOne(t *testing.T) {
	for _, sz := range [][2]int{{1, 1}, {2, 3}, {5, 7}, {8, 8}, {13, 6}} {
		w, h := sz[0], sz[1]
		in := pattern(w, h)
		g := &identity{}
		out, err := Image(g, in, w, h)
		if err != nil {
			t.Fatalf("%d×%d: %v", w, h, err)
		}
		for i := range out {
			want := in[i]
			if i%4 == 3 {
				want = 255
			}
			if out[i] != want && !(i%4 != 3 && out[i]+1 == want) {
				t.Fatalf("%d×%d: byte %d = %d, want %d", w, h, i, out[i], want)
			}
		}
	}
}

func TestTensor2imTruncates(t *testing.T) {
	for _, c := range []struct {
		v    float32
		want byte
	}{{0, 127}, {0.999, 254}, {-0.999, 0}, {0.5, 191}, {-0.5, 63}} {
		if got := toByte(c.v); got != c.want {
			t.Errorf("toByte(%v) = %d, want %d", c.v, got, c.want)
		}
	}
	for v := 0; v < 256; v++ {
		x := (float32(v)/255 - 0.5) / 0.5
		if got := toByte(x); int(got) != v && int(got) != v-1 {
			t.Errorf("byte %d -> %v -> %d", v, x, got)
		}
	}
}

func TestReflectionPadding(t *testing.T) {
	// 5 wide pads to 8: columns 5,6,7 mirror columns 3,2,1 (PyTorch reflection).
	w, h := 5, 2
	in := make([]byte, 4*w*h)
	for x := 0; x < w; x++ {
		for y := 0; y < h; y++ {
			in[4*(y*w+x)] = byte(10 * x)
		}
	}
	tt, err := ToTensor(in, w, h)
	if err != nil {
		t.Fatal(err)
	}
	if tt.W() != 8 || tt.H() != 8 {
		t.Fatalf("padded to %v", tt.Shape)
	}
	wantCols := []int{0, 1, 2, 3, 4, 3, 2, 1}
	for x, c := range wantCols {
		want := (float32(10*c)/255 - 0.5) / 0.5
		if got := tt.Data[x]; got != want {
			t.Errorf("column %d = %v, want column %d (%v)", x, got, c, want)
		}
	}
	// Rows of a 2-high image alternate 0,1,0,1 (period 2).
	if got, want := reflect(2, 2), 0; got != want {
		t.Errorf("reflect(2,2) = %d, want %d", got, want)
	}
	if got, want := reflect(3, 2), 1; got != want {
		t.Errorf("reflect(3,2) = %d, want %d", got, want)
	}
}

func TestClampAndNaN(t *testing.T) {
	for _, c := range []struct {
		v    float32
		want byte
	}{{-2, 0}, {2, 255}, {1, 255}, {-1, 0}, {float32(nanf()), 0}} {
		if got := toByte(c.v); got != c.want {
			t.Errorf("toByte(%v) = %d, want %d", c.v, got, c.want)
		}
	}
}

func nanf() float64 { var z float64; return z / z }

func TestBadInput(t *testing.T) {
	if _, err := ToTensor(make([]byte, 10), 2, 2); err == nil {
		t.Error("wrong byte count accepted")
	}
	if _, err := ToTensor(nil, 0, 3); err == nil {
		t.Error("empty image accepted")
	}
	if err := ToRGBA(nn.NewTensor(1, 1, 4, 4), 4, 4, make([]byte, 64)); err == nil {
		t.Error("one-channel output accepted")
	}
}
