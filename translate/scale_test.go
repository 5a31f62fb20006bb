package translate

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cyclegan-go/cyclegan/nn"
	"github.com/cyclegan-go/cyclegan/weights"
)

var widthScale = &weights.TrainingScale{Preprocess: "scale_width_and_crop", LoadSize: 64, CropSize: 32}

// scaledModel is testModel with a training scale recorded (nil: none).
func scaledModel(t *testing.T, cfg nn.GeneratorConfig, s *weights.TrainingScale) *Model {
	t.Helper()
	f := testFile(t, cfg, "G_A")
	f.Meta.TrainingScale = s
	m, err := New(f)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The model's scale by the training's rule: scale_width_and_crop makes the
// width LoadSize; resize_and_crop gives the photo as many pixels as the
// LoadSize² square; never larger than the photo, never a side under
// MinSide; crop and none and files without a record run at full scale.
func TestModelSize(t *testing.T) {
	rc := &weights.TrainingScale{Preprocess: "resize_and_crop", LoadSize: 143, CropSize: 128}
	for _, tc := range []struct {
		s       *weights.TrainingScale
		w, h    int
		mw, mh  int
		smaller bool
	}{
		{widthScale, 1024, 768, 64, 48, true},
		{widthScale, 1001, 667, 64, 43, true}, // odd sizes round to the nearest pixel
		{widthScale, 4000, 40, 800, 8, true},  // thin: the short side keeps MinSide
		{widthScale, 640, 9, 569, 8, true},    // thin: scaled only as far as MinSide allows
		{widthScale, 640, 8, 640, 8, false},   // too thin to scale at all
		{widthScale, 64, 300, 64, 300, false}, // already at the model's scale
		{widthScale, 50, 40, 50, 40, false},   // smaller than it: never enlarged
		{rc, 1024, 768, 165, 124, true},       // 143² = 20449 ≈ 165 × 124
		{rc, 256, 256, 143, 143, true},
		{rc, 130, 150, 130, 150, false}, // 130 × 150 < 143²
		{&weights.TrainingScale{Preprocess: "crop", LoadSize: 256, CropSize: 128}, 1024, 768, 1024, 768, false},
		{&weights.TrainingScale{Preprocess: "none", LoadSize: 256, CropSize: 128}, 1024, 768, 1024, 768, false},
		{nil, 1024, 768, 1024, 768, false},
	} {
		mw, mh, ok := ModelSize(tc.s, tc.w, tc.h)
		if mw != tc.mw || mh != tc.mh || ok != tc.smaller {
			t.Errorf("ModelSize(%+v, %d, %d) = %d, %d, %v; want %d, %d, %v", tc.s, tc.w, tc.h, mw, mh, ok, tc.mw, tc.mh, tc.smaller)
		}
	}
}

// A file that records no training scale translates at full resolution
// with the model-scale option, says so, and gives the exact forward pass;
// a scale given in the options replaces the missing record.
func TestModelScaleFallsBackWithoutARecord(t *testing.T) {
	tr, _ := scaledModel(t, rgb, nil).Translator("AtoB")
	in := pattern(100, 60, 3)
	exact, err := tr.Pixels(context.Background(), in, nil)
	if err != nil {
		t.Fatal(err)
	}
	ms := tr.With(Default)
	p := ms.Plan(100, 60)
	if !p.Full || p.W != 100 || !strings.Contains(p.Note, "records no training scale") {
		t.Errorf("plan without a record: %+v; want full resolution, saying why", p)
	}
	out, err := ms.Pixels(context.Background(), in, nil)
	if err != nil || string(out.Pix) != string(exact.Pix) {
		t.Errorf("model scale without a record: error %v, same pixels as the exact pass %v", err, string(out.Pix) == string(exact.Pix))
	}
	forced := tr.With(Options{Scale: ModelScale, Training: widthScale})
	if p := forced.Plan(100, 60); p.Full || p.W != 64 || p.H != 38 || !strings.Contains(p.Note, "64×38") {
		t.Errorf("plan with a scale given: %+v; want 64×38", p)
	}
	out, err = forced.Pixels(context.Background(), in, nil)
	if err != nil || string(out.Pix) == string(exact.Pix) {
		t.Errorf("model scale given in the options: error %v, same pixels as the exact pass %v (want different)", err, string(out.Pix) == string(exact.Pix))
	}
	if p := tr.Plan(100, 60); !p.Full || !strings.Contains(p.Note, "asked for") {
		t.Errorf("plan of the zero options: %+v; want full resolution, as asked", p)
	}
}

// At the model's scale the translator scales the photo down, runs the
// generator there and carries the result up: Tensor equals those three
// steps done by hand. Progress rises once a layer and once for each of the
// two other steps, and ends at its total; cancelling stops it.
func TestModelScaleIsScaleForwardCarry(t *testing.T) {
	tr, _ := scaledModel(t, rgb, widthScale).Translator("AtoB")
	tr = tr.With(Options{Scale: ModelScale, Carry: Guided})
	x := toTensorSize(pattern(150, 101, 3), 3, 150, 101)
	var calls, last, total int
	rising := true
	y, err := tr.Tensor(context.Background(), x, func(done, all int) {
		calls++
		rising = rising && done > last && (total == 0 || all == total)
		last, total = done, all
	})
	if err != nil {
		t.Fatal(err)
	}
	xs := resize(x, 64, 43, bicubic)
	clampUnit(xs.Data)
	ys, err := tr.gen.Forward(padTensor(xs))
	if err != nil {
		t.Fatal(err)
	}
	want := guidedUp(x, xs, cropTensor(ys, 43, 64))
	if y.W() != 150 || y.H() != 101 {
		t.Fatalf("output %dx%d, want 150x101", y.W(), y.H())
	}
	for i := range want.Data {
		if y.Data[i] != want.Data[i] {
			t.Fatalf("value %d: %v, by hand %v", i, y.Data[i], want.Data[i])
		}
	}
	if calls != tr.gen.Steps()+2 || !rising || last != total {
		t.Errorf("progress told %d times (want %d), rising %v, ending at %d of %d", calls, tr.gen.Steps()+2, rising, last, total)
	}
	ctx, cancel := context.WithCancel(context.Background())
	calls = 0
	_, err = tr.Tensor(ctx, x, func(int, int) {
		if calls++; calls == 2 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || calls != 2 {
		t.Errorf("cancelled at the second report: %v after %d reports", err, calls)
	}
}

// Every size a photo may have translates at the model's scale to its own
// size, RGB or RGBA, colour or grey generators alike: odd sizes, thin
// photos, one smaller than the model's scale (then the exact pass), and
// each carry-up.
func TestModelScaleSizes(t *testing.T) {
	for _, cfg := range []nn.GeneratorConfig{rgb, {InputNC: 3, OutputNC: 1, NGF: 4, NBlocks: 1}, {InputNC: 1, OutputNC: 3, NGF: 4, NBlocks: 1}} {
		base, _ := scaledModel(t, cfg, widthScale).Translator("AtoB")
		for _, c := range []Carry{Guided, Additive, Resized} {
			tr := base.With(Options{Scale: ModelScale, Carry: c})
			for _, sz := range [][3]int{{151, 97, 3}, {97, 151, 4}, {1000, 8, 4}, {8, 300, 3}, {65, 9, 3}, {40, 30, 4}} {
				in := pattern(sz[0], sz[1], sz[2])
				out, err := tr.Pixels(context.Background(), in, nil)
				if err != nil || out.W != sz[0] || out.H != sz[1] || len(out.Pix) != len(in.Pix) {
					t.Errorf("%d→%d, %s, %dx%d: %dx%d, error %v", cfg.InputNC, cfg.OutputNC, c, sz[0], sz[1], out.W, out.H, err)
				}
			}
		}
		// Smaller than the model's scale: the exact pass.
		small := pattern(40, 30, 4)
		a, _ := base.Pixels(context.Background(), small, nil)
		b, _ := base.With(Default).Pixels(context.Background(), small, nil)
		if string(a.Pix) != string(b.Pix) {
			t.Errorf("%d→%d: a photo smaller than the model's scale is not translated exactly", cfg.InputNC, cfg.OutputNC)
		}
	}
}

// Unknown option values are refused by name.
func TestParseScaleAndCarry(t *testing.T) {
	if s, err := ParseScale("model"); err != nil || s != ModelScale {
		t.Errorf("ParseScale(model) = %v, %v", s, err)
	}
	if c, err := ParseCarry("additive"); err != nil || c != Additive {
		t.Errorf("ParseCarry(additive) = %v, %v", c, err)
	}
	if _, err := ParseScale("half"); err == nil || !strings.Contains(err.Error(), `"half"`) || !strings.Contains(err.Error(), "model") {
		t.Errorf("ParseScale(half): %v", err)
	}
	tr, _ := scaledModel(t, rgb, widthScale).Translator("AtoB")
	if _, err := tr.With(Options{Scale: ModelScale, Carry: 7}).Pixels(context.Background(), pattern(100, 50, 3), nil); err == nil {
		t.Error("an unknown carry-up was accepted")
	}
}
