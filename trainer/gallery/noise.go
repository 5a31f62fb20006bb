package gallery

import "math"

// noise is seeded 2-D value noise: random values on the integer lattice,
// smoothly interpolated in between. It gives the scenes their irregular
// textures (grass, cloud edges, ripples) without any global state.
type noise struct{ seed uint64 }

// lattice is the random value in [0, 1) at the lattice point (ix, iy).
func (n noise) lattice(ix, iy int64) float64 {
	return float64(mix64(uint64(ix)*0x9e3779b97f4a7c15^uint64(iy)*0xc2b2ae3d27d4eb4f^n.seed)>>11) / (1 << 53)
}

// at is the noise value in [0, 1) at (x, y); one lattice cell is one unit.
func (n noise) at(x, y float64) float64 {
	fx, fy := math.Floor(x), math.Floor(y)
	ix, iy := int64(fx), int64(fy)
	tx, ty := smooth(x-fx), smooth(y-fy)
	top := lerp(n.lattice(ix, iy), n.lattice(ix+1, iy), tx)
	bottom := lerp(n.lattice(ix, iy+1), n.lattice(ix+1, iy+1), tx)
	return lerp(top, bottom, ty)
}

// fbm ("fractal Brownian motion") sums octaves of noise, each at twice the
// frequency and half the amplitude of the one before; the result is in
// [0, 1) with finer and finer detail.
func (n noise) fbm(x, y float64, octaves int) float64 {
	sum, amp, norm := 0.0, 1.0, 0.0
	for o := 0; o < octaves; o++ {
		sum += amp * noise{n.seed + uint64(o)*0x632be59bd9b4e019}.at(x, y)
		norm += amp
		x, y, amp = 2*x, 2*y, amp/2
	}
	return sum / norm
}

// mix64 is the SplitMix64 finaliser: a cheap, well-spread hash of a word.
func mix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// smooth is the smoothstep curve 3t² − 2t³ on [0, 1].
func smooth(t float64) float64 { return t * t * (3 - 2*t) }

// smoothstep is 0 below e0, 1 above e1 and a smooth ramp in between
// (e0 > e1 gives the falling ramp).
func smoothstep(e0, e1, x float64) float64 {
	return smooth(clamp01((x - e0) / (e1 - e0)))
}

func lerp(a, b, t float64) float64 { return a + (b-a)*t }

func clamp01(x float64) float64 { return min(max(x, 0), 1) }
