package eval

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// testOptions are the paper's options with fewer neighbourhoods, so the
// tests stay fast on 64x64 images (levels 64, 32, 16).
func testOptions() Options {
	o := DefaultOptions()
	o.NhoodsPerImage = 64
	return o
}

func mustSWD(t *testing.T, a, b []*Image, o Options) Result {
	t.Helper()
	r, err := SWD(a, b, o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestWasserstein1KnownValues(t *testing.T) {
	for _, c := range []struct {
		a, b []float32
		want float64
	}{
		{[]float32{0, 1}, []float32{0.5}, 0.5},
		{[]float32{0, 1, 2}, []float32{0, 2}, 1.0 / 3},
		{[]float32{1, 2, 3}, []float32{1.5, 2.5, 3.5}, 0.5}, // a shift moves by the shift
		{[]float32{-1, 4}, []float32{-1, 4}, 0},
		{[]float32{0, 0, 0, 1}, []float32{0, 1}, 0.25},
	} {
		got := wasserstein1(c.a, c.b)
		if math.Abs(got-c.want) > 1e-12 {
			t.Errorf("W1(%v, %v) = %v, want %v", c.a, c.b, got, c.want)
		}
		if back := wasserstein1(c.b, c.a); back != got {
			t.Errorf("W1 not symmetric on %v, %v: %v vs %v", c.a, c.b, got, back)
		}
	}
}

// Unequal sizes n and m must give what equal sizes give after repeating
// every sample of a m times and every sample of b n times.
func TestWasserstein1UnequalSizesMatchReplication(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, nm := range [][2]int{{2, 3}, {5, 7}, {4, 6}, {1, 9}} {
		a, b := make([]float32, nm[0]), make([]float32, nm[1])
		for i := range a {
			a[i] = float32(rng.NormFloat64())
		}
		for i := range b {
			b[i] = float32(rng.NormFloat64() + 0.3)
		}
		slices.Sort(a)
		slices.Sort(b)
		var ra, rb []float32
		for _, v := range a {
			for range nm[1] {
				ra = append(ra, v)
			}
		}
		for _, v := range b {
			for range nm[0] {
				rb = append(rb, v)
			}
		}
		got, want := wasserstein1(a, b), wasserstein1(ra, rb)
		if math.Abs(got-want) > 1e-6 {
			t.Errorf("sizes %v: W1 = %v, replicated %v", nm, got, want)
		}
	}
}

func TestSWDIdenticalSetsAreAtZero(t *testing.T) {
	a := synthSet(1, 8, 64)
	b := make([]*Image, len(a))
	for i, m := range a {
		b[i] = m.Clone()
	}
	r := mustSWD(t, a, b, testOptions())
	if r.Avg != 0 {
		t.Fatalf("SWD of a set and its copy = %v (levels %v), want 0", r.Avg, r.Level)
	}
	if !slices.Equal(r.Res, []int{64, 32, 16}) {
		t.Errorf("levels %v, want [64 32 16]", r.Res)
	}
}

func TestSWDIsSymmetric(t *testing.T) {
	a, b := synthSet(1, 8, 64), synthSet(2, 11, 64)
	ab, ba := mustSWD(t, a, b, testOptions()), mustSWD(t, b, a, testOptions())
	if !slices.Equal(ab.Level, ba.Level) {
		t.Fatalf("SWD(a,b) levels %v, SWD(b,a) %v", ab.Level, ba.Level)
	}
	if ab.NA != 8 || ab.NB != 11 {
		t.Errorf("counts %d, %d; want 8, 11", ab.NA, ab.NB)
	}
}

func TestSWDIsDeterministic(t *testing.T) {
	a, b := synthSet(1, 6, 64), synthSet(2, 6, 64)
	o := testOptions()
	r1, r2 := mustSWD(t, a, b, o), mustSWD(t, a, b, o)
	if !slices.Equal(r1.Level, r2.Level) {
		t.Fatalf("two runs differ: %v vs %v", r1.Level, r2.Level)
	}
	o.Seed = 2
	r3 := mustSWD(t, a, b, o)
	if slices.Equal(r1.Level, r3.Level) {
		t.Errorf("another seed gave the same numbers %v", r1.Level)
	}
	if math.Abs(r3.Avg-r1.Avg) > 0.5*r1.Avg {
		t.Errorf("seeds 1 and 2 disagree too much: %v vs %v", r1.Avg, r3.Avg)
	}
}

func TestSWDGrowsWithColourShift(t *testing.T) {
	a := synthSet(1, 12, 64)
	prev := 0.0
	for _, s := range []float32{0.02, 0.05, 0.1, 0.2, 0.3} {
		b := mapSet(a, 0, func(v float32) float32 { return v + s }) // redder
		r := mustSWD(t, a, b, testOptions())
		t.Logf("red +%.2f: SWD %.1f (levels %.1f)", s, r.Avg, r.Level)
		if r.Avg <= prev {
			t.Errorf("red shift %v: SWD %v, not above %v of the smaller shift", s, r.Avg, prev)
		}
		prev = r.Avg
	}
}

func TestSWDGrowsWithBlur(t *testing.T) {
	a := synthSet(1, 12, 64)
	prevAvg, prevFine := 0.0, 0.0
	for _, passes := range []int{1, 2, 4, 8} {
		r := mustSWD(t, a, boxBlur(a, passes), testOptions())
		t.Logf("blur x%d: SWD %.1f (levels %.1f)", passes, r.Avg, r.Level)
		if r.Avg <= prevAvg || r.Level[0] <= prevFine {
			t.Errorf("blur %d passes: SWD %v (finest level %v), not above %v (%v)", passes, r.Avg, r.Level[0], prevAvg, prevFine)
		}
		prevAvg, prevFine = r.Avg, r.Level[0]
	}
}

// A colour-transformed copy of a set must be farther from it than a fresh
// sample of the same distribution (whose distance is sampling noise).
func TestSWDTransformFartherThanFreshSample(t *testing.T) {
	a, fresh := synthSet(1, 12, 64), synthSet(99, 12, 64)
	warm := mapSet(mapSet(a, 0, func(v float32) float32 { return 1.1*v + 0.05 }), 2, func(v float32) float32 { return 0.8 * v })
	noise := mustSWD(t, a, fresh, testOptions())
	moved := mustSWD(t, a, warm, testOptions())
	t.Logf("fresh sample %.1f %.1f, warm transform %.1f %.1f", noise.Avg, noise.Level, moved.Avg, moved.Level)
	if noise.Avg <= 0 {
		t.Errorf("two independent samples at distance %v, want > 0", noise.Avg)
	}
	if moved.Avg < 2*noise.Avg {
		t.Errorf("transformed set at %v, not clearly above the fresh sample's %v", moved.Avg, noise.Avg)
	}
	// The transformed fresh sample is as far from a as the transformed a.
	far := mustSWD(t, a, mapSet(mapSet(fresh, 0, func(v float32) float32 { return 1.1*v + 0.05 }), 2, func(v float32) float32 { return 0.8 * v }), testOptions())
	if far.Avg < 2*noise.Avg {
		t.Errorf("transformed fresh sample at %v, not clearly above %v", far.Avg, noise.Avg)
	}
}

// Karras et al. standardise each set by its own statistics, which cancels
// a colour cast (per-channel gain and offset) exactly; the pooled default
// sees it. This is why the default differs from their code.
func TestPerSetNormalizationIsBlindToColourCast(t *testing.T) {
	a := synthSet(1, 8, 64)
	cast := mapSet(a, -1, func(v float32) float32 { return 0.6*v + 0.3 }) // stays inside [0, 1]
	o := testOptions()
	pooled := mustSWD(t, a, cast, o)
	o.Normalize = PerSet
	perSet := mustSWD(t, a, cast, o)
	t.Logf("colour cast: pooled %.2f, per set %.4f", pooled.Avg, perSet.Avg)
	if perSet.Avg > 0.01*pooled.Avg {
		t.Errorf("per-set normalisation gives %v for a pure cast (pooled %v): want nearly 0", perSet.Avg, pooled.Avg)
	}
	if pooled.Avg < 10 {
		t.Errorf("pooled SWD of a strong colour cast is only %v", pooled.Avg)
	}
}

func TestSWDRejectsBadInput(t *testing.T) {
	o := testOptions()
	a := synthSet(1, 2, 64)
	for name, c := range map[string]struct{ a, b []*Image }{
		"empty":          {nil, a},
		"mixed sizes":    {append(synthSet(1, 1, 64), synthSet(1, 1, 32)...), a},
		"other size":     {a, synthSet(1, 2, 32)},
		"too small":      {synthSet(1, 2, 8), synthSet(1, 2, 8)},
		"odd level size": {synthSet(1, 2, 66), synthSet(1, 2, 66)}, // 66, 33, then 33 cannot halve
	} {
		if _, err := SWD(c.a, c.b, o); err == nil {
			t.Errorf("%s: no error", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
	bad := o
	bad.NhoodSize = 6
	if _, err := SWD(a, a, bad); err == nil {
		t.Error("even neighbourhood size: no error")
	}
}

func TestMeanAbsError(t *testing.T) {
	a := synthSet(1, 3, 16)
	b := mapSet(a, 1, func(v float32) float32 { return 0.5 }) // green replaced
	var want float64
	for _, m := range a {
		for _, v := range m.Plane(1) {
			want += math.Abs(float64(v) - 0.5)
		}
	}
	want /= float64(3 * 3 * 16 * 16)
	got, err := MeanAbsError(a, b)
	if err != nil || math.Abs(got-want) > 1e-9 {
		t.Fatalf("MeanAbsError = %v, %v; want %v", got, err, want)
	}
	if z, _ := MeanAbsError(a, a); z != 0 {
		t.Errorf("error of a set against itself %v", z)
	}
	if _, err := MeanAbsError(a, b[:2]); err == nil {
		t.Error("different counts: no error")
	}
	if _, err := MeanAbsError(a[:1], synthSet(1, 1, 8)); err == nil {
		t.Error("different sizes: no error")
	}
}

// uniformImage is a size x size image of one colour.
func uniformImage(size int, r, g, b float32) *Image {
	m := NewImage(size, size)
	for c, v := range []float32{r, g, b} {
		p := m.Plane(c)
		for i := range p {
			p[i] = v
		}
	}
	return m
}

// SWD against values worked out by hand. With one-pixel neighbourhoods on
// one pyramid level of single-colour images, a descriptor is the image's
// colour. Only red differs between images, so after the pooled
// standardisation a descriptor is (z, 0, 0), z = (red - mean) / std over
// both sets, and its projection on a unit direction u is u_x z. The 1-D
// distance is then |u_x| times that of the z values, and for uniformly
// random directions in 3-D the mean of |u_x| is 1/2 (Archimedes: u_x is
// uniform on [-1, 1]). So SWD = 1e3 * W1(z_a, z_b) / 2, up to the sampling
// of the directions (100000 of them: standard error 0.2%).
func TestSWDOfSingleColoursByHand(t *testing.T) {
	o := Options{MinRes: 16, NhoodSize: 1, NhoodsPerImage: 4, DirRepeats: 4, DirsPerRepeat: 25000, Seed: 1}
	for _, c := range []struct {
		a, b []float32 // red of each image; green 0.5 and blue 0.3 throughout
		want float64
	}{
		// Reds 0.2, 0.6 against 0.4, 0.8: mean 0.5, variance 0.05; every z
		// moves by 0.2/sqrt(0.05) = 0.894427.
		{[]float32{0.2, 0.6}, []float32{0.4, 0.8}, 1e3 * 0.894427 / 2},
		// Reds 0.3, 0.5 against 0.3, 0.9: mean 0.5, variance 0.06; one z
		// stays, the other moves by 0.4/sqrt(0.06) = 1.632993, so
		// W1 = 0.816497.
		{[]float32{0.3, 0.5}, []float32{0.3, 0.9}, 1e3 * 0.816497 / 2},
	} {
		var a, b []*Image
		for _, r := range c.a {
			a = append(a, uniformImage(16, r, 0.5, 0.3))
		}
		for _, r := range c.b {
			b = append(b, uniformImage(16, r, 0.5, 0.3))
		}
		r := mustSWD(t, a, b, o)
		if len(r.Level) != 1 || r.Avg != r.Level[0] {
			t.Fatalf("reds %v vs %v: levels %v (avg %v), want one level", c.a, c.b, r.Level, r.Avg)
		}
		if math.Abs(r.Avg-c.want) > 0.01*c.want {
			t.Errorf("reds %v vs %v: SWD %.2f, by hand %.2f", c.a, c.b, r.Avg, c.want)
		} else {
			t.Logf("reds %v vs %v: SWD %.2f, by hand %.2f", c.a, c.b, r.Avg, c.want)
		}
	}
}
