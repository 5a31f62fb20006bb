package gallery

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Layout of a sheet, in pixels: a white margin around everything, a
// header row of column labels, and a gap between cells.
const (
	Margin  = 8
	Gap     = 4
	Header  = 20
	MinCell = 8 // the smallest cell Sheet accepts

	maxSheetPixels = 200_000_000 // refuse sheets that would need gigabytes
)

var (
	background = color.NRGBA{255, 255, 255, 255}
	ink        = color.NRGBA{32, 32, 32, 255}
	face       = basicfont.Face7x13
)

// SheetSize is the width and height of a sheet of cols x rows cells of
// cell x cell pixels.
func SheetSize(cols, rows, cell int) (w, h int) {
	return 2*Margin + cols*cell + (cols-1)*Gap, 2*Margin + Header + rows*cell + (rows-1)*Gap
}

// CellRect is where the image of row r, column c (both from 0) lies on a
// sheet with cell x cell cells.
func CellRect(r, c, cell int) image.Rectangle {
	x := Margin + c*(cell+Gap)
	y := Margin + Header + r*(cell+Gap)
	return image.Rect(x, y, x+cell, y+cell)
}

// Sheet composes a before/after sheet on white: the column labels on top
// (e.g. "Original", "Sunny → Sunset"), then one row per entry of rows, each
// holding one image per column. Every image is centre-cropped to a square
// and scaled to cell x cell pixels (copied as is when it already has that
// size). A label too wide for its cell is shortened with "...".
func Sheet(columns []string, rows [][]image.Image, cell int) (*image.NRGBA, error) {
	switch {
	case len(columns) == 0:
		return nil, fmt.Errorf("gallery sheet: no columns")
	case len(rows) == 0:
		return nil, fmt.Errorf("gallery sheet: no rows")
	case cell < MinCell:
		return nil, fmt.Errorf("gallery sheet: cell size %d: want at least %d pixels", cell, MinCell)
	}
	for r, row := range rows {
		if len(row) != len(columns) {
			return nil, fmt.Errorf("gallery sheet: row %d has %d images, want %d (one per column)", r+1, len(row), len(columns))
		}
		for c, m := range row {
			if m == nil || m.Bounds().Empty() {
				return nil, fmt.Errorf("gallery sheet: row %d, column %d (%s): no image", r+1, c+1, columns[c])
			}
		}
	}
	w, h := SheetSize(len(columns), len(rows), cell)
	if int64(w)*int64(h) > maxSheetPixels {
		return nil, fmt.Errorf("gallery sheet: %dx%d pixels is too large; use fewer rows or a smaller cell", w, h)
	}
	sheet := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.Draw(sheet, sheet.Bounds(), image.NewUniform(background), image.Point{}, draw.Src)
	for c, label := range columns {
		drawLabel(sheet, label, Margin+c*(cell+Gap), cell)
	}
	for r, row := range rows {
		for c, m := range row {
			fit(sheet, CellRect(r, c, cell), m)
		}
	}
	return sheet, nil
}

// fit draws the centre square of src into dst's rectangle r, scaling it
// with the Catmull-Rom filter unless the sizes already agree.
func fit(dst *image.NRGBA, r image.Rectangle, src image.Image) {
	b := src.Bounds()
	side := min(b.Dx(), b.Dy())
	x0, y0 := b.Min.X+(b.Dx()-side)/2, b.Min.Y+(b.Dy()-side)/2
	square := image.Rect(x0, y0, x0+side, y0+side)
	if side == r.Dx() {
		draw.Draw(dst, r, src, square.Min, draw.Over)
		return
	}
	xdraw.CatmullRom.Scale(dst, r, src, square, draw.Over, nil)
}

// drawLabel writes label centred over the column that starts at x and is
// width pixels wide. basicfont has ASCII only: "→" is drawn as an arrow
// glyph of the same size and any other non-ASCII rune as "?".
func drawLabel(dst *image.NRGBA, label string, x, width int) {
	runes := []rune(label)
	fit := width / face.Advance
	if len(runes) > fit {
		if fit > 3 {
			runes = append(runes[:fit-3], []rune("...")...)
		} else {
			runes = runes[:fit]
		}
	}
	x += (width - len(runes)*face.Advance) / 2
	baseline := Margin + face.Ascent + (Header-face.Height)/2
	d := font.Drawer{Dst: dst, Src: image.NewUniform(ink), Face: face}
	for i, r := range runes {
		gx := x + i*face.Advance
		switch {
		case r == '→':
			drawArrow(dst, gx, baseline-face.Ascent)
			continue
		case r < ' ' || r > '~':
			r = '?'
		}
		d.Dot = fixed.P(gx, baseline)
		d.DrawString(string(r))
	}
}

// arrowGlyph is "→" in basicfont's 7x13 cell, at the height of the
// lower-case letters' middle.
var arrowGlyph = []string{
	5: "....#..",
	6: ".....#.",
	7: "######.",
	8: ".....#.",
	9: "....#..",
}

// drawArrow draws arrowGlyph with its top-left corner at (x, y).
func drawArrow(dst *image.NRGBA, x, y int) {
	for dy, row := range arrowGlyph {
		for dx, ch := range row {
			if ch == '#' {
				dst.SetNRGBA(x+dx, y+dy, ink)
			}
		}
	}
}

// PalettedSheet is a sheet of cols x rows cells of cell x cell pixels
// (made by Sheet) reduced to at most n colours with Paletted: the
// background and the labels keep their exact colours, the pictures are
// dithered.
func PalettedSheet(sheet *image.NRGBA, cols, rows, cell, n int) (*image.Paletted, error) {
	var cells []image.Rectangle
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			cells = append(cells, CellRect(r, c, cell))
		}
	}
	return Paletted(sheet, n, []color.NRGBA{background, ink}, cells)
}
