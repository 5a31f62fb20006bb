package translate

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cyclegan-go/cyclegan/nn"
	"github.com/cyclegan-go/cyclegan/weights"
)

// FuzzTranslate drives the whole path a user's file and photo take — a
// valid weight file of any architecture the format allows (1 to 4 channels
// in and out, dropout or not), written and read back, then a photo of any
// size — and requires a translation of the photo's size or one of the
// documented refusals, never a panic. A 3 → 1 generator (a valid file)
// used to panic here.
func FuzzTranslate(f *testing.F) {
	// channels are 1 + inNC%4 and 1 + outNC%4: 2 means 3 (colour), 0 means 1 (grey)
	f.Add(uint8(2), uint8(2), uint8(2), uint8(1), false, uint8(9), uint8(13), true)  // 3 → 3, 10×14
	f.Add(uint8(2), uint8(0), uint8(2), uint8(0), false, uint8(16), uint8(8), true)  // 3 → 1, 17×9
	f.Add(uint8(0), uint8(2), uint8(3), uint8(2), true, uint8(8), uint8(30), false)  // 1 → 3, 9×31
	f.Add(uint8(3), uint8(1), uint8(1), uint8(1), false, uint8(5), uint8(40), true)  // 4 → 2: refused
	f.Add(uint8(2), uint8(2), uint8(1), uint8(0), false, uint8(3), uint8(20), false) // 4×21: too small
	f.Fuzz(func(t *testing.T, inNC, outNC, ngf, blocks uint8, dropout bool, w, h uint8, rgba bool) {
		cfg := nn.GeneratorConfig{InputNC: 1 + int(inNC)%4, OutputNC: 1 + int(outNC)%4, NGF: 1 + int(ngf)%6, NBlocks: int(blocks) % 3, Dropout: dropout}
		g := nn.NewResnetGenerator(cfg)
		nn.InitNormal(g.Params(), 0.2, rand.New(rand.NewPCG(uint64(w), uint64(h))))
		file := &weights.File{Meta: weights.Meta{Storage: "f16", Provenance: weights.Provenance{Source: "trained"}}}
		file.AddGenerator("G_A", "x", "y", g)
		var buf bytes.Buffer
		if err := weights.Write(&buf, file); err != nil {
			t.Fatalf("%+v: writing a valid file: %v", cfg, err)
		}
		m, err := Read(&buf)
		if err != nil {
			if photoChannels(cfg.InputNC) && photoChannels(cfg.OutputNC) || !strings.Contains(err.Error(), "only 1 (grey) or 3 (colour) channels") {
				t.Fatalf("%+v: %v", cfg, err)
			}
			return // refused, as documented
		}
		tr, err := m.Translator("AtoB")
		if err != nil {
			t.Fatal(err)
		}
		channels := 3
		if rgba {
			channels = 4
		}
		in := Pixels{W: 1 + int(w)%48, H: 1 + int(h)%48, Channels: channels}
		in.Pix = make([]byte, channels*in.W*in.H)
		for i := range in.Pix {
			in.Pix[i] = byte(i * 31)
		}
		out, err := tr.Pixels(context.Background(), in, nil)
		switch {
		case in.W < MinSide || in.H < MinSide:
			if !errors.Is(err, ErrTooSmall) {
				t.Fatalf("%+v, %dx%d: %v, want ErrTooSmall", cfg, in.W, in.H, err)
			}
		case err != nil:
			t.Fatalf("%+v, %dx%d: %v", cfg, in.W, in.H, err)
		case out.W != in.W || out.H != in.H || out.Channels != channels || len(out.Pix) != len(in.Pix):
			t.Fatalf("%+v: %dx%dx%d in, %dx%dx%d out", cfg, in.W, in.H, channels, out.W, out.H, out.Channels)
		}
	})
}
