package train

import (
	"bytes"
	"math/rand/v2"
	"os"
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

// TestSaveAllocatesLittle checks that writing a checkpoint does not hold a
// copy of it in memory: the file is encoded from the model's own arrays as
// it is written. Before, Save copied the state (the weights, Adam's moments
// and the image pools) and assembled the whole file before writing it,
// twice the file's size, which made the checkpoints the peak of a training
// run's memory (571 MB against 409 MB without, ngf 16, ndf 64, 128²).
func TestSaveAllocatesLittle(t *testing.T) {
	root := t.TempDir()
	o := tinyOptions(t, root)
	o.NDF = 64 // a file of 15 MB
	r, err := Setup(o, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	var s0, s1 runtime.MemStats
	runtime.ReadMemStats(&s0)
	if err := r.Save(quiet()); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&s1)
	p := r.Ckpt.Paths()
	if len(p) != 1 {
		t.Fatalf("checkpoints %v, want one", p)
	}
	fi, err := os.Stat(p[0])
	if err != nil {
		t.Fatal(err)
	}
	alloc := s1.TotalAlloc - s0.TotalAlloc
	t.Logf("a checkpoint of %d KB allocated %d KB", fi.Size()>>10, alloc>>10)
	if alloc > 1<<20 {
		t.Errorf("writing a checkpoint of %d KB allocated %d KB, want at most 1 MB", fi.Size()>>10, alloc>>10)
	}
	st, _, err := r.Ckpt.Latest(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(st.Encode(), r.State().Encode()) {
		t.Error("the checkpoint written does not hold the run's state")
	}
}
