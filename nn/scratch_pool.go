package nn

import "sync"

// scratch keeps the storage of activations and gradients that training
// passes no longer need (released tapes, consumed gradients), by length,
// for the next passes to reuse: allocating a few hundred MB afresh each
// iteration costs page faults and zeroing. The pool is bounded; what does
// not fit is left to the garbage collector.
var scratch = struct {
	mu    sync.Mutex
	free  map[int][][]float32
	total int // floats held
}{free: map[int][][]float32{}}

// scratchLimit is the most floats the pool holds (256 MB).
var scratchLimit = 1 << 26

// getScratch returns a slice of n floats, zeroed if zero is set (otherwise
// it may hold anything), from the pool when it has one of that length.
func getScratch(n int, zero bool) []float32 {
	scratch.mu.Lock()
	l := scratch.free[n]
	if len(l) > 0 {
		s := l[len(l)-1]
		scratch.free[n] = l[:len(l)-1]
		scratch.total -= n
		scratch.mu.Unlock()
		if zero {
			clear(s)
		}
		return s
	}
	scratch.mu.Unlock()
	return make([]float32, n)
}

// putScratch gives s to the pool; the caller must hold no other reference.
func putScratch(s []float32) {
	n := len(s)
	if n < 1024 { // small slices are cheap to allocate
		return
	}
	scratch.mu.Lock()
	if scratch.total+n <= scratchLimit {
		scratch.free[n] = append(scratch.free[n], s[:n:n])
		scratch.total += n
	}
	scratch.mu.Unlock()
}

// newScratchTensor is NewTensor from the pool; without zero its values are garbage.
func newScratchTensor(zero bool, shape ...int) *Tensor {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: getScratch(n, zero)}
}

// scratchBytes is the storage the pool holds, in bytes (for tests).
func scratchBytes() int64 {
	scratch.mu.Lock()
	defer scratch.mu.Unlock()
	return int64(scratch.total) * 4
}

// PooledTensor returns a zeroed tensor whose storage comes from the pool of
// the training passes (activations and gradients released before), so a
// training loop that hands its own tensors back (Recycle) allocates nothing
// in its steady state.
func PooledTensor(shape ...int) *Tensor { return newScratchTensor(true, shape...) }

// Recycle gives the storage of the tensors to the pool of the training
// passes, for later passes to reuse. The caller must hold no other reference
// to their data, and must not use them afterwards. Nil tensors are skipped.
func Recycle(ts ...*Tensor) {
	for _, t := range ts {
		if t != nil {
			putScratch(t.Data)
			t.Data = nil
		}
	}
}
