package classify

import (
	"math/rand/v2"
	"testing"

	"github.com/cyclegan-go/cyclegan/trainer/data"
	"github.com/cyclegan-go/cyclegan/trainer/eval"
)

// randomPhoto returns a w×h photo of random 8-bit values.
func randomPhoto(rng *rand.Rand, w, h int) *eval.Image {
	m := data.NewRGB(w, h)
	for i := range m.Pix {
		m.Pix[i] = uint8(rng.IntN(256))
	}
	return eval.FromRGB(m)
}

// mirrorPhoto returns img mirrored left to right.
func mirrorPhoto(img *eval.Image) *eval.Image {
	out := eval.NewImage(img.W, img.H)
	for r := range 3 * img.H {
		for x := range img.W {
			out.Pix[r*img.W+img.W-1-x] = img.Pix[r*img.W+x]
		}
	}
	return out
}

// Predict averages the default views: its probabilities are their mean,
// and a photo and its mirror image get the same ones.
func TestPredictAveragesViews(t *testing.T) {
	c := testClassifier(t)
	rng := rand.New(rand.NewPCG(3, 4))
	var imgs, mirrored []*eval.Image
	for range 3 { // 30 inputs: more than one batch
		img := randomPhoto(rng, 40, 40) // crops of 34 pixels: the centre one 3 from each side
		imgs = append(imgs, img)
		mirrored = append(mirrored, mirrorPhoto(img))
	}
	p, err := c.Predict(imgs)
	if err != nil {
		t.Fatal(err)
	}
	q, err := c.Predict(mirrored)
	if err != nil {
		t.Fatal(err)
	}
	mean := make([][]float32, len(imgs))
	for i := range mean {
		mean[i] = make([]float32, len(c.Config.Classes))
	}
	differ := false
	var first []float32
	for j, v := range DefaultViews {
		single, err := c.PredictViews(imgs, []View{v})
		if err != nil {
			t.Fatal(err)
		}
		for i := range imgs {
			for k, x := range single[i] {
				mean[i][k] += x / float32(len(DefaultViews))
			}
		}
		if j == 0 {
			first = single[0]
		} else if abs32(single[0][0]-first[0]) > 1e-4 {
			differ = true
		}
	}
	if !differ {
		t.Error("the random network gives every view the same answer: the test sees nothing")
	}
	for i := range imgs {
		for k := range p[i] {
			if abs32(p[i][k]-q[i][k]) > 1e-5 {
				t.Fatalf("photo %d: probabilities %v, of its mirror image %v: want the same", i, p[i], q[i])
			}
			if abs32(p[i][k]-mean[i][k]) > 1e-5 {
				t.Fatalf("photo %d: probabilities %v, want the mean of the views' %v", i, p[i], mean[i])
			}
		}
	}
}

// A view is the square it names, brought to the input size as Input
// does, mirrored when asked.
func TestViewInput(t *testing.T) {
	c := testClassifier(t)
	s := c.Config.Size
	rng := rand.New(rand.NewPCG(5, 6))
	img := randomPhoto(rng, 3*s, 2*s)
	corner := eval.FromRGB(img.RGB().Crop(2*s, s, s, s)) // bottom right, half the shorter side
	for _, mirror := range []bool{false, true} {
		got, err := c.ViewInput(img, View{Scale: 0.5, X: 1, Y: 1, Mirror: mirror})
		if err != nil {
			t.Fatal(err)
		}
		want := corner
		if mirror {
			want = mirrorPhoto(corner)
		}
		for i, v := range want.Pix {
			if got[i] != v {
				t.Fatalf("mirror %t: value %d is %v, want %v", mirror, i, got[i], v)
			}
		}
	}
	whole, err := c.Input(img)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.ViewInput(img, View{Scale: 1, X: 0.5, Y: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range whole {
		if got[i] != v {
			t.Fatalf("the whole centre square differs from Input at %d", i)
		}
	}
	for _, v := range []View{{}, {Scale: 1.5, X: 0.5, Y: 0.5}, {Scale: 1, X: -0.1, Y: 0.5}, {Scale: 1, X: 0.5, Y: 2}} {
		if _, err := c.ViewInput(img, v); err == nil {
			t.Errorf("view %+v: no error", v)
		}
	}
	if _, err := c.PredictViews([]*eval.Image{img}, nil); err == nil {
		t.Error("no views: no error")
	}
}
