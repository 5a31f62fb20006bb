package gallery

import (
	"cmp"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"slices"
)

// Paletted converts m to an image of at most n colours (2 to 256), which
// a PNG stores in one byte per pixel instead of three: a README picture
// then takes a third of the space. The palette holds the colours of keep
// exactly, then colours chosen by median cut (Heckbert 1982) from the
// pixels of the dither rectangles (the photos). Inside those rectangles the
// colours are Floyd–Steinberg dithered, so gradients such as the sky stay
// smooth; everywhere else each pixel takes the nearest colour, so flat
// areas (background, text) stay clean.
func Paletted(m *image.NRGBA, n int, keep []color.NRGBA, dither []image.Rectangle) (*image.Paletted, error) {
	if n < 2 || n > 256 || len(keep) > n {
		return nil, fmt.Errorf("gallery palette: %d colours (%d of them fixed): want 2 to 256, at least as many as the fixed ones", n, len(keep))
	}
	var pal color.Palette
	for _, c := range keep {
		pal = append(pal, c)
	}
	counts := map[[3]uint8]int{}
	for _, r := range dither {
		r = r.Intersect(m.Bounds())
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				c := m.NRGBAAt(x, y)
				counts[[3]uint8{c.R, c.G, c.B}]++
			}
		}
	}
	for _, c := range refine(medianCut(counts, n-len(keep)), counts, 4) {
		pal = append(pal, color.NRGBA{c[0], c[1], c[2], 255})
	}
	if len(pal) == 0 {
		pal = append(pal, color.NRGBA{A: 255})
	}
	p := image.NewPaletted(m.Bounds(), pal)
	draw.Draw(p, p.Bounds(), m, m.Bounds().Min, draw.Src)
	for _, r := range dither {
		r = r.Intersect(m.Bounds())
		draw.FloydSteinberg.Draw(p, r, m, r.Min)
	}
	return p, nil
}

// colourBox is a set of distinct colours with their pixel counts.
type colourBox struct {
	colours []colourCount
	pixels  int
	channel int     // the channel with the widest range of values
	error   float64 // sum over its pixels of the squared distance to its mean colour
}

type colourCount struct {
	c [3]uint8
	n int
}

func newColourBox(cs []colourCount) colourBox {
	b := colourBox{colours: cs}
	var sum, sq [3]float64
	for _, c := range cs {
		b.pixels += c.n
		for k := range 3 {
			v := float64(c.c[k])
			sum[k] += v * float64(c.n)
			sq[k] += v * v * float64(c.n)
		}
	}
	widest := -1.0
	for k := range 3 {
		e := sq[k] - sum[k]*sum[k]/float64(b.pixels) // n × variance
		b.error += e
		if e > widest {
			b.channel, widest = k, e
		}
	}
	return b
}

// medianCut picks at most n colours for the counted ones: it splits the
// colour set into boxes, again and again cutting the box with the largest
// squared error (its colours' distance from their mean, over its pixels)
// across the channel that varies most, at the median pixel, and returns each box's mean colour. The result depends only on
// the counts.
func medianCut(counts map[[3]uint8]int, n int) [][3]uint8 {
	if n <= 0 || len(counts) == 0 {
		return nil
	}
	all := make([]colourCount, 0, len(counts))
	for c, k := range counts {
		all = append(all, colourCount{c, k})
	}
	slices.SortFunc(all, func(a, b colourCount) int { return cmpColour(a.c, b.c) })
	boxes := []colourBox{newColourBox(all)}
	for len(boxes) < n {
		best, worst := -1, 0.0
		for i, b := range boxes {
			if len(b.colours) > 1 && b.error > worst {
				best, worst = i, b.error
			}
		}
		if best < 0 {
			break // every box holds a single colour
		}
		b := boxes[best]
		k := b.channel
		slices.SortFunc(b.colours, func(x, y colourCount) int {
			return cmp.Or(cmp.Compare(x.c[k], y.c[k]), cmpColour(x.c, y.c))
		})
		cut, seen := 1, 0
		for i, c := range b.colours[:len(b.colours)-1] {
			seen += c.n
			cut = i + 1
			if 2*seen >= b.pixels {
				break
			}
		}
		boxes[best] = newColourBox(b.colours[:cut])
		boxes = append(boxes, newColourBox(b.colours[cut:]))
	}
	out := make([][3]uint8, len(boxes))
	for i, b := range boxes {
		var sum [3]int
		for _, c := range b.colours {
			for k := range 3 {
				sum[k] += int(c.c[k]) * c.n
			}
		}
		for k := range 3 {
			out[i][k] = uint8((sum[k] + b.pixels/2) / b.pixels)
		}
	}
	return out
}

func cmpColour(a, b [3]uint8) int {
	return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]), cmp.Compare(a[2], b[2]))
}

// refine improves a palette with a few rounds of k-means (Lloyd's
// algorithm): each counted colour joins its nearest palette colour, and
// each palette colour moves to the mean of the colours that joined it.
func refine(pal [][3]uint8, counts map[[3]uint8]int, rounds int) [][3]uint8 {
	if len(pal) == 0 {
		return pal
	}
	colours := make([]colourCount, 0, len(counts))
	for c, k := range counts {
		colours = append(colours, colourCount{c, k})
	}
	// Sorted, so that the sums below are taken in the same order every run.
	slices.SortFunc(colours, func(a, b colourCount) int { return cmpColour(a.c, b.c) })
	for range rounds {
		sums := make([][4]int, len(pal))
		for _, c := range colours {
			best, bestD := 0, 1<<30
			for i, p := range pal {
				d := sqDist(c.c, p)
				if d < bestD {
					best, bestD = i, d
				}
			}
			for k := range 3 {
				sums[best][k] += int(c.c[k]) * c.n
			}
			sums[best][3] += c.n
		}
		for i, s := range sums {
			if s[3] > 0 {
				pal[i] = [3]uint8{uint8((s[0] + s[3]/2) / s[3]), uint8((s[1] + s[3]/2) / s[3]), uint8((s[2] + s[3]/2) / s[3])}
			}
		}
	}
	return pal
}

func sqDist(a, b [3]uint8) int {
	d0, d1, d2 := int(a[0])-int(b[0]), int(a[1])-int(b[1]), int(a[2])-int(b[2])
	return d0*d0 + d1*d1 + d2*d2
}
