package translate

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cyclegan-go/cyclegan/nn"
	"github.com/cyclegan-go/cyclegan/weights"
)

// BenchmarkModelScale translates a 1024×768 photo with a generator of the
// new default models' architecture (ngf 32, 9 blocks; trained with
// scale_width_and_crop, load 256) at full resolution and at the model's
// scale (256×192) with each carry-up. It also logs the time of the steps
// around the forward pass in its units, which model_scale.go's constants
// approximate.
func BenchmarkModelScale(b *testing.B) {
	cfg := nn.GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 32, NBlocks: 9}
	f := testFile(&testing.T{}, cfg, "G_A")
	f.Meta.TrainingScale = &weights.TrainingScale{Preprocess: "scale_width_and_crop", LoadSize: 256, CropSize: 128}
	m, err := New(f)
	if err != nil {
		b.Fatal(err)
	}
	tr, _ := m.Translator("AtoB")
	in := scene(1024, 768)
	for _, o := range []Options{{Scale: FullScale}, {Scale: ModelScale, Carry: Guided}, {Scale: ModelScale, Carry: Additive}, {Scale: ModelScale, Carry: Resized}} {
		name := o.Scale.String()
		if o.Scale == ModelScale {
			name += "-" + o.Carry.String()
		}
		b.Run(name, func(b *testing.B) {
			t := tr.With(o)
			for b.Loop() {
				if _, err := t.Pixels(context.Background(), in, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("steps", func(b *testing.B) {
		x := toTensorSize(in, 3, 1024, 768)
		for b.Loop() {
			t0 := time.Now()
			xs := resize(x, 256, 192, bicubic)
			t1 := time.Now()
			ys, _ := tr.gen.Forward(padTensor(xs))
			t2 := time.Now()
			guidedUp(x, xs, ys)
			t3 := time.Now()
			var units int64
			for _, c := range cfg.StepCosts(192, 256) {
				units += c
			}
			perUnit := float64(t2.Sub(t1)) / float64(units)
			px := float64(1024 * 768)
			b.Log(fmt.Sprintf("down %v (%.0f units/pixel), forward %v, guided %v (%.0f units/pixel)",
				t1.Sub(t0), float64(t1.Sub(t0))/perUnit/px, t2.Sub(t1), t3.Sub(t2), float64(t3.Sub(t2))/perUnit/px))
		}
	})
}

// BenchmarkScaleSteps times the full-resolution steps around a forward
// pass at the model's scale, 1024×768 ⇄ 256×192: the photo's conversion and
// scaling down (what ScaleDown does), and the additive carry-up with the
// conversion back to bytes (what CarryUp does after the bands).
func BenchmarkScaleSteps(b *testing.B) {
	in := scene(1024, 768)
	p := Plan{W: 256, H: 192}
	x := toTensorSize(in, 3, 1024, 768)
	xs := scaleDown(x, p)
	ys := xs.Clone()
	for i := range ys.Data {
		ys.Data[i] = 0.8*ys.Data[i] - 0.1
	}
	b.Run("down", func(b *testing.B) {
		for b.Loop() {
			scaleDown(toTensorSize(in, 3, 1024, 768), p)
		}
	})
	b.Run("additive", func(b *testing.B) {
		out := Pixels{W: 1024, H: 768, Channels: 4, Pix: make([]byte, 4*1024*768)}
		for b.Loop() {
			fromTensor(additiveUp(x, xs, ys), out)
		}
	})
}
