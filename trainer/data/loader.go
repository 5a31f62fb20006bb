package data

import (
	"fmt"
	"io"
	"runtime"
	"sync"
)

// Batch is one training iteration's input: N images of each domain,
// NCHW float32 in [-1, 1].
type Batch struct {
	Epoch, Iter int // 1-based epoch, 0-based iteration within it
	N, H, W     int
	A, B        []float32
	PathsA      []string
}

// Loader prepares the batches of an epoch ahead of the training step:
// up to Ahead batches are decoded and preprocessed concurrently by
// Workers goroutines while the step runs, and delivered in order.
type Loader struct {
	Data    *Unaligned
	Batch   int
	Ahead   int       // batches prepared in advance (default 4)
	Workers int       // concurrent decoders (default min(4, GOMAXPROCS))
	Report  io.Writer // files that fail to decode mid-training are reported here
	mu      sync.Mutex
}

type future struct {
	done chan struct{}
	b    *Batch
	err  error
}

// Epoch streams the batches of epoch from iteration start on. The stream
// ends after the epoch's last batch; call stop (idempotent) to abandon it
// early. A batch whose preparation failed arrives with its error.
func (l *Loader) Epoch(epoch, start int) (next func() (*Batch, error), stop func()) {
	ahead := l.Ahead
	if ahead <= 0 {
		ahead = 4
	}
	workers := l.Workers
	if workers <= 0 {
		workers = min(4, runtime.GOMAXPROCS(0))
	}
	order := l.Data.Order(epoch)
	nb := l.Data.Batches(l.Batch)
	queue := make(chan *future, ahead)
	quit := make(chan struct{})
	sem := make(chan struct{}, workers)
	go func() {
		defer close(queue)
		for it := start; it < nb; it++ {
			f := &future{done: make(chan struct{})}
			select {
			case queue <- f:
			case <-quit:
				return
			}
			select {
			case sem <- struct{}{}:
			case <-quit:
				f.err = fmt.Errorf("loader stopped")
				close(f.done)
				return
			}
			go func(it int) {
				defer func() { <-sem }()
				f.b, f.err = l.prepare(order, epoch, it)
				close(f.done)
			}(it)
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { close(quit) }) }
	next = func() (*Batch, error) {
		f, ok := <-queue
		if !ok {
			return nil, nil
		}
		<-f.done
		return f.b, f.err
	}
	return next, stop
}

// prepare builds batch it of an epoch. An item whose files fail to decode
// is reported and replaced by the following item of the epoch (so the
// replacement is the same in every run).
func (l *Loader) prepare(order []int, epoch, it int) (*Batch, error) {
	n := l.Data.Len()
	lo := it * l.Batch
	hi := min(lo+l.Batch, n)
	b := &Batch{Epoch: epoch, Iter: it, N: hi - lo}
	for pos := lo; pos < hi; pos++ {
		var ma, mb *RGB
		var err error
		for try := 0; try < n; try++ {
			item := l.Data.ItemAt(order, epoch, (pos+try)%n)
			ma, mb, err = l.Data.Prepare(item)
			if err == nil {
				b.PathsA = append(b.PathsA, item.PathA)
				break
			}
			if l.Report != nil {
				l.mu.Lock()
				fmt.Fprintf(l.Report, "skipping %v\n", err)
				l.mu.Unlock()
			}
		}
		if err != nil {
			return nil, fmt.Errorf("no readable images left: %v", err)
		}
		if pos == lo {
			b.H, b.W = ma.H, ma.W
			b.A = make([]float32, b.N*3*b.H*b.W)
			b.B = make([]float32, b.N*3*b.H*b.W)
		}
		if ma.W != b.W || ma.H != b.H || mb.W != b.W || mb.H != b.H {
			return nil, fmt.Errorf("images of one batch differ in size after preprocessing (%dx%d, %dx%d vs %dx%d); use --batch_size 1 with --preprocess none",
				ma.W, ma.H, mb.W, mb.H, b.W, b.H)
		}
		sz := 3 * b.H * b.W
		k := pos - lo
		ma.WriteCHW(b.A[k*sz : (k+1)*sz])
		mb.WriteCHW(b.B[k*sz : (k+1)*sz])
	}
	return b, nil
}
