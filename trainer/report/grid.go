package report

import (
	"bytes"
	"image"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"

	"github.com/cyclegan-go/cyclegan/weights/atomicfile"
)

// Grid lays out images (all the same size) in rows of `cols`, with a gap
// of 4 white pixels, and writes a PNG atomically. Each row of a CycleGAN
// sample is real A | fake B | rec A | real B | fake A | rec B.
func Grid(path string, imgs []image.Image, cols int) error {
	if len(imgs) == 0 {
		return nil
	}
	const gap = 4
	w, h := imgs[0].Bounds().Dx(), imgs[0].Bounds().Dy()
	rows := (len(imgs) + cols - 1) / cols
	out := image.NewNRGBA(image.Rect(0, 0, cols*w+(cols-1)*gap, rows*h+(rows-1)*gap))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	for i, m := range imgs {
		x, y := (i%cols)*(w+gap), (i/cols)*(h+gap)
		draw.Draw(out, image.Rect(x, y, x+w, y+h), m, m.Bounds().Min, draw.Src)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, out); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteBytes(path, buf.Bytes())
}
