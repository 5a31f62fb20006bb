package translate

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/cyclegan-go/cyclegan/nn"
	"github.com/cyclegan-go/cyclegan/weights"
)

// Pixels equals the generator run by hand on the padded tensor, cropped and
// rounded as tensor2im; RGB and RGBA inputs give the same colours.
func TestPixelsIsThePaddedForwardPass(t *testing.T) {
	m := testModel(t, rgb, "G_A")
	tr, err := m.Translator("AtoB")
	if err != nil {
		t.Fatal(err)
	}
	in := pattern(13, 10, 4)
	out, err := tr.Pixels(context.Background(), in, nil)
	if err != nil {
		t.Fatal(err)
	}
	y, err := tr.gen.Forward(toTensor(in, 3))
	if err != nil {
		t.Fatal(err)
	}
	if y.H() != 12 || y.W() != 16 {
		t.Fatalf("forward pass at %dx%d, want 12x16", y.H(), y.W())
	}
	want := Pixels{W: 13, H: 10, Channels: 4, Pix: make([]byte, 4*13*10)}
	fromTensor(y, want)
	if string(out.Pix) != string(want.Pix) {
		t.Fatal("Pixels differs from the padded forward pass")
	}
	if distinctColours(out) < 50 {
		t.Fatalf("output has %d distinct colours: the test model is too flat to tell anything", distinctColours(out))
	}
	// The same photo as RGB.
	in3 := Pixels{W: 13, H: 10, Channels: 3}
	for i := 0; i < len(in.Pix); i += 4 {
		in3.Pix = append(in3.Pix, in.Pix[i:i+3]...)
	}
	out3, err := tr.Pixels(context.Background(), in3, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 13 * 10 {
		if string(out3.Pix[3*i:3*i+3]) != string(out.Pix[4*i:4*i+3]) || out.Pix[4*i+3] != 255 {
			t.Fatalf("pixel %d: RGB gives %v, RGBA %v", i, out3.Pix[3*i:3*i+3], out.Pix[4*i:4*i+4])
		}
	}
}

func distinctColours(p Pixels) int {
	seen := map[[3]byte]bool{}
	for i := 0; i+2 < len(p.Pix); i += p.Channels {
		seen[[3]byte{p.Pix[i], p.Pix[i+1], p.Pix[i+2]}] = true
	}
	return len(seen)
}

// One policy for small and thin images: each side needs MinSide pixels;
// everything at least that big is translated at its own size.
func TestSmallAndThinImages(t *testing.T) {
	tr, _ := testModel(t, rgb, "G_A").Translator("AtoB")
	for _, sz := range [][2]int{{7, 100}, {100, 7}, {1, 1}, {7, 7}} {
		_, err := tr.Pixels(context.Background(), pattern(sz[0], sz[1], 4), nil)
		if !errors.Is(err, ErrTooSmall) || !strings.Contains(err.Error(), "at least 8 on each side") {
			t.Errorf("%dx%d: error %v, want ErrTooSmall saying the minimum", sz[0], sz[1], err)
		}
	}
	for _, sz := range [][2]int{{8, 8}, {8, 301}, {301, 9}, {11, 10}} {
		out, err := tr.Pixels(context.Background(), pattern(sz[0], sz[1], 3), nil)
		if err != nil || out.W != sz[0] || out.H != sz[1] {
			t.Errorf("%dx%d: (%dx%d, %v), want the same size and no error", sz[0], sz[1], out.W, out.H, err)
		}
	}
	err := CheckFit(4000, 20, 1024)
	if !errors.Is(err, ErrTooSmall) || !strings.Contains(err.Error(), "4000×20") || !strings.Contains(err.Error(), "1024×5") {
		t.Errorf("CheckFit(4000, 20, 1024) = %v, want ErrTooSmall naming both sizes", err)
	}
	if err := CheckFit(4000, 40, 1024); err != nil {
		t.Errorf("CheckFit(4000, 40, 1024) = %v, want nil (1024×10)", err)
	}
}

// A 3 → 1 generator gives a grey photo (tensor2im repeats the channel); a
// 1 → 3 one sees PIL's grey of the photo; 2 or 4 channels are refused.
func TestGreyGenerators(t *testing.T) {
	m := testModel(t, nn.GeneratorConfig{InputNC: 3, OutputNC: 1, NGF: 4, NBlocks: 1}, "G_A")
	tr, _ := m.Translator("AtoB")
	out, err := tr.Pixels(context.Background(), pattern(12, 9, 4), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(out.Pix); i += 4 {
		if out.Pix[i] != out.Pix[i+1] || out.Pix[i] != out.Pix[i+2] {
			t.Fatalf("pixel %d of a 3 → 1 translation is %v, not grey", i/4, out.Pix[i:i+4])
		}
	}
	if distinctColours(out) < 20 {
		t.Fatalf("grey output has %d levels", distinctColours(out))
	}

	m = testModel(t, nn.GeneratorConfig{InputNC: 1, OutputNC: 3, NGF: 4, NBlocks: 1}, "G_A")
	tr, _ = m.Translator("AtoB")
	in := pattern(12, 9, 3)
	greyIn := Pixels{W: 12, H: 9, Channels: 3, Pix: make([]byte, len(in.Pix))}
	for i := 0; i < len(in.Pix); i += 3 {
		v := grey(in.Pix[i], in.Pix[i+1], in.Pix[i+2])
		greyIn.Pix[i], greyIn.Pix[i+1], greyIn.Pix[i+2] = v, v, v
	}
	a, err := tr.Pixels(context.Background(), in, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := tr.Pixels(context.Background(), greyIn, nil)
	if string(a.Pix) != string(b.Pix) {
		t.Error("a 1-channel generator gives different results for a photo and its grey version")
	}

	for _, cfg := range []nn.GeneratorConfig{{InputNC: 3, OutputNC: 2, NGF: 4}, {InputNC: 4, OutputNC: 3, NGF: 4}} {
		_, err := New(testFile(t, cfg, "G_A"))
		if err == nil || !strings.Contains(err.Error(), "only 1 (grey) or 3 (colour) channels") {
			t.Errorf("%d → %d channels: error %v, want a refusal naming the supported channels", cfg.InputNC, cfg.OutputNC, err)
		}
	}
}

// Directions are found by ID, key and domain names; a missing one is named
// with what the file has.
func TestDirectionNames(t *testing.T) {
	m := testModel(t, rgb, "G_B", "G_A")
	if got := strings.Join(m.DirectionIDs(), ","); got != "AtoB,BtoA" {
		t.Errorf("directions %s, want AtoB,BtoA", got)
	}
	for name, key := range map[string]string{"AtoB": "G_A", "G_B": "G_B", "Summer → Winter": "G_A", "winter->summer": "G_B", "summer2winter": "G_A", "Winter → Summer": "G_B"} {
		tr, err := m.Translator(name)
		if err != nil || tr.Direction.Key != key {
			t.Errorf("Translator(%q) = %v, %v; want %s", name, tr, err, key)
		}
	}
	if _, err := m.Translator("sideways"); err == nil || !strings.Contains(err.Error(), "AtoB (Summer → Winter), BtoA (Winter → Summer)") {
		t.Errorf("unknown direction: %v", err)
	}
	one := testModel(t, rgb, "G_A")
	if _, err := one.Translator("BtoA"); err == nil || !strings.Contains(err.Error(), "this file translates Summer → Winter only") {
		t.Errorf("BtoA of a G_A-only file: %v, want a refusal naming what the file has", err)
	}
}

// Progress and cancellation belong to each call.
func TestProgressAndCancel(t *testing.T) {
	tr, _ := testModel(t, rgb, "G_A").Translator("AtoB")
	var calls, last, total int
	monotonic := true
	if _, err := tr.Pixels(context.Background(), pattern(8, 8, 3), func(done, all int) {
		calls++
		monotonic = monotonic && done > last && (total == 0 || all == total)
		last, total = done, all
	}); err != nil {
		t.Fatal(err)
	}
	if calls != tr.gen.Steps() || !monotonic || last != total || total <= 0 {
		t.Errorf("progress told %d times (want once a layer, %d), rising %v, ending at %d of %d", calls, tr.gen.Steps(), monotonic, last, total)
	}
	ctx, cancel := context.WithCancel(context.Background())
	calls = 0
	_, err := tr.Pixels(ctx, pattern(8, 8, 3), func(done, total int) {
		calls++
		if calls == 3 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || calls != 3 {
		t.Errorf("cancelled at layer 3: error %v after %d layers, want context.Canceled after 3", err, calls)
	}
	if _, err := tr.Pixels(ctx, pattern(8, 8, 3), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("an already cancelled context: %v", err)
	}
}

// Two translations at once on one model give what each gives alone, each
// with its own progress (run under -race by make test).
func TestConcurrentTranslations(t *testing.T) {
	m := testModel(t, rgb, "G_A", "G_B")
	inputs := []Pixels{pattern(16, 12, 4), pattern(21, 9, 3)}
	dirs := []string{"AtoB", "BtoA"}
	want := make([]Pixels, 4)
	for i := range 4 {
		tr, _ := m.Translator(dirs[i%2])
		want[i], _ = tr.Pixels(context.Background(), inputs[i/2], nil)
	}
	var wg sync.WaitGroup
	got := make([]Pixels, 4)
	errs := make([]error, 4)
	steps := make([]int, 4)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr, _ := m.Translator(dirs[i%2])
			for range 3 {
				steps[i] = 0
				got[i], errs[i] = tr.Pixels(context.Background(), inputs[i/2], func(int, int) { steps[i]++ })
			}
		}()
	}
	wg.Wait()
	for i := range 4 {
		if errs[i] != nil || string(got[i].Pix) != string(want[i].Pix) || steps[i] != m.translators[0].gen.Steps() {
			t.Errorf("translation %d at once: error %v, same pixels %v, %d progress calls", i, errs[i], string(got[i].Pix) == string(want[i].Pix), steps[i])
		}
	}
}

// A direction's label names its domains, or A and B when the file does not.
func TestDirectionLabels(t *testing.T) {
	for _, tc := range []struct {
		gm   weights.GeneratorMeta
		want string
	}{
		{weights.GeneratorMeta{Key: "G_A", From: "Sunny", To: "Sunset"}, "Sunny → Sunset"},
		{weights.GeneratorMeta{Key: "G_B", From: "Sunset", To: "Sunny"}, "Sunset → Sunny"},
		{weights.GeneratorMeta{Key: "G_B"}, "B → A"},
		{weights.GeneratorMeta{Key: "G_A", From: "Sunny"}, "A → B"},
	} {
		if got := directionOf(tc.gm).Label; got != tc.want {
			t.Errorf("label of %+v = %q, want %q", tc.gm, got, tc.want)
		}
	}
}
