package report

import (
	"fmt"
	"image/color"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/cyclegan-go/cyclegan/weights/atomicfile"
)

// lossColors are distinct colours for the eight official losses.
var lossColors = []color.RGBA{
	{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255},
	{148, 103, 189, 255}, {140, 86, 75, 255}, {227, 119, 194, 255}, {127, 127, 127, 255},
}

// PlotLosses draws each loss against the epoch (fractional) into a PNG,
// written atomically.
func PlotLosses(path string, entries []LossEntry, names []string, perEpoch int) error {
	p := plot.New()
	p.Title.Text = "CycleGAN losses"
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "loss"
	p.Legend.Top = true
	for i, n := range names {
		pts := make(plotter.XYs, 0, len(entries))
		for _, e := range entries {
			v, ok := e.Losses[n]
			if !ok {
				continue
			}
			x := float64(e.Epoch-1) + float64(e.Iter)/float64(max(perEpoch, 1))
			pts = append(pts, plotter.XY{X: x, Y: v})
		}
		if len(pts) == 0 {
			continue
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return err
		}
		line.Color = lossColors[i%len(lossColors)]
		p.Add(line)
		p.Legend.Add(n, line)
	}
	w, err := p.WriterTo(10*vg.Inch, 5*vg.Inch, "png")
	if err != nil {
		return err
	}
	err = atomicfile.Write(path, ".tmp*", func(f *os.File) error {
		_, err := w.WriteTo(f)
		return err
	})
	if err != nil {
		return fmt.Errorf("loss plot %s: %v", path, err)
	}
	return nil
}
