package eval

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/cyclegan-go/cyclegan/nn"
)

// Normalization says how descriptor channels are standardised before
// projecting.
type Normalization int

const (
	// Pooled standardises each colour channel of both sets with the mean and
	// standard deviation of the two sets together. The distance then sees
	// global colour and contrast differences, the main thing a weather
	// translator changes, and stays symmetric.
	Pooled Normalization = iota
	// PerSet standardises each set with its own statistics, as Karras et
	// al.'s code does. It makes the distance blind to a per-channel offset
	// or gain of a whole set (a colour cast): kept for comparison only.
	PerSet
)

// Options are the parameters of the sliced Wasserstein distance. The
// defaults (DefaultOptions) are those of Karras et al.
type Options struct {
	MinRes         int           // coarsest pyramid level kept (16): levels are size, size/2, ... >= MinRes
	NhoodSize      int           // side of the square neighbourhoods (7)
	NhoodsPerImage int           // neighbourhoods drawn per image and level (128)
	DirRepeats     int           // rounds of random directions (4)
	DirsPerRepeat  int           // random directions per round (128; 4 x 128 = 512 projections)
	Seed           uint64        // seeds the neighbourhood positions and the directions
	Normalize      Normalization // Pooled (default) or PerSet
}

// DefaultOptions returns Karras et al.'s parameters with seed 1.
func DefaultOptions() Options {
	return Options{MinRes: 16, NhoodSize: 7, NhoodsPerImage: 128, DirRepeats: 4, DirsPerRepeat: 128, Seed: 1}
}

func (o Options) validate() error {
	switch {
	case o.NhoodSize < 1 || o.NhoodSize%2 == 0:
		return fmt.Errorf("swd: neighbourhood size %d must be odd and positive", o.NhoodSize)
	case o.MinRes < o.NhoodSize:
		return fmt.Errorf("swd: coarsest level %d is smaller than the %d-pixel neighbourhood", o.MinRes, o.NhoodSize)
	case o.NhoodsPerImage < 1 || o.DirRepeats < 1 || o.DirsPerRepeat < 1:
		return fmt.Errorf("swd: need at least one neighbourhood per image, one round and one direction (have %d, %d, %d)",
			o.NhoodsPerImage, o.DirRepeats, o.DirsPerRepeat)
	case o.Normalize != Pooled && o.Normalize != PerSet:
		return fmt.Errorf("swd: unknown normalization %d", o.Normalize)
	}
	return nil
}

// Result holds the distance at each pyramid level and their mean, all
// multiplied by 1e3 as in the paper's tables.
type Result struct {
	Res   []int     // level sizes (the shorter side), finest first
	Level []float64 // SWD x 1e3 per level
	Avg   float64   // mean of Level
	NA    int       // images in the first set
	NB    int       // images in the second set
}

// Descriptors are the raw (not yet standardised) neighbourhoods of one set
// of images at every pyramid level.
type Descriptors struct {
	W, H   int         // image size the set was taken at
	Res    []int       // level sizes (shorter side), finest first
	Levels [][]float32 // per level: rows of 3*NhoodSize^2 values (channel, row, column)
	N      int         // images
	opt    Options
}

// levelSizes lists the pyramid levels for a w x h image, or says why the
// size does not work (every level but the last must have even sides).
func levelSizes(w, h int, o Options) ([]int, error) {
	s := min(w, h)
	if s < o.MinRes {
		return nil, fmt.Errorf("swd: images of %dx%d are smaller than the coarsest level %d", w, h, o.MinRes)
	}
	var res []int
	for s >= o.MinRes {
		res = append(res, s)
		if s/2 < o.MinRes {
			break
		}
		if w%2 != 0 || h%2 != 0 {
			return nil, fmt.Errorf("swd: a %dx%d level cannot be halved exactly; use a power-of-two evaluation size (e.g. 128 or 256)", w, h)
		}
		w, h, s = w/2, h/2, s/2
	}
	return res, nil
}

// Extract draws the neighbourhood descriptors of a set. All images must
// have the same size. The positions depend only on the options' seed, the
// level and the image's index in the set, never on the other set, so
// SWD(a, b) == SWD(b, a) and a set is at distance 0 from itself.
func Extract(set []*Image, o Options) (*Descriptors, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	if len(set) == 0 {
		return nil, fmt.Errorf("swd: empty image set")
	}
	w, h := set[0].W, set[0].H
	for i, m := range set {
		if m.W != w || m.H != h || len(m.Pix) != 3*w*h {
			return nil, fmt.Errorf("swd: image %d is %dx%d, the first is %dx%d: bring all to one evaluation size", i, m.W, m.H, w, h)
		}
	}
	res, err := levelSizes(w, h, o)
	if err != nil {
		return nil, err
	}
	k := o.NhoodSize
	dim := 3 * k * k
	d := &Descriptors{W: w, H: h, Res: res, N: len(set), opt: o, Levels: make([][]float32, len(res))}
	for l := range res {
		d.Levels[l] = make([]float32, 0, len(set)*o.NhoodsPerImage*dim)
	}
	for i, m := range set {
		pyr := laplacianPyramid(m, len(res))
		for l, lev := range pyr {
			// One stream per (image, level): image i of any set samples the
			// same places.
			rng := rand.New(rand.NewPCG(o.Seed, uint64(i)<<8|uint64(l)))
			r := k / 2
			for range o.NhoodsPerImage {
				x := r + rng.IntN(lev.W-2*r)
				y := r + rng.IntN(lev.H-2*r)
				for c := 0; c < 3; c++ {
					p := lev.Plane(c)
					for dy := -r; dy <= r; dy++ {
						row := p[(y+dy)*lev.W+x-r : (y+dy)*lev.W+x+r+1]
						d.Levels[l] = append(d.Levels[l], row...)
					}
				}
			}
		}
	}
	return d, nil
}

// channelSums returns, per colour channel, the count, sum and sum of
// squares of one level's descriptor values.
func channelSums(desc []float32, k int) (n, s, ss [3]float64) {
	kk := k * k
	dim := 3 * kk
	for off := 0; off+dim <= len(desc); off += dim {
		for c := 0; c < 3; c++ {
			for _, v := range desc[off+c*kk : off+(c+1)*kk] {
				s[c] += float64(v)
				ss[c] += float64(v) * float64(v)
			}
			n[c] += float64(kk)
		}
	}
	return n, s, ss
}

// standardise returns (desc - mean[c]) / std[c] per channel.
func standardise(desc []float32, k int, mean, std [3]float64) []float32 {
	kk := k * k
	dim := 3 * kk
	out := make([]float32, len(desc))
	for off := 0; off+dim <= len(desc); off += dim {
		for c := 0; c < 3; c++ {
			m, inv := mean[c], 1/std[c]
			for j := off + c*kk; j < off+(c+1)*kk; j++ {
				out[j] = float32((float64(desc[j]) - m) * inv)
			}
		}
	}
	return out
}

// stats turns sums into mean and standard deviation (population, as
// NumPy's std); a channel with no spread keeps its values unscaled.
func stats(n, s, ss [3]float64) (mean, std [3]float64) {
	for c := 0; c < 3; c++ {
		mean[c] = s[c] / n[c]
		v := ss[c]/n[c] - mean[c]*mean[c]
		std[c] = math.Sqrt(max(v, 0))
		if std[c] < 1e-12 {
			std[c] = 1
		}
	}
	return mean, std
}

// Distance is the sliced Wasserstein distance between two extracted sets
// (taken with the same options and at the same size).
func Distance(a, b *Descriptors) (Result, error) {
	if a.opt != b.opt {
		return Result{}, fmt.Errorf("swd: the two sets were extracted with different options")
	}
	if a.W != b.W || a.H != b.H {
		return Result{}, fmt.Errorf("swd: sets taken at different sizes (%dx%d and %dx%d)", a.W, a.H, b.W, b.H)
	}
	o := a.opt
	k := o.NhoodSize
	dim := 3 * k * k
	r := Result{Res: append([]int(nil), a.Res...), NA: a.N, NB: b.N}
	for l := range a.Res {
		na, sa, ssa := channelSums(a.Levels[l], k)
		nb, sb, ssb := channelSums(b.Levels[l], k)
		var da, db []float32
		if o.Normalize == PerSet {
			ma, sda := stats(na, sa, ssa)
			mb, sdb := stats(nb, sb, ssb)
			da, db = standardise(a.Levels[l], k, ma, sda), standardise(b.Levels[l], k, mb, sdb)
		} else {
			var n, s, ss [3]float64
			for c := 0; c < 3; c++ { // a+b == b+a exactly: the result stays symmetric
				n[c], s[c], ss[c] = na[c]+nb[c], sa[c]+sb[c], ssa[c]+ssb[c]
			}
			m, sd := stats(n, s, ss)
			da, db = standardise(a.Levels[l], k, m, sd), standardise(b.Levels[l], k, m, sd)
		}
		rng := rand.New(rand.NewPCG(o.Seed^0x9e3779b97f4a7c15, uint64(l)))
		var sum float64
		for range o.DirRepeats {
			dirs := randomDirections(rng, dim, o.DirsPerRepeat)
			sum += slicedW1(da, db, dim, dirs, o.DirsPerRepeat)
		}
		r.Level = append(r.Level, 1e3*sum/float64(o.DirRepeats))
	}
	for _, v := range r.Level {
		r.Avg += v
	}
	r.Avg /= float64(len(r.Level))
	return r, nil
}

// SWD extracts both sets and returns their distance.
func SWD(a, b []*Image, o Options) (Result, error) {
	da, err := Extract(a, o)
	if err != nil {
		return Result{}, fmt.Errorf("first set: %w", err)
	}
	db, err := Extract(b, o)
	if err != nil {
		return Result{}, fmt.Errorf("second set: %w", err)
	}
	return Distance(da, db)
}

// randomDirections returns a dim x n matrix (row-major) whose columns are
// independent uniformly random unit vectors.
func randomDirections(rng *rand.Rand, dim, n int) []float32 {
	d := make([]float64, dim*n)
	for i := range d {
		d[i] = rng.NormFloat64()
	}
	out := make([]float32, dim*n)
	for j := 0; j < n; j++ {
		var s float64
		for i := 0; i < dim; i++ {
			s += d[i*n+j] * d[i*n+j]
		}
		inv := 1 / math.Sqrt(s)
		for i := 0; i < dim; i++ {
			out[i*n+j] = float32(d[i*n+j] * inv)
		}
	}
	return out
}

// slicedW1 projects both descriptor sets (rows of dim values) on the n
// directions and returns the mean over directions of the 1-D Wasserstein
// distance between the projected samples.
func slicedW1(a, b []float32, dim int, dirs []float32, n int) float64 {
	pa, pb := project(a, dim, dirs, n), project(b, dim, dirs, n)
	var sum float64
	for j := 0; j < n; j++ {
		sum += wasserstein1(pa[j], pb[j])
	}
	return sum / float64(n)
}

// project returns, per direction, the sorted projections of the rows.
func project(x []float32, dim int, dirs []float32, n int) [][]float32 {
	m := len(x) / dim
	p := make([]float32, m*n)
	nn.Sgemm(false, false, m, n, dim, 1, x, dim, dirs, n, 0, p, n)
	cols := make([][]float32, n)
	for j := range cols {
		c := make([]float32, m)
		for i := 0; i < m; i++ {
			c[i] = p[i*n+j]
		}
		slices.Sort(c)
		cols[j] = c
	}
	return cols
}

// wasserstein1 is the exact 1-D Wasserstein-1 distance between the
// empirical distributions of the sorted samples a and b: the integral over
// t in (0, 1) of |quantile_a(t) - quantile_b(t)|. For equal sizes it is
// the mean absolute difference of the sorted values (Karras et al.'s
// formula); unequal sizes are integrated on the common grid 1/(len(a)*len(b)).
func wasserstein1(a, b []float32) float64 {
	n, m := len(a), len(b)
	if n == 0 || m == 0 {
		return math.NaN()
	}
	var s float64
	if n == m {
		for i := range a {
			s += math.Abs(float64(a[i]) - float64(b[i]))
		}
		return s / float64(n)
	}
	i, j, t := 0, 0, 0
	for i < n && j < m {
		ea, eb := (i+1)*m, (j+1)*n
		e := min(ea, eb)
		s += float64(e-t) * math.Abs(float64(a[i])-float64(b[j]))
		t = e
		if ea == e {
			i++
		}
		if eb == e {
			j++
		}
	}
	return s / (float64(n) * float64(m))
}
