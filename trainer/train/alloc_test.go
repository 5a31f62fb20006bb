package train

import (
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestStepAllocatesLittle checks that a training step in its steady state
// (pools full, weights packed, scratch buffers warm) allocates almost
// nothing: the activations, gradients, packed weights and packing buffers
// all come back from the step before. Before this was so a step allocated
// about 9 MB (33 MB for a fresh model) at the benchmark's size; what is
// left is the small bookkeeping (tensor headers, tapes), a few hundred
// bytes per layer and pass.
func TestStepAllocatesLittle(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a few steps")
	}
	o := Defaults()
	o.NGF, o.NDF, o.NetG, o.PoolSize = 8, 16, "resnet_6blocks", 2
	m, err := NewModel(&o, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	a, b := randomImage(r, 64), randomImage(r, 64)
	// One core: with two the two directions' passes interleave differently
	// from step to step (more so on a loaded machine), and a new most of
	// buffers of one size in use at once is reached now and then, which
	// allocates (rarely, but enough to make the bound below flaky).
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for range 4 { // fills the image pools and the scratch pools
		if _, _, err := m.Step(a, b, o.LR, r); err != nil {
			t.Fatal(err)
		}
	}
	const steps = 3
	var s0, s1 runtime.MemStats
	runtime.ReadMemStats(&s0)
	for range steps {
		if _, _, err := m.Step(a, b, o.LR, r); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&s1)
	perStep := float64(s1.TotalAlloc-s0.TotalAlloc) / steps
	large := perStep - smallBytes(&s0, &s1)/steps
	// One image of this size is 48 KB, one step's activations about 40 MB:
	// no buffer of an image's size should be allocated afresh (the objects
	// above 32 KB, which the runtime does not count by size class), and the
	// small ones (a tensor header, a tape, a goroutine's closure) should stay
	// a few hundred KB.
	t.Logf("%d GCs; %.0f KB per step (%.0f KB in objects over 32 KB), %d allocations", s1.NumGC-s0.NumGC,
		perStep/1024, large/1024, (s1.Mallocs-s0.Mallocs)/steps)
	if large > 40<<10 {
		t.Errorf("a step allocates %.0f KB in objects over 32 KB, want at most 40 KB (less than one image)", large/1024)
	}
	if perStep > 512<<10 {
		t.Errorf("a step allocates %.0f KB, want at most 512 KB", perStep/1024)
	}
}

// smallBytes is what was allocated between s0 and s1 in objects of the
// runtime's small size classes (up to 32 KB).
func smallBytes(s0, s1 *runtime.MemStats) float64 {
	var b float64
	for i := range s1.BySize {
		b += float64(s1.BySize[i].Mallocs-s0.BySize[i].Mallocs) * float64(s1.BySize[i].Size)
	}
	return b
}
