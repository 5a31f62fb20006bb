package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// sameBits fails t unless got and want hold the same float32 bits.
func sameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s: element %d = %v, want %v (bit for bit)", what, i, got[i], want[i])
		}
	}
}

// TestDirectBMatchesPacked checks the products that read B panels in place
// (gemm_direct.go) and add the bias in the kernel against the same kernel
// packing every panel and adding the bias beforehand: the multiply-adds
// are the same in the same order, so the results agree bit for bit. The
// shapes mix panels read in place with packed ones (plane widths that are
// not multiples of nr), tiles cut by the edge of C (output channels that
// are not multiples of mr), several depth blocks, the strided convolution
// (its unrolled bands are read in place), the pointwise one (its B, the
// stored image, is packed), the row-cut one, the transposed convolution's
// phases and Sgemm (packed).
func TestDirectBMatchesPacked(t *testing.T) {
	geom := func(k, s, p int) ConvGeom { return ConvGeom{k, k, s, s, p, p} }
	convs := []struct {
		cin, h, w, cout int
		g               ConvGeom
		bias            bool
	}{
		{3, 38, 70, 8, geom(7, 1, 0), true},    // the first layer's shape: rows of 64, K 147
		{20, 34, 66, 13, geom(3, 1, 0), true},  // 13 channels: an edge tile in every column
		{40, 10, 66, 16, geom(3, 1, 0), false}, // K 360: two depth blocks
		{30, 9, 77, 24, geom(3, 1, 0), true},   // rows of 75: some panels span two rows
		{6, 9, 64, 8, geom(3, 1, 0), true},     // rows 256 bytes apart: packed
		{24, 18, 66, 9, geom(3, 2, 1), true},   // strided: unrolled bands, read in place
		{33, 8, 64, 10, geom(1, 1, 0), true},   // pointwise: B is the image, packed
		{8, 40, 70, 3, geom(7, 1, 3), true},    // 3 channels: row-cut (conv2dRows)
		{4, 20, 70, 12, geom(5, 1, 2), true},   // zero padding (a padded copy)
	}
	for _, kern := range gemmKernels {
		if kern.tapsTile == nil {
			continue
		}
		packed := *kern
		packed.tapsTile = nil
		t.Run(kern.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(21, 22))
			for _, threads := range []int{1, 2} {
				withThreads(t, threads)
				for _, c := range convs {
					what := fmt.Sprintf("conv %+v, %d threads", c, threads)
					x := FromData(randSlice(r, c.cin*c.h*c.w), 1, c.cin, c.h, c.w)
					wt := FromData(randSlice(r, c.cout*c.cin*c.g.KH*c.g.KW), c.cout, c.cin, c.g.KH, c.g.KW)
					var b []float32
					if c.bias {
						b = randSlice(r, c.cout)
					}
					got := conv2dForwardWith(kern, x, wt, b, c.g, nil)
					want := conv2dForwardWith(&packed, x, wt, b, c.g, nil)
					sameBits(t, what, got.Data, want.Data)
					checkClose(t, what, got.Data, convRef(x, wt, b, c.g).Data, c.cin*c.g.KH*c.g.KW)
				}
				// the transposed convolution's phases, rows of 70 and 71
				for _, w := range []int{35, 36} {
					l := NewConvTranspose2d(10, 9, 3, 2, 1, 1, true)
					ltRandParams(l, r)
					x := gcRand(r, 1, 1, 10, 6, w)
					oh, ow := l.OutSize(6, w)
					got, want := NewTensor(1, 9, oh, ow), NewTensor(1, 9, oh, ow)
					if !l.forwardPhases(kern, x, got) || !l.forwardPhases(&packed, x, want) {
						t.Fatal("forwardPhases declined the generator's geometry")
					}
					sameBits(t, fmt.Sprintf("convT, width %d, %d threads", w, threads), got.Data, want.Data)
					ltClose(t, "convT", got, ltConvTRef(x, l), 1e-5)
				}
				// Sgemm (B packed)
				m, n, k := 13, 100, 300
				a, bm := randSlice(r, m*k), randSlice(r, k*(n+3))
				got, want := make([]float32, m*n), make([]float32, m*n)
				sgemmWith(kern, false, false, m, n, k, 1, a, k, bm, n+3, 0, got, n)
				sgemmWith(&packed, false, false, m, n, k, 1, a, k, bm, n+3, 0, want, n)
				sameBits(t, "Sgemm", got, want)
			}
		})
	}
}

// TestInterleave2 checks interleave2 against its definition at lengths
// around the vector width, both column counts of a row (even and odd).
func TestInterleave2(t *testing.T) { bothVecPaths(t, testInterleave2) }

func testInterleave2(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for nb := 0; nb <= 40; nb++ {
		for _, na := range []int{nb, nb + 1} {
			a, b := randSlice(r, na), randSlice(r, nb)
			bias := float32(r.NormFloat64())
			got := make([]float32, na+nb+1)
			got[na+nb] = 42 // beyond the row: untouched
			interleave2(got[:na+nb], a, b, bias)
			want := make([]float32, na+nb)
			for i, v := range a {
				want[2*i] = v + bias
			}
			for i, v := range b {
				want[2*i+1] = v + bias
			}
			sameBits(t, fmt.Sprintf("interleave2(%d, %d)", na, nb), got[:na+nb], want)
			if got[na+nb] != 42 {
				t.Fatalf("interleave2(%d, %d) wrote past the row", na, nb)
			}
		}
	}
}
