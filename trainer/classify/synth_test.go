package classify

import (
	"fmt"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/cyclegan-go/cyclegan/trainer/data"
	"github.com/cyclegan-go/cyclegan/trainer/eval"
)

// A synthetic three-class problem where the classes differ by texture
// (horizontal stripes, vertical stripes, spots) and ALSO, in the training
// photos, by colour (orange, blue, green): colour is the easy cue. Trained
// with the colour augmentation, the classifier must learn the texture: it
// keeps its answers when the test photos are recoloured, and a colour
// transfer to another class's typical colour does not move them there.

var synthColours = [3][3]float64{{0.9, 0.5, 0.2}, {0.3, 0.5, 0.9}, {0.3, 0.8, 0.3}}

// synthPhoto draws a w×h photo of class c in the given base colour.
func synthPhoto(rng *rand.Rand, c, w, h int, colour [3]float64) *data.RGB {
	m := data.NewRGB(w, h)
	phase := rng.Float64() * 2 * math.Pi
	period := 6 + 4*rng.Float64()
	cx, cy := rng.Float64()*9, rng.Float64()*9
	for y := range h {
		for x := range w {
			var t float64
			switch c {
			case 0:
				t = math.Sin(2*math.Pi*float64(y)/period + phase)
			case 1:
				t = math.Sin(2*math.Pi*float64(x)/period + phase)
			default:
				t = math.Sin(2*math.Pi*(float64(x)+cx)/9) * math.Sin(2*math.Pi*(float64(y)+cy)/9) * 2
			}
			for k := range 3 {
				v := colour[k]*(0.75+0.2*t) + 0.05*rng.NormFloat64()
				m.Pix[3*(y*w+x)+k] = uint8(min(max(v, 0), 1)*255 + 0.5)
			}
		}
	}
	return m
}

// synthSet returns n photos per class, each class in its own colour
// (jittered a little).
func synthSet(seed uint64, n, w, h int) ([]*data.RGB, []int) {
	rng := rand.New(rand.NewPCG(seed, 7))
	var photos []*data.RGB
	var labels []int
	for i := range 3 * n {
		c := i % 3
		col := synthColours[c]
		for k := range col {
			col[k] = min(max(col[k]+0.08*rng.NormFloat64(), 0.05), 1)
		}
		photos = append(photos, synthPhoto(rng, c, w, h, col))
		labels = append(labels, c)
	}
	return photos, labels
}

func synthDataset(t *testing.T) *Dataset {
	photos, labels := synthSet(1, 40, 36, 40)
	ds := &Dataset{Classes: []string{"hstripes", "vstripes", "spots"}, Photos: photos, Labels: labels, Colour: make([]ColourStats, 3)}
	for i, p := range photos { // each photo's and class's typical colour, as LoadTrainSet computes them
		mean, std := labStats(eval.FromRGB(p).Pix)
		ds.PhotoColour = append(ds.PhotoColour, ColourStats{Mean: mean, Std: std})
		for k := range 3 {
			ds.Colour[labels[i]].Mean[k] += mean[k] / 40
			ds.Colour[labels[i]].Std[k] += std[k] / 40
		}
	}
	return ds
}

func trainSynth(t *testing.T, aug Augment) (*Model, *Dataset) {
	t.Helper()
	ds := synthDataset(t)
	o := TrainOptions{Epochs: 24, Batch: 12, LR: 3e-3, Seed: 1, Augment: aug}
	m, err := Train(ds, Config{Size: 32, Width: 6, Classes: ds.Classes}, o)
	if err != nil {
		t.Fatal(err)
	}
	return m, ds
}

// synthTest returns fresh test photos per class, in their own colours.
func synthTest() [][]*eval.Image {
	photos, labels := synthSet(99, 20, 32, 32)
	sets := make([][]*eval.Image, 3)
	for i, p := range photos {
		sets[labels[i]] = append(sets[labels[i]], eval.FromRGB(p))
	}
	return sets
}

// shareTo is the share of the photos the model assigns to class c.
func shareTo(t *testing.T, m *Model, set []*eval.Image, c int) float64 {
	t.Helper()
	pred, err := m.Classes(set)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range pred {
		if p == c {
			n++
		}
	}
	return float64(n) / float64(len(pred))
}

func TestSyntheticTextureNotColour(t *testing.T) {
	m, ds := trainSynth(t, DefaultAugment())
	sets := synthTest()
	conf, err := m.Confusion(sets)
	if err != nil {
		t.Fatal(err)
	}
	if acc := conf.Accuracy(); acc < 0.9 {
		t.Errorf("accuracy %.2f on fresh photos, want ≥ 0.9: %v", acc, conf.Counts)
	}
	// Recoloured: every photo hue-rotated, cast and rescaled at random.
	rng := rand.New(rand.NewPCG(5, 5))
	aug := Augment{Hue: true, Sat: 1.5, Cast: 0.3, Bright: 0.3, Contrast: 0.3}
	recol := make([][]*eval.Image, 3)
	for c, set := range sets {
		for _, img := range set {
			r := img.Clone()
			aug.Colour(r.Pix, rng)
			recol[c] = append(recol[c], r)
		}
	}
	if conf, _ := m.Confusion(recol); conf.Accuracy() < 0.85 {
		t.Errorf("accuracy %.2f on recoloured photos, want ≥ 0.85: %v", conf.Accuracy(), conf.Counts)
	}
	// A colour transfer to another class's typical colour keeps the class.
	for s := range 3 {
		for d := range 3 {
			if s == d {
				continue
			}
			if share := shareTo(t, m, TransferSet(sets[s], ds.Colour[d]), d); share > 0.15 {
				t.Errorf("class %d moved to the colours of class %d: %.0f%% assigned to %d, want ≤ 15%%", s, d, 100*share, d)
			}
		}
	}
}

// The same seed gives the same weights; another seed does not.
func TestTrainDeterministic(t *testing.T) {
	ds := synthDataset(t)
	run := func(seed uint64) []float32 {
		o := TrainOptions{Epochs: 2, Batch: 8, LR: 1e-3, Seed: seed, Augment: DefaultAugment()}
		m, err := Train(ds, Config{Size: 32, Width: 2, Classes: ds.Classes}, o)
		if err != nil {
			t.Fatal(err)
		}
		var w []float32
		for _, p := range m.Params() {
			w = append(w, p.Param.Value.Data...)
		}
		return w
	}
	a, b, c := run(1), run(1), run(2)
	same := func(x, y []float32) bool {
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	if !same(a, b) {
		t.Error("two runs with seed 1 differ")
	}
	if same(a, c) {
		t.Error("seeds 1 and 2 give the same weights")
	}
}

// LoadTrainSet leaves the held-out photos out, and with validation the
// next ranks as well, which it returns.
func TestLoadTrainSetExcludesHeldOut(t *testing.T) {
	root := t.TempDir()
	photos, _ := synthSet(3, 10, 20, 16)
	var names []string
	for i, p := range photos[:20] {
		name := fmt.Sprintf("p%02d.png", i)
		names = append(names, name)
		os.MkdirAll(filepath.Join(root, "x"), 0o755)
		f, err := os.Create(filepath.Join(root, "x", name))
		if err != nil {
			t.Fatal(err)
		}
		png.Encode(f, p.Image())
		f.Close()
	}
	hold := filepath.Join(root, "holdout")
	os.MkdirAll(hold, 0o755)
	held := eval.HoldOut(names, 0.1) // 2 names
	os.WriteFile(filepath.Join(hold, "x.txt"), eval.FormatList("", held), 0o644)
	ds, val, err := LoadTrainSet(root, []string{"x"}, hold, 16, false, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Photos) != 18 || val != nil {
		t.Errorf("%d training photos (want 18), validation %v", len(ds.Photos), val)
	}
	if ds.Photos[0].W != 23 || ds.Photos[0].H != 18 { // shorter side 16·9/8 = 18, 20×18/16 = 22.5 rounded
		t.Errorf("stored at %dx%d, want 23x18", ds.Photos[0].W, ds.Photos[0].H)
	}
	ds, val, err = LoadTrainSet(root, []string{"x"}, hold, 16, true, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Photos) != 16 || len(val) != 1 || len(val[0]) != 2 {
		t.Errorf("with validation: %d training photos (want 16), %d validation (want 2)", len(ds.Photos), len(val[0]))
	}
	if _, _, err := LoadTrainSet(root, []string{"x"}, t.TempDir(), 16, false, io.Discard); err == nil {
		t.Error("no held-out list: no error")
	}
}
