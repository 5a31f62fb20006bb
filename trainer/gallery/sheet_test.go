package gallery

import (
	"image"
	"image/color"
	"strings"
	"testing"
)

// solid is a w x h image of one colour.
func solid(w, h int, c color.NRGBA) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(m.Pix); i += 4 {
		m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	return m
}

func TestSheetPlacesEachImageInItsCell(t *testing.T) {
	const cell = 32
	red, green := color.NRGBA{200, 10, 10, 255}, color.NRGBA{10, 200, 10, 255}
	scene := Scene(cell, cell, 3)
	rows := [][]image.Image{
		{scene, solid(cell, cell, red)},
		{solid(cell, cell, green), solid(3*cell, 2*cell, red)}, // scaled down
	}
	sheet, err := Sheet([]string{"Original", "Sunny → Sunset"}, rows, cell)
	if err != nil {
		t.Fatal(err)
	}
	w, h := SheetSize(2, 2, cell)
	if sheet.Bounds() != image.Rect(0, 0, w, h) {
		t.Fatalf("sheet is %v, want %dx%d", sheet.Bounds(), w, h)
	}
	if want := 2*Margin + 2*cell + Gap; w != want {
		t.Errorf("width %d, want %d", w, want)
	}
	// The scene is copied pixel for pixel into row 0, column 0.
	r := CellRect(0, 0, cell)
	for _, p := range []image.Point{{0, 0}, {5, 17}, {cell - 1, cell - 1}} {
		if got, want := sheet.NRGBAAt(r.Min.X+p.X, r.Min.Y+p.Y), scene.NRGBAAt(p.X, p.Y); got != want {
			t.Errorf("cell (0,0) at %v: %v, want the scene's %v", p, got, want)
		}
	}
	checks := []struct {
		r, c int
		want color.NRGBA
	}{{0, 1, red}, {1, 0, green}, {1, 1, red}}
	for _, k := range checks {
		r := CellRect(k.r, k.c, cell)
		for _, p := range []image.Point{r.Min, r.Max.Sub(image.Pt(1, 1)), r.Min.Add(r.Max).Div(2)} {
			if got := sheet.NRGBAAt(p.X, p.Y); got != k.want {
				t.Errorf("cell (%d,%d) at %v: %v, want %v", k.r, k.c, p, got, k.want)
			}
		}
	}
	// Margins and gaps are white.
	white := color.NRGBA{255, 255, 255, 255}
	for _, p := range []image.Point{{0, 0}, {w - 1, h - 1}, {Margin + cell + Gap/2, h / 2}} {
		if got := sheet.NRGBAAt(p.X, p.Y); got != white {
			t.Errorf("background at %v: %v, want white", p, got)
		}
	}
	// Each label leaves ink in the header above its column.
	for c := 0; c < 2; c++ {
		if n := inkIn(sheet, image.Rect(Margin+c*(cell+Gap), Margin, Margin+c*(cell+Gap)+cell, Margin+Header)); n == 0 {
			t.Errorf("no label above column %d", c)
		}
	}
}

// The arrow is drawn (basicfont has no "→"), not the replacement glyph.
func TestLabelArrow(t *testing.T) {
	sheet, err := Sheet([]string{"→"}, [][]image.Image{{solid(16, 16, color.NRGBA{A: 255})}}, 16)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, row := range arrowGlyph {
		want += strings.Count(row, "#")
	}
	header := image.Rect(Margin, Margin, Margin+16, Margin+Header)
	if n := inkIn(sheet, header); n != want || want == 0 {
		t.Errorf("the arrow left %d dark pixels, want the %d of its glyph", n, want)
	}
}

func TestSheetRejectsBadArguments(t *testing.T) {
	m := solid(16, 16, color.NRGBA{A: 255})
	for _, tc := range []struct {
		name    string
		columns []string
		rows    [][]image.Image
		cell    int
		want    string
	}{
		{"no rows", []string{"a"}, nil, 16, "no rows"},
		{"no columns", nil, [][]image.Image{{m}}, 16, "no columns"},
		{"ragged", []string{"a", "b"}, [][]image.Image{{m, m}, {m}}, 16, "row 2 has 1 images, want 2"},
		{"small cell", []string{"a"}, [][]image.Image{{m}}, 7, "cell size 7"},
		{"nil image", []string{"a", "b"}, [][]image.Image{{m, nil}}, 16, "row 1, column 2 (b): no image"},
		{"empty image", []string{"a"}, [][]image.Image{{image.NewNRGBA(image.Rect(0, 0, 0, 5))}}, 16, "no image"},
		{"huge", []string{"a"}, [][]image.Image{{m}}, 1 << 15, "too large"},
	} {
		sheet, err := Sheet(tc.columns, tc.rows, tc.cell)
		if err == nil || !strings.Contains(err.Error(), tc.want) || sheet != nil {
			t.Errorf("%s: got %v, %v; want an error containing %q", tc.name, sheet != nil, err, tc.want)
		}
	}
}

func TestLongLabelIsShortened(t *testing.T) {
	sheet, err := Sheet([]string{strings.Repeat("x", 40)}, [][]image.Image{{solid(16, 16, color.NRGBA{A: 255})}}, 16)
	if err != nil {
		t.Fatal(err)
	}
	// Nothing is written outside the column's width.
	left := image.Rect(0, Margin, Margin, Margin+Header)
	right := image.Rect(Margin+16, Margin, sheet.Bounds().Dx(), Margin+Header)
	if inkIn(sheet, left)+inkIn(sheet, right) != 0 {
		t.Error("a long label spills outside its column")
	}
}

// inkIn counts the non-white pixels of r.
func inkIn(m *image.NRGBA, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if c := m.NRGBAAt(x, y); c.R != 255 || c.G != 255 || c.B != 255 {
				n++
			}
		}
	}
	return n
}
