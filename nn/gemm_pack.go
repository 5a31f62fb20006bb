package nn

import (
	"math/bits"
	"sync"
)

// gemmKC is the depth of one packed block: a kc×NR panel of B and a kc×MR
// panel of A stay in the L1/L2 caches while a micro-kernel runs over them.
const gemmKC = 256

// gemmKernel is one register-tiled micro-kernel and the packed layout it reads.
//
// tile computes the mr×nr block C[i][j] (+)= Σ_p A[p][i]·B[p][j] over one
// packed depth kc: a holds kc groups of mr·aRep values (row i's value repeated
// aRep times), b holds kc groups of nr values. C row i starts at c[i*ldc].
// With acc false the tile overwrites C (whatever it held), otherwise it adds.
type gemmKernel struct {
	name   string
	mr, nr int
	aRep   int  // >1 where the kernel wants A pre-broadcast (wasm has no load-splat from Go)
	nc     int  // with aOuter, the columns of B packed per block (multiple of nr)
	kc     int  // depth of a packed block; 0: gemmKC. A kc×nr B panel must fit in L1.
	aOuter bool // loop order of gemmBlockAOuter (A panel in L1, B block in L2)
	tile   func(kc int, a, b, c []float32, ldc int, acc bool)
	// tiles, where the kernel has it, is tile for n tiles side by side: the
	// same A panel against n consecutive packed B panels, into C tiles nr
	// floats apart (one call instead of n where calls are dear: wasm).
	tiles func(kc int, a, b, c []float32, ldc int, acc bool, n int)
	// tapsTile, where the kernel has it, is tile with B read in place: row
	// p of the panel is the nr floats of x from taps[p]+off (gemm_direct.go);
	// without acc it adds bias (mr values; nil: none) to the tile's rows.
	tapsTile func(kc int, a, x []float32, taps []int, off int, c []float32, ldc int, acc bool, bias []float32)
}

// depth is the packed block depth for a product of depth k: the kernel's
// nominal depth, evened out over the blocks k needs (k 144 at nominal 128
// gives two blocks of 72, not 128 and 16: a short block pays the tile's
// load and store of C for few multiply-adds).
func (kern *gemmKernel) depth(k int) int {
	kc := gemmKC
	if kern.kc > 0 {
		kc = kern.kc
	}
	if k <= kc {
		return max(k, 1)
	}
	blocks := (k + kc - 1) / kc
	return (k + blocks - 1) / blocks
}

// packedA is op(A)·alpha cut into kc-deep blocks of mr-row panels, zero-padded
// to a whole number of panels. Block pc (rows p ∈ [pc, pc+kc)) starts at
// pc·mPad·aRep; panel ir of that block is kcb·mr·aRep further per panel.
type packedA struct {
	kern   *gemmKernel
	m, k   int
	mPad   int
	data   []float32
	pooled *[]float32 // where data came from, if the pool
}

// panel returns the packed kcb×mr panel ir of the block starting at depth pc.
func (pa *packedA) panel(pc, kcb, ir int) []float32 {
	size := kcb * pa.kern.mr * pa.kern.aRep
	base := pc*pa.mPad*pa.kern.aRep + ir*size
	return pa.data[base : base+size]
}

func (pa *packedA) release() {
	if pa.pooled != nil {
		putBuf(pa.pooled)
		pa.pooled, pa.data = nil, nil
	}
}

// packA packs alpha·op(A) (m×k) for kern. With dst nil the storage comes
// from the pool (release returns it); otherwise dst keeps its own storage,
// grown if needed (for packings cached across calls).
func packA(kern *gemmKernel, trans bool, m, k int, alpha float32, a []float32, lda int, dst *packedA) *packedA {
	mr, rep := kern.mr, kern.aRep
	mPad := (m + mr - 1) / mr * mr
	size := mPad * k * rep
	pa := dst
	if pa == nil {
		pa = &packedA{pooled: getBuf(size)}
		pa.data = *pa.pooled
	} else if cap(pa.data) < size {
		pa.data = make([]float32, size)
	}
	pa.kern, pa.m, pa.k, pa.mPad, pa.data = kern, m, k, mPad, pa.data[:size]
	kc := kern.depth(k)
	for pc := 0; pc < k; pc += kc {
		kcb := min(kc, k-pc)
		for ir := 0; ir < mPad/mr; ir++ {
			pan := pa.panel(pc, kcb, ir)
			if rep == 1 && (ir+1)*mr <= m {
				packAPanel(pan, mr, trans, alpha, a, lda, ir*mr, pc, kcb)
				continue
			}
			for p := 0; p < kcb; p++ {
				g := pan[p*mr*rep : (p+1)*mr*rep]
				for i := 0; i < mr; i++ {
					row := ir*mr + i
					var v float32
					if row < m {
						if trans {
							v = a[(pc+p)*lda+row]
						} else {
							v = a[row*lda+pc+p]
						}
						v *= alpha
					}
					for r := 0; r < rep; r++ {
						g[i*rep+r] = v
					}
				}
			}
		}
	}
	return pa
}

// packAPanel is packA's loop for a whole panel without replication: rows
// [i0, i0+mr) of op(A), depth [pc, pc+kcb), into pan (kcb groups of mr).
// It walks the source in memory order: along a row when A is stored m×k,
// along a column group when it is stored transposed.
func packAPanel(pan []float32, mr int, trans bool, alpha float32, a []float32, lda, i0, pc, kcb int) {
	pan = pan[:kcb*mr]
	if trans {
		for p := 0; p < kcb; p++ {
			src := a[(pc+p)*lda+i0 : (pc+p)*lda+i0+mr]
			dst := pan[p*mr : p*mr+mr]
			for i, v := range src {
				dst[i] = v * alpha
			}
		}
		return
	}
	if alpha == 1 && mr%8 == 0 {
		packAPanelRuns(pan, mr, a, lda, i0, pc, kcb)
		return
	}
	for i := 0; i < mr; i++ {
		src := a[(i0+i)*lda+pc : (i0+i)*lda+pc+kcb]
		for p, v := range src {
			pan[p*mr+i] = v * alpha
		}
	}
}

// packAPanelRuns is packAPanel for A stored m×k, alpha 1 and a panel of
// whole groups of 8 rows (the AVX-512 kernel's): 8×8 blocks moved by
// transpose8, the last kcb mod 8 columns one by one.
func packAPanelRuns(pan []float32, mr int, a []float32, lda, i0, pc, kcb int) {
	var offs [8]int
	whole := kcb &^ 7
	for g := 0; g < mr; g += 8 {
		for i := range offs {
			offs[i] = (i0 + g + i) * lda
		}
		for p := 0; p < whole; p += 8 {
			transpose8(pan[p*mr+g:], mr, a, pc+p, &offs)
		}
	}
	p := whole
	for i := 0; i < mr; i++ {
		src := a[(i0+i)*lda+pc+p : (i0+i)*lda+pc+kcb]
		for q, v := range src {
			pan[(p+q)*mr+i] = v
		}
	}
}

// bSource packs blocks of the k×n matrix B into nr-column panels: panel q of
// dst (kc·nr values, row p at p·nr) holds columns [j0+q·nr, j0+q·nr+nr) of rows
// [p0, p0+kc); columns at or beyond j0+nc are zero.
type bSource interface {
	pack(dst []float32, nr, p0, kc, j0, nc int)
}

// matrixB is B stored in memory, k×n (ldb ≥ n) or transposed n×k (ldb ≥ k).
type matrixB struct {
	trans bool
	b     []float32
	ldb   int
	// taps, if not nil, are the row offsets p·ldb of B stored k×n and just
	// written, still in the caches: its panels may then be read in place
	// (gemm_direct.go).
	taps []int
}

func (s *matrixB) pack(dst []float32, nr, p0, kc, j0, nc int) {
	// Row offsets of the block, for gatherRows (vector copies of whole
	// panel rows, where copy() would cost a call per row).
	var tapBuf [512]int
	var taps []int
	if !s.trans && kc <= len(tapBuf) {
		taps = tapBuf[:kc]
		for p := range taps {
			taps[p] = (p0 + p) * s.ldb
		}
	}
	for q := 0; q*nr < nc; q++ {
		pan := dst[q*kc*nr : (q+1)*kc*nr]
		jq := j0 + q*nr
		w := min(nr, j0+nc-jq)
		if taps != nil && w == nr {
			gatherRows(pan, nr, s.b, taps, jq)
			continue
		}
		if !s.trans {
			for p := 0; p < kc; p++ {
				row := pan[p*nr : p*nr+nr]
				src := s.b[(p0+p)*s.ldb+jq:]
				copy(row[:w], src[:w])
				clear(row[w:])
			}
			continue
		}
		if w < nr {
			clear(pan)
		}
		for j := 0; j < w; j++ {
			col := s.b[(jq+j)*s.ldb+p0:]
			col = col[:kc]
			for p, v := range col {
				pan[p*nr+j] = v
			}
		}
	}
}

// bufPools recycle packing buffers so big GEMMs do not page-fault fresh
// memory on every call: pool b holds buffers of capacity 2^b, so that a
// request is never handed a smaller buffer it would have to drop (one pool
// for every size did that, and allocated about 10 MB per training step).
var bufPools [48]sync.Pool

// bufClass is the pool of the buffers that serve n floats: the smallest
// b with 2^b >= n.
func bufClass(n int) int { return bits.Len(uint(max(n, 1) - 1)) }

func getBuf(n int) *[]float32 {
	b := bufClass(n)
	if p, ok := bufPools[b].Get().(*[]float32); ok {
		*p = (*p)[:n]
		return p
	}
	s := make([]float32, n, 1<<b)
	return &s
}

// putBuf gives p back to the pool of its capacity (a buffer that did not
// come from getBuf goes to the class it fully serves).
func putBuf(p *[]float32) {
	c := cap(*p)
	if c == 0 {
		return
	}
	b := bits.Len(uint(c)) - 1 // 2^b <= c
	bufPools[b].Put(p)
}
