package eval

import (
	"math"
	"math/rand/v2"
)

// synthSet draws n synthetic size x size "photos" from one distribution:
// a random base colour, a sky-like vertical gradient, a few sinusoidal
// textures of random frequency and orientation, and pixel noise.
func synthSet(seed uint64, n, size int) []*Image {
	rng := rand.New(rand.NewPCG(seed, 77))
	set := make([]*Image, n)
	for k := range set {
		m := NewImage(size, size)
		var base [3]float64
		for c := range base {
			base[c] = 0.45 + 0.1*rng.Float64()
		}
		grad := 0.2 * (rng.Float64() - 0.5)
		type wave struct{ fx, fy, ph, amp float64 }
		waves := make([]wave, 3)
		for i := range waves {
			f := 0.2 + 0.3*rng.Float64()
			a := rng.Float64() * math.Pi
			waves[i] = wave{f * math.Cos(a), f * math.Sin(a), rng.Float64() * 2 * math.Pi, 0.05 + 0.07*rng.Float64()}
		}
		for y := 0; y < size; y++ {
			for x := 0; x < size; x++ {
				t := grad * (float64(y)/float64(size) - 0.5)
				for _, w := range waves {
					t += w.amp * math.Sin(w.fx*float64(x)+w.fy*float64(y)+w.ph)
				}
				for c := 0; c < 3; c++ {
					v := base[c] + t*(1-0.2*float64(c)) + 0.03*rng.NormFloat64()
					m.Pix[(c*size+y)*size+x] = float32(min(max(v, 0), 1))
				}
			}
		}
		set[k] = m
	}
	return set
}

// mapSet applies f to every value of channel c of a copy of the set
// (c < 0: all channels), clamping to [0, 1].
func mapSet(set []*Image, c int, f func(v float32) float32) []*Image {
	out := make([]*Image, len(set))
	for i, m := range set {
		o := m.Clone()
		for ch := 0; ch < 3; ch++ {
			if c >= 0 && ch != c {
				continue
			}
			p := o.Plane(ch)
			for j, v := range p {
				p[j] = min(max(f(v), 0), 1)
			}
		}
		out[i] = o
	}
	return out
}

// boxBlur blurs every image passes times with a 3x3 box (edges clamped).
func boxBlur(set []*Image, passes int) []*Image {
	out := make([]*Image, len(set))
	for i, m := range set {
		cur := m.Clone()
		for range passes {
			next := cur.Clone()
			for c := 0; c < 3; c++ {
				src, dst := cur.Plane(c), next.Plane(c)
				for y := 0; y < m.H; y++ {
					for x := 0; x < m.W; x++ {
						var s float32
						for dy := -1; dy <= 1; dy++ {
							for dx := -1; dx <= 1; dx++ {
								yy, xx := min(max(y+dy, 0), m.H-1), min(max(x+dx, 0), m.W-1)
								s += src[yy*m.W+xx]
							}
						}
						dst[y*m.W+x] = s / 9
					}
				}
			}
			cur = next
		}
		out[i] = cur
	}
	return out
}
