package data

import (
	"fmt"
	"math/rand/v2"
)

// Unaligned is the official UnalignedDataset: two independent lists of
// images. An epoch visits max(len(A), len(B)) items; item i takes A image
// perm(i) mod len(A) and a random B image (or i mod len(B) with
// SerialBatches), each with its own random crop and flip.
//
// All randomness of an item comes from a generator seeded by (Seed, epoch,
// position in the epoch), so batches are the same whether they are
// prepared ahead in another goroutine or after a resume in a new process.
type Unaligned struct {
	A, B          []string
	Pre           Preprocess
	Seed          uint64
	SerialBatches bool // --serial_batches: no shuffling, B paired by index
	MaxSize       int  // --max_dataset_size; 0 = unlimited
}

// Len is the number of items in one epoch.
func (d *Unaligned) Len() int {
	n := max(len(d.A), len(d.B))
	if d.MaxSize > 0 && n > d.MaxSize {
		n = d.MaxSize
	}
	return n
}

// Batches is the number of iterations in an epoch (the last batch may be
// smaller, as the official DataLoader keeps it).
func (d *Unaligned) Batches(batch int) int { return (d.Len() + batch - 1) / batch }

// Item says which files item pos of epoch uses and with which random state.
type Item struct {
	PathA, PathB string
	rng          *rand.Rand
}

const (
	streamPerm = 0x9e3779b97f4a7c15
	streamItem = 0xbf58476d1ce4e5b9
)

// Order returns the visiting order of an epoch's items.
func (d *Unaligned) Order(epoch int) []int {
	n := d.Len()
	if d.SerialBatches {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	r := rand.New(rand.NewPCG(d.Seed^streamPerm, uint64(epoch)))
	all := r.Perm(max(len(d.A), len(d.B)))
	return all[:n]
}

// ItemAt returns item pos (0-based) of an epoch whose order is given.
func (d *Unaligned) ItemAt(order []int, epoch, pos int) Item {
	r := rand.New(rand.NewPCG(d.Seed^streamItem, uint64(epoch)<<32|uint64(pos)))
	idx := order[pos]
	it := Item{PathA: d.A[idx%len(d.A)], rng: r}
	if d.SerialBatches {
		it.PathB = d.B[idx%len(d.B)]
	} else {
		it.PathB = d.B[r.IntN(len(d.B))]
	}
	return it
}

// Prepare decodes and preprocesses both images of an item into a (3*H*W
// each) and b. It returns the crop size it produced.
func (d *Unaligned) Prepare(it Item) (a, b *RGB, err error) {
	ma, err := Load(it.PathA)
	if err != nil {
		return nil, nil, err
	}
	mb, err := Load(it.PathB)
	if err != nil {
		return nil, nil, err
	}
	if a, err = d.Pre.Apply(it.PathA, ma, it.rng); err != nil {
		return nil, nil, err
	}
	if b, err = d.Pre.Apply(it.PathB, mb, it.rng); err != nil {
		return nil, nil, err
	}
	return a, b, nil
}

// Check verifies before training that both sides have enough images.
func (d *Unaligned) Check(batch int) error {
	if batch < 1 {
		return fmt.Errorf("--batch_size %d: must be at least 1", batch)
	}
	if len(d.A) < batch {
		return fmt.Errorf("domain A has %d usable images, fewer than --batch_size %d", len(d.A), batch)
	}
	if len(d.B) < batch {
		return fmt.Errorf("domain B has %d usable images, fewer than --batch_size %d", len(d.B), batch)
	}
	return d.Pre.Validate()
}
