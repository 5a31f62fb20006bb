package nn

// Packing B panels copies every value of B once per panel, and for the
// generator's convolutions the copy (an im2col gather) took 8–13% of the
// forward pass. A kernel with a tapsTile reads the panel where it lies
// instead, when its nr columns are one contiguous run in every row: row p
// of the panel is then the nr floats at x[taps[p]+off], the image offset
// of row p's tap plus the panel's column offset. The window rows of a 3×3
// convolution overlap (kx = 0, 1, 2 read the same input row), so read in
// place a B panel spans about a third of the cache lines of its packed
// copy; the loads are unaligned, which costs the kernel about 7%, less
// than the packing did.
//
// Images are read in place unless their rows are a multiple of 256 bytes
// apart: a panel's rows would then fall in a few L1 sets. A matrix is read
// in place only where it was just written, so that it is in L2 (the
// unrolled bands of the strided convolutions: up to 30% faster than
// packed on one thread, one shape of six 3% slower on two);
// a stored matrix read cold is packed (read in place, an Sgemm of depth
// 1152 with 128–4096 columns ran 1–23% slower).

// directB is a bSource whose panels may be read in place.
type directB interface {
	// rows returns x and the taps of rows [p0, p0+kc) of B, increasing and
	// not negative, or ok false where B cannot be read in place.
	rows(p0, kc int) (x []float32, taps []int, ok bool)
	// col returns off ≥ 0 such that B[p][j+t] = x[taps[p]+off+t] for
	// t < nr, or ok false where those columns are not one run in x.
	col(j, nr int) (off int, ok bool)
}

// rows: im2col of an unpadded image with horizontal stride 1 (packValid's
// case) is read in place, unless its rows are a multiple of 256 bytes apart.
func (s *im2colB) rows(p0, kc int) ([]float32, []int, bool) {
	if g := s.g; g.PadH != 0 || g.PadW != 0 || g.StrideW != 1 || (4*s.w)%256 == 0 {
		return nil, nil, false
	}
	s.tapsOnce.Do(s.initTaps)
	return s.x, s.taps[p0 : p0+kc], true
}

// col: a panel inside one output row is one run of an input row.
func (s *im2colB) col(j, nr int) (int, bool) {
	oy, ox := j/s.ow, j%s.ow
	if ox+nr > s.ow {
		return 0, false
	}
	return oy*s.g.StrideH*s.w + ox, true
}

// rows: a matrix stored k×n and just written (taps set) is read in place,
// row p at p·ldb.
func (s *matrixB) rows(p0, kc int) ([]float32, []int, bool) {
	if s.trans || s.taps == nil {
		return nil, nil, false
	}
	return s.b, s.taps[p0 : p0+kc], true
}

// col: every column run of a stored matrix is one.
func (s *matrixB) col(j, _ int) (int, bool) { return j, true }
