package gallery

import (
	"image"
	"image/color"
	"slices"
	"strings"
	"testing"
)

func TestPalettedKeepsFewColoursExactly(t *testing.T) {
	m := solid(30, 20, color.NRGBA{200, 30, 40, 255})
	for x := 10; x < 20; x++ {
		for y := 0; y < 20; y++ {
			m.SetNRGBA(x, y, color.NRGBA{20, 90, 200, 255})
			m.SetNRGBA(x+10, y, color.NRGBA{250, 250, 10, 255})
		}
	}
	p, err := Paletted(m, 4, []color.NRGBA{background}, []image.Rectangle{m.Bounds()})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Palette) > 4 || p.Palette[0] != color.Color(background) {
		t.Errorf("palette %v: want at most 4 colours, white first", p.Palette)
	}
	for y := 0; y < 20; y++ {
		for x := 0; x < 30; x++ {
			if got, want := color.NRGBAModel.Convert(p.At(x, y)), m.NRGBAAt(x, y); got != want {
				t.Fatalf("pixel (%d,%d): %v, want %v", x, y, got, want)
			}
		}
	}
}

// A scene in 64 colours stays close to the original on average (the
// dithering makes single pixels differ more).
func TestPalettedSceneIsClose(t *testing.T) {
	m := Scene(64, 64, 5)
	p, err := Paletted(m, 64, nil, []image.Rectangle{m.Bounds()})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Palette) > 64 {
		t.Errorf("%d colours, want at most 64", len(p.Palette))
	}
	// Compare 4x4 block means, where dithering averages out.
	worst := 0.0
	for by := 0; by < 64; by += 4 {
		for bx := 0; bx < 64; bx += 4 {
			var a, b [3]float64
			for y := by; y < by+4; y++ {
				for x := bx; x < bx+4; x++ {
					c, d := m.NRGBAAt(x, y), color.NRGBAModel.Convert(p.At(x, y)).(color.NRGBA)
					a[0], a[1], a[2] = a[0]+float64(c.R), a[1]+float64(c.G), a[2]+float64(c.B)
					b[0], b[1], b[2] = b[0]+float64(d.R), b[1]+float64(d.G), b[2]+float64(d.B)
				}
			}
			for k := range a {
				worst = max(worst, (a[k]-b[k])/16, (b[k]-a[k])/16)
			}
		}
	}
	if worst > 12 {
		t.Errorf("a 4x4 block's mean colour moved by %.1f levels, want at most 12", worst)
	}
}

func TestPalettedSheetKeepsBackgroundAndLabels(t *testing.T) {
	rows := [][]image.Image{{Scene(32, 32, 1), Scene(32, 32, 2)}}
	sheet, err := Sheet([]string{"Original", "Sunny → Sunset"}, rows, 32)
	if err != nil {
		t.Fatal(err)
	}
	p, err := PalettedSheet(sheet, 2, 1, 32, 16)
	if err != nil {
		t.Fatal(err)
	}
	inkLeft := 0
	for y := 0; y < sheet.Bounds().Dy(); y++ {
		for x := 0; x < sheet.Bounds().Dx(); x++ {
			if (image.Point{x, y}).In(CellRect(0, 0, 32)) || (image.Point{x, y}).In(CellRect(0, 1, 32)) {
				continue
			}
			got, want := color.NRGBAModel.Convert(p.At(x, y)), sheet.NRGBAAt(x, y)
			if got != want {
				t.Fatalf("outside the pictures, pixel (%d,%d) is %v, want %v", x, y, got, want)
			}
			if want == ink {
				inkLeft++
			}
		}
	}
	if inkLeft == 0 {
		t.Error("the labels left no ink")
	}
}

func TestMedianCutIsDeterministic(t *testing.T) {
	counts := map[[3]uint8]int{}
	m := Scene(48, 48, 9)
	for i := 0; i < len(m.Pix); i += 4 {
		counts[[3]uint8{m.Pix[i], m.Pix[i+1], m.Pix[i+2]}]++
	}
	first := medianCut(counts, 20)
	if len(first) != 20 {
		t.Fatalf("%d colours, want 20", len(first))
	}
	for range 5 { // maps are iterated in a different order each time
		if again := medianCut(counts, 20); !slices.Equal(again, first) {
			t.Fatalf("medianCut differs between runs: %v then %v", first, again)
		}
	}
	if got := medianCut(map[[3]uint8]int{{1, 2, 3}: 5}, 8); len(got) != 1 || got[0] != [3]uint8{1, 2, 3} {
		t.Errorf("one colour asked for 8: %v", got)
	}
}

func TestPalettedRejectsBadSizes(t *testing.T) {
	m := solid(4, 4, color.NRGBA{A: 255})
	for _, tc := range []struct {
		n    int
		keep []color.NRGBA
	}{{1, nil}, {257, nil}, {2, []color.NRGBA{background, ink, {A: 255}}}} {
		if _, err := Paletted(m, tc.n, tc.keep, nil); err == nil || !strings.Contains(err.Error(), "want 2 to 256") {
			t.Errorf("%d colours with %d fixed: error %v", tc.n, len(tc.keep), err)
		}
	}
}
