package gallery

import (
	"bytes"
	"testing"
)

func TestSceneIsDeterministic(t *testing.T) {
	a, b := Scene(96, 64, 7), Scene(96, 64, 7)
	if a.Bounds().Dx() != 96 || a.Bounds().Dy() != 64 {
		t.Fatalf("Scene(96, 64) is %v", a.Bounds())
	}
	if !bytes.Equal(a.Pix, b.Pix) {
		t.Error("two scenes with seed 7 differ")
	}
	for i := 3; i < len(a.Pix); i += 4 {
		if a.Pix[i] != 255 {
			t.Fatalf("pixel %d is not opaque (alpha %d)", i/4, a.Pix[i])
		}
	}
}

func TestSeedsGiveDifferentScenes(t *testing.T) {
	a, b := Scene(64, 64, 1), Scene(64, 64, 2)
	diff := 0.0
	for i := range a.Pix {
		diff += absDiff(a.Pix[i], b.Pix[i])
	}
	if mean := diff / float64(len(a.Pix)); mean < 5 {
		t.Errorf("seeds 1 and 2: mean difference %.2f levels, want visibly different scenes", mean)
	}
}

// The sky is deep blue at the top and paler towards the horizon; the
// bottom of the picture is grass.
func TestSceneLooksLikeASunnyLandscape(t *testing.T) {
	const size = 128
	checked := 0
	for seed := uint64(1); seed <= 30; seed++ {
		m := Scene(size, size, seed)
		// The far hills never reach above 0.38 of the height (horizon >=
		// 0.5, at most 0.12 high): the rows just above that are sky.
		top, nTop := clearSky(m.Pix, size, 0, size/16)
		low, nLow := clearSky(m.Pix, size, size*30/100, size*36/100)
		if nTop > 0 && nLow > 0 {
			checked++
			if lum(top) >= lum(low) {
				t.Errorf("seed %d: the blue sky at the top (RGB %.0f) is not darker than near the horizon (%.0f)", seed, top, low)
			}
			if low[2]-low[0] >= top[2]-top[0] {
				t.Errorf("seed %d: the blue sky near the horizon (RGB %.0f) is not paler than at the top (%.0f)", seed, low, top)
			}
		}
		if all := meanRows(m.Pix, size, 0, size/16); all[2] <= all[0] || all[2] <= all[1] {
			t.Errorf("seed %d: the top rows are not blue: mean RGB %.0f", seed, all)
		}
		if bottom := meanRows(m.Pix, size, size*15/16, size); bottom[1] <= bottom[2] || bottom[1] <= bottom[0] {
			t.Errorf("seed %d: the bottom rows are not green: mean RGB %.0f", seed, bottom)
		}
	}
	if checked < 20 {
		t.Errorf("only %d of 30 scenes have clear blue sky both at the top and near the horizon", checked)
	}
}

// clearSky is the mean colour of the clearly blue pixels (blue at least 40
// levels above red: no cloud, no sun) of rows [y0, y1), and how many there
// are.
func clearSky(pix []uint8, w, y0, y1 int) (mean [3]float64, n int) {
	for i := 4 * w * y0; i < 4*w*y1; i += 4 {
		if int(pix[i+2]) < int(pix[i])+40 {
			continue
		}
		for c := range mean {
			mean[c] += float64(pix[i+c])
		}
		n++
	}
	for c := range mean {
		mean[c] /= float64(max(n, 1))
	}
	return mean, n
}

func TestSceneOfNoSizeIsEmpty(t *testing.T) {
	for _, wh := range [][2]int{{0, 10}, {10, 0}, {-3, 5}} {
		if m := Scene(wh[0], wh[1], 1); !m.Bounds().Empty() {
			t.Errorf("Scene(%d, %d) is %v, want empty", wh[0], wh[1], m.Bounds())
		}
	}
}

// meanRows is the mean R, G, B of rows [y0, y1) of an NRGBA image w wide.
func meanRows(pix []uint8, w, y0, y1 int) [3]float64 {
	var s [3]float64
	for i := 4 * w * y0; i < 4*w*y1; i += 4 {
		for c := range s {
			s[c] += float64(pix[i+c])
		}
	}
	n := float64(w * (y1 - y0))
	return [3]float64{s[0] / n, s[1] / n, s[2] / n}
}

func lum(c [3]float64) float64 { return 0.299*c[0] + 0.587*c[1] + 0.114*c[2] }

func absDiff(a, b uint8) float64 {
	if a > b {
		return float64(a - b)
	}
	return float64(b - a)
}
