package classify

import (
	"fmt"
	"io"
	"strings"

	"github.com/cyclegan-go/cyclegan/nn"
	"github.com/cyclegan-go/cyclegan/trainer/eval"
)

// Input brings a photo to the model's input: three Size x Size planes in
// [0, 1]. A photo of another size is scaled (shorter side) and
// centre-cropped as the evaluation does (eval.Square, through 8 bits).
func (m *Model) Input(img *eval.Image) ([]float32, error) {
	s := m.Config.Size
	if img.W == s && img.H == s {
		return img.Pix, nil
	}
	sq, err := eval.Square(img.RGB(), s)
	if err != nil {
		return nil, err
	}
	return eval.FromRGB(sq).Pix, nil
}

// View is one version of a photo that Predict looks at: a square of
// Scale times the photo's shorter side, at relative place (X, Y) (0: left
// or top edge, 1/2: centre, 1: right or bottom edge), brought to the input
// size as Input does, and mirrored left to right or not.
type View struct {
	Scale, X, Y float64
	Mirror      bool
}

// DefaultViews are the views Predict averages: five squares of 85% of the
// shorter side (the mean size of the training crops), at the centre and
// in the four corners, each also mirrored. Chosen on the validation
// photos (docs/MODELS.md, "Domain classifier"), where they beat the
// centre square alone and with its mirror image.
var DefaultViews = cropViews(0.85)

// cropViews returns squares of the given scale at the centre and in the
// four corners, each as it is and mirrored.
func cropViews(scale float64) []View {
	var out []View
	for _, p := range [][2]float64{{0.5, 0.5}, {0, 0}, {1, 0}, {0, 1}, {1, 1}} {
		for _, mirror := range []bool{false, true} {
			out = append(out, View{Scale: scale, X: p[0], Y: p[1], Mirror: mirror})
		}
	}
	return out
}

// ViewInput returns view v of a photo as Input does: three Size x Size
// planes in [0, 1].
func (m *Model) ViewInput(img *eval.Image, v View) ([]float32, error) {
	if !(v.Scale > 0 && v.Scale <= 1) || !(v.X >= 0 && v.X <= 1) || !(v.Y >= 0 && v.Y <= 1) {
		return nil, fmt.Errorf("classify: view %+v: want a scale in (0, 1] and a place in [0, 1]", v)
	}
	var pix []float32
	if v.Scale == 1 {
		p, err := m.Input(img)
		if err != nil {
			return nil, err
		}
		pix = p
	} else {
		side := max(1, int(v.Scale*float64(min(img.W, img.H))+0.5))
		x0 := int(v.X*float64(img.W-side) + 0.5)
		y0 := int(v.Y*float64(img.H-side) + 0.5)
		sq, err := eval.Square(img.RGB().Crop(x0, y0, side, side), m.Config.Size)
		if err != nil {
			return nil, err
		}
		pix = eval.FromRGB(sq).Pix
	}
	if v.Mirror {
		s := m.Config.Size
		out := make([]float32, len(pix))
		for r := range 3 * s { // every row of every plane
			row, dst := pix[r*s:(r+1)*s], out[r*s:(r+1)*s]
			for x, val := range row {
				dst[s-1-x] = val
			}
		}
		pix = out
	}
	return pix, nil
}

// predictBatch is the number of inputs run through the network at once.
const predictBatch = 16

// Predict returns each photo's class probabilities: the mean of the
// softmax over DefaultViews.
func (m *Model) Predict(imgs []*eval.Image) ([][]float32, error) {
	return m.PredictViews(imgs, DefaultViews)
}

// PredictViews returns each photo's class probabilities, the mean of the
// softmax over the given views of it.
func (m *Model) PredictViews(imgs []*eval.Image, views []View) ([][]float32, error) {
	if len(views) == 0 {
		return nil, fmt.Errorf("classify: no views to predict from")
	}
	s := m.Config.Size
	k := len(m.Config.Classes)
	out := make([][]float32, len(imgs))
	n := len(imgs) * len(views) // input j is view j%len(views) of photo j/len(views)
	for lo := 0; lo < n; lo += predictBatch {
		hi := min(lo+predictBatch, n)
		x := nn.NewTensor(hi-lo, 3, s, s)
		for j := lo; j < hi; j++ {
			pix, err := m.ViewInput(imgs[j/len(views)], views[j%len(views)])
			if err != nil {
				return nil, err
			}
			toNetwork(x.Data[(j-lo)*3*s*s:(j-lo+1)*3*s*s], pix)
		}
		y, err := m.Logits(x)
		if err != nil {
			return nil, err
		}
		for j := lo; j < hi; j++ {
			p := out[j/len(views)]
			if p == nil {
				p = make([]float32, k)
				out[j/len(views)] = p
			}
			for c, v := range Softmax(y.Data[(j-lo)*k : (j-lo+1)*k]) {
				p[c] += v / float32(len(views))
			}
		}
	}
	return out, nil
}

// Classes returns each photo's most probable class (an index into
// Config.Classes).
func (m *Model) Classes(imgs []*eval.Image) ([]int, error) {
	return m.ClassesViews(imgs, DefaultViews)
}

// ClassesViews is Classes with the probabilities averaged over views.
func (m *Model) ClassesViews(imgs []*eval.Image, views []View) ([]int, error) {
	probs, err := m.PredictViews(imgs, views)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(probs))
	for i, p := range probs {
		for j, v := range p {
			if v > p[out[i]] {
				out[i] = j
			}
		}
	}
	return out, nil
}

// ClassIndex returns the index of the class named name, or -1.
func (m *Model) ClassIndex(name string) int {
	for i, n := range m.Config.Classes {
		if n == name {
			return i
		}
	}
	return -1
}

// toNetwork maps [0, 1] to the network's [-1, 1].
func toNetwork(dst, pix []float32) {
	for i, v := range pix {
		dst[i] = 2*v - 1
	}
}

// Confusion counts predictions by true class (rows) and predicted class
// (columns).
type Confusion struct {
	Classes []string
	Counts  [][]int
}

// NewConfusion returns an empty matrix over classes.
func NewConfusion(classes []string) *Confusion {
	c := &Confusion{Classes: classes, Counts: make([][]int, len(classes))}
	for i := range c.Counts {
		c.Counts[i] = make([]int, len(classes))
	}
	return c
}

// Add counts the predictions pred of photos whose true class is truth.
func (c *Confusion) Add(truth int, pred []int) {
	for _, p := range pred {
		c.Counts[truth][p]++
	}
}

// Row returns the photos of class i and how many were classified right.
func (c *Confusion) Row(i int) (n, right int) {
	for _, v := range c.Counts[i] {
		n += v
	}
	return n, c.Counts[i][i]
}

// Accuracy is the share of all counted photos classified right (0 when
// there are none).
func (c *Confusion) Accuracy() float64 {
	var n, right int
	for i := range c.Counts {
		ni, ri := c.Row(i)
		n += ni
		right += ri
	}
	if n == 0 {
		return 0
	}
	return float64(right) / float64(n)
}

// Print writes the matrix with each row's accuracy and the overall one.
// Rows without photos are left out.
func (c *Confusion) Print(w io.Writer, indent string) {
	fmt.Fprintf(w, "%s%-12s", indent, "true \\ pred")
	for _, n := range c.Classes {
		fmt.Fprintf(w, "%9s", n)
	}
	fmt.Fprintf(w, "%10s\n", "correct")
	for i, name := range c.Classes {
		n, right := c.Row(i)
		if n == 0 {
			continue
		}
		var b strings.Builder
		for _, v := range c.Counts[i] {
			fmt.Fprintf(&b, "%9d", v)
		}
		fmt.Fprintf(w, "%s%-12s%s  %3d/%-3d %3.0f%%\n", indent, name, b.String(), right, n, 100*float64(right)/float64(n))
	}
	fmt.Fprintf(w, "%soverall accuracy %.1f%%\n", indent, 100*c.Accuracy())
}
