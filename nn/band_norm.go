package nn

import (
	"fmt"
	"math"
)

// norm normalises the band x in place (then ReLU, with relu) with the
// statistics of the whole image. Each band sends its count, per-plane means
// and sums of squared deviations (two passes over its rows, as
// planeStats), and every band combines all of them in band order with the
// pairwise formula of Chan et al.: the result is the same in every band and
// does not depend on timing. A single band uses planeStats itself, so that
// it gives Forward's result bit for bit.
func (r *bandRun) norm(l *InstanceNorm2d, x *Tensor, relu bool) error {
	check4D("InstanceNorm2d", x, l.C)
	c, hw := x.C(), x.H()*x.W()
	if r.b.Count == 1 {
		l.normalize(x, relu)
		return nil
	}
	mine := make([]float64, 1+2*c)
	mine[0] = float64(hw)
	parallelElems(c, 2*float64(hw), func(c0, c1 int) {
		for ci := c0; ci < c1; ci++ {
			mine[1+ci], mine[1+c+ci] = planeMoments(x.Data[ci*hw : (ci+1)*hw])
		}
	})
	all, err := r.ex.Stats(mine)
	if err != nil {
		return err
	}
	if len(all) != r.b.Count {
		return fmt.Errorf("nn: ForwardBand: statistics of %d bands, want %d", len(all), r.b.Count)
	}
	for i, s := range all {
		if len(s) != len(mine) || !(s[0] >= 1) {
			return fmt.Errorf("nn: ForwardBand: band %d sent %d statistics, want %d", i, len(s), len(mine))
		}
	}
	total := 0.0
	for _, s := range all {
		total += s[0]
	}
	if total < 2 {
		return fmt.Errorf("nn: InstanceNorm2d: planes of a single value")
	}
	parallelElems(c, float64(hw), func(c0, c1 int) {
		for ci := c0; ci < c1; ci++ {
			var n, mean, m2 float64
			for _, s := range all { // in band order
				nb, mb, qb := s[0], s[1+ci], s[1+c+ci]
				nt := n + nb
				d := mb - mean
				mean += d * nb / nt
				m2 += qb + d*d*n*nb/nt
				n = nt
			}
			inv := 1 / math.Sqrt(max(0, m2/n)+l.Eps)
			normRow(x.Data[ci*hw:(ci+1)*hw], float32(mean), float32(inv), relu)
		}
	})
	return nil
}

// planeMoments returns the mean of x and Σ(x − mean)², in two passes:
// blocks of normBlock values summed in float32 vector lanes (sumRow,
// sumSqDevRow: SIMD where the build has it), the block sums in float64.
func planeMoments(x []float32) (mean, m2 float64) {
	var s float64
	for i := 0; i < len(x); i += normBlock {
		s += float64(sumRow(x[i:min(i+normBlock, len(x))]))
	}
	mean = s / float64(len(x))
	m := float32(mean)
	var q float64
	for i := 0; i < len(x); i += normBlock {
		q += float64(sumSqDevRow(x[i:min(i+normBlock, len(x))], m))
	}
	// Σ(x−m)² = Σ(x−mean)² + n·(mean−m)²: remove what rounding the mean to
	// float32 added
	d := mean - float64(m)
	return mean, max(0, q-float64(len(x))*d*d)
}
