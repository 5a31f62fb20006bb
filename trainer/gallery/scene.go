package gallery

import (
	"cmp"
	"image"
	"math"
	"math/rand/v2"
	"slices"
)

// Scene draws a w x h sunny landscape, the same for the same seed: a blue
// sky that pales towards the horizon, a sun with a soft glow, a few white
// cumulus clouds, hazy blue hills in the distance, a dark tree line or
// green hills in the middle distance, sometimes a lake that mirrors them,
// and grassy hills in front with a few trees and the shadows of clouds.
// It stands in for a sunny holiday photo where a real one may not be used
// (the README's pictures). A size below 1 gives an empty image.
func Scene(w, h int, seed uint64) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, max(w, 0), max(h, 0)))
	if w < 1 || h < 1 {
		return img
	}
	s := newScene(w, h, seed)
	for x := 0; x < w; x++ {
		col := s.column(x)
		for y := 0; y < h; y++ {
			c := s.pixel(x, y, &col)
			i := img.PixOffset(x, y)
			for k := 0; k < 3; k++ {
				img.Pix[i+k] = uint8(clamp01(c[k])*255 + 0.5)
			}
			img.Pix[i+3] = 255
		}
	}
	return img
}

// Colours of the scene, as RGB in [0, 1].
var (
	zenithBlue  = rgb{0.13, 0.33, 0.70} // the sky straight up
	horizonBlue = rgb{0.68, 0.80, 0.92} // the sky at the horizon
	sunGlow     = rgb{1.00, 0.98, 0.90}
	sunDisc     = rgb{1.00, 1.00, 0.97}
	cloudLit    = rgb{1.00, 1.00, 1.00}
	cloudShade  = rgb{0.70, 0.74, 0.81} // the flat grey underside
	farHill     = rgb{0.33, 0.45, 0.50} // before the haze
	treeGreen   = rgb{0.10, 0.19, 0.09}
	midGreen    = rgb{0.33, 0.50, 0.20}
	lushGrass   = rgb{0.27, 0.50, 0.13}
	dryGrass    = rgb{0.56, 0.62, 0.22}
)

// rgb is a colour with channels in [0, 1].
type rgb [3]float64

// mix blends c towards d by t (0 keeps c, 1 gives d).
func (c rgb) mix(d rgb, t float64) rgb {
	return rgb{lerp(c[0], d[0], t), lerp(c[1], d[1], t), lerp(c[2], d[2], t)}
}

func (c rgb) scale(f float64) rgb { return rgb{c[0] * f, c[1] * f, c[2] * f} }

// ridge is a hill line: a sum of four sines with random phases, in
// about [-1, 1] along the horizontal coordinate.
type ridge struct{ amp, freq, phase [4]float64 }

func newRidge(rng *rand.Rand, freq float64) ridge {
	var r ridge
	total := 0.0
	for k := range 4 {
		r.freq[k] = freq * math.Pow(2.1, float64(k)) * (0.8 + 0.4*rng.Float64())
		r.amp[k] = 1 / math.Pow(float64(k)+1, 1.4)
		r.phase[k] = 2 * math.Pi * rng.Float64()
		total += r.amp[k]
	}
	for k := range r.amp {
		r.amp[k] /= total
	}
	return r
}

func (r ridge) at(u float64) float64 {
	v := 0.0
	for k := range r.amp {
		v += r.amp[k] * math.Sin(r.freq[k]*u+r.phase[k])
	}
	return v
}

// blob is one Gaussian puff of a cloud; cloud is a cluster of them with a
// flat base.
type blob struct{ u, v, r float64 }

type cloud struct {
	blobs     []blob
	top, base float64 // above the highest puff's edge, and the flat underside
}

// density is the sum of the puffs at (u, v): each a Gaussian exp(−d²/r²),
// ignored beyond three radii.
func density(puffs []blob, u, v float64) float64 {
	d := 0.0
	for _, b := range puffs {
		du, dv := (u-b.u)/b.r, (v-b.v)/b.r
		if q := du*du + dv*dv; q < 9 {
			d += math.Exp(-q)
		}
	}
	return d
}

// scene holds the random choices of one seed. Lengths are in units of
// the image height (u across, v down, both from the top-left corner), so
// the sun stays round whatever the aspect ratio.
type scene struct {
	w, h       int
	horizon    float64 // where the far hills meet the ground
	sunU, sunV float64
	sunR       float64
	clouds     []cloud
	far        ridge
	farHeight  float64
	treeLine   bool // a dark tree line in the middle distance, else green hills
	mid        ridge
	lake       bool
	lakeU      float64 // centre of the valley that holds the lake
	lakeWidth  float64
	near       ridge
	nearTop    float64 // mean height of the near hills' crest
	trees      []tree  // on the near hills, the farthest first
	tex        noise
}

func newScene(w, h int, seed uint64) *scene {
	rng := rand.New(rand.NewPCG(seed, 0x5c3e7e))
	aspect := float64(w) / float64(h)
	s := &scene{w: w, h: h, tex: noise{seed: mix64(seed ^ 0x7e57)}}
	s.horizon = 0.50 + 0.10*rng.Float64()
	s.sunU = aspect * (0.12 + 0.76*rng.Float64())
	s.sunV = 0.08 + 0.20*rng.Float64()
	s.sunR = 0.028 + 0.012*rng.Float64()
	for range 2 + rng.IntN(4) {
		s.clouds = append(s.clouds, newCloud(rng, aspect, s.horizon))
	}
	s.far = newRidge(rng, 4+4*rng.Float64())
	s.farHeight = 0.05 + 0.07*rng.Float64()
	s.treeLine = rng.IntN(2) == 0
	s.mid = newRidge(rng, 6+6*rng.Float64())
	s.lake = rng.IntN(5) < 2
	s.lakeU = aspect * (0.3 + 0.4*rng.Float64())
	s.lakeWidth = aspect * (0.25 + 0.15*rng.Float64())
	s.near = newRidge(rng, 2+3*rng.Float64())
	s.nearTop = 0.70 + 0.08*rng.Float64()
	for range rng.IntN(4) {
		s.trees = append(s.trees, s.newTree(rng, aspect))
	}
	slices.SortFunc(s.trees, func(a, b tree) int { return cmp.Compare(a.v, b.v) })
	return s
}

// newCloud scatters 6 to 12 puffs around a centre, above its flat base.
func newCloud(rng *rand.Rand, aspect, horizon float64) cloud {
	size := 0.04 + 0.06*rng.Float64()
	cu := aspect * (-0.05 + 1.1*rng.Float64())
	cv := 0.06 + (horizon-0.25)*rng.Float64()
	c := cloud{top: cv, base: cv + 0.35*size}
	for range 6 + rng.IntN(7) {
		b := blob{
			u: cu + 1.6*size*rng.NormFloat64(),
			v: cv - 0.5*size*math.Abs(rng.NormFloat64()),
			r: size * (0.45 + 0.5*rng.Float64()),
		}
		c.blobs = append(c.blobs, b)
		c.top = min(c.top, b.v-2*b.r) // beyond 2 radii a puff is invisible
	}
	return c
}

// column is what depends only on the horizontal position: the crest of
// each layer of land.
type column struct {
	u                       float64
	farTop, midTop, nearTop float64
	nearSlope               float64 // d(nearTop)/du: > 0 where the crest falls to the right
	lakeTop                 float64 // the shore line (v), or +Inf without a lake
}

func (s *scene) column(x int) column {
	u := (float64(x) + 0.5) / float64(s.h)
	c := column{u: u, lakeTop: math.Inf(1)}
	c.farTop = s.horizon - s.farHeight*(0.55+0.45*s.far.at(u)) - 0.012*s.tex.fbm(u*30, 0.5, 3)
	if s.treeLine {
		// Crowns of trees: fine bumps on a gently varying height.
		height := 0.035 * (0.6 + 0.8*s.tex.fbm(u*6, 3.5, 2))
		c.midTop = s.horizon + 0.004 - height*(0.45+0.55*s.tex.fbm(u*90, 7.5, 2))
	} else {
		c.midTop = s.horizon + 0.012 - 0.03*(0.5+0.5*s.mid.at(u))
	}
	c.nearTop = s.nearCrest(u)
	const du = 0.002
	c.nearSlope = (s.nearCrest(u+du) - s.nearCrest(u-du)) / (2 * du)
	if s.lake {
		c.lakeTop = s.horizon + 0.015
	}
	return c
}

// nearCrest is the top of the near hills at u.
func (s *scene) nearCrest(u float64) float64 {
	t := s.nearTop - 0.07*(0.5+0.5*s.near.at(u))
	if s.lake {
		// A valley where the lake shows; its floor stays above 0.88,
		// so the bottom rows are always grass.
		d := (u - s.lakeU) / s.lakeWidth
		t += (0.88 - t) * 0.9 * math.Exp(-d*d)
	}
	return t
}

// pixel composes the layers from back to front at pixel (x, y).
func (s *scene) pixel(x, y int, c *column) rgb {
	u, v := c.u, (float64(y)+0.5)/float64(s.h)
	px := 1 / float64(s.h) // one pixel, for antialiased edges
	col := s.sky(u, v)
	if d := math.Hypot(u-s.sunU, v-s.sunV); d < s.sunR+px {
		col = col.mix(sunDisc, clamp01((s.sunR-d)/px+0.5))
	}
	for i := range s.clouds {
		col = s.cloud(&s.clouds[i], u, v, col)
	}
	// Land, back to front; each layer covers what is behind it below its crest.
	if v > c.farTop-px {
		col = col.mix(s.farLand(u, v, c), clamp01((v-c.farTop)/px+0.5))
	}
	if v > c.midTop-px {
		col = col.mix(s.midLand(u, v), clamp01((v-c.midTop)/px+0.5))
	}
	if v > c.lakeTop-px {
		col = col.mix(s.water(u, v, c), clamp01((v-c.lakeTop)/px+0.5))
	}
	if v > c.nearTop-px {
		col = col.mix(s.grass(x, y, u, v, c), clamp01((v-c.nearTop)/px+0.5))
	}
	for i := range s.trees {
		col = s.tree(&s.trees[i], u, v, col)
	}
	// A slight darkening of the corners, as a camera lens gives.
	du, dv := u/(float64(s.w)/float64(s.h))-0.5, v-0.5
	return col.scale(1 - 0.35*(du*du+dv*dv))
}

// sky is the clear sky at (u, v) with the sun's glow.
func (s *scene) sky(u, v float64) rgb {
	t := clamp01(v / s.horizon)
	col := zenithBlue.mix(horizonBlue, math.Pow(t, 1.6))
	d := math.Hypot(u-s.sunU, v-s.sunV)
	glow := 0.95*math.Exp(-(d-s.sunR)/0.025) + 0.3*math.Exp(-d/0.18)
	return col.mix(sunGlow, min(glow, 1))
}

// cloudDensity is how much cloud there is at (u, v): the sum of the puffs,
// frayed by noise at the edges and cut off under the flat base.
func (s *scene) cloudDensity(c *cloud, u, v float64) float64 {
	d := density(c.blobs, u, v)
	if d < 0.01 {
		return 0
	}
	d *= 0.55 + 0.9*s.tex.fbm(u*22, v*22, 4)
	return d * smoothstep(c.base+0.01, c.base-0.006, v)
}

// cloud lays one cloud over col: puffs with soft, ragged edges, lit on
// the side that faces the sun (where the density falls towards it), grey
// at the flat base.
func (s *scene) cloud(c *cloud, u, v float64, col rgb) rgb {
	if v < c.top || v > c.base+0.01 {
		return col
	}
	d := s.cloudDensity(c, u, v)
	if d <= 0 {
		return col
	}
	alpha := smoothstep(0.12, 0.75, d)
	// One step towards the sun (mostly upwards): less cloud there means
	// this point is on the lit side.
	su, sv := s.sunU-u, s.sunV-v-0.3
	n := math.Hypot(su, sv)
	ahead := s.cloudDensity(c, u+0.015*su/n, v+0.015*sv/n)
	light := clamp01(0.6 + 1.2*(d-ahead))
	light *= 1 - 0.35*math.Pow(smoothstep(c.top, c.base, v), 2)
	white := cloudShade.mix(cloudLit, light)
	sun := math.Exp(-math.Hypot(u-s.sunU, v-s.sunV) / 0.12)
	white = white.mix(sunGlow, 0.6*sun)
	return col.mix(white, alpha)
}

// haze is how far the distance fades a colour towards the horizon's sky.
func (s *scene) haze(col rgb, amount float64) rgb { return col.mix(horizonBlue, amount) }

// farLand is the distant hills: blue-grey, paler at their feet.
func (s *scene) farLand(u, v float64, c *column) rgb {
	col := farHill.scale(0.9 + 0.2*s.tex.fbm(u*25, v*25, 3))
	return s.haze(col, 0.5+0.25*smoothstep(c.farTop, s.horizon+0.02, v))
}

// midLand is the middle distance: a band of dark woods with lit crowns
// (when the scene has a tree line) in front of hazy green fields.
func (s *scene) midLand(u, v float64) rgb {
	edge := s.horizon + 0.012 + 0.012*s.tex.fbm(u*12, 1.5, 2)
	if s.treeLine && v < edge {
		leaves := s.tex.fbm(u*160, v*160, 3)
		col := treeGreen.scale(0.7 + 0.8*leaves*leaves)
		return s.haze(col, 0.22)
	}
	fields := s.tex.fbm(u*7, v*28, 3)
	col := midGreen.mix(dryGrass, 0.6*smoothstep(0.45, 0.7, fields))
	col = col.scale(0.85 + 0.3*s.tex.fbm(u*60, v*90, 2))
	return s.haze(col, 0.28-0.18*clamp01((v-s.horizon)/0.2))
}

// water is the lake: the sky mirrored (higher sky further from the shore),
// the tree line or hills mirrored at the shore, ripples and the sun's
// glitter.
func (s *scene) water(u, v float64, c *column) rgb {
	depth := v - c.lakeTop
	var col rgb
	if mirrored := c.lakeTop - depth; mirrored > c.midTop {
		col = s.midLand(u, mirrored) // the shore's reflection
	} else if mirrored > c.farTop {
		col = s.farLand(u, mirrored, c)
	} else {
		col = s.sky(u, c.lakeTop-3*depth)
	}
	col = col.scale(0.78).mix(rgb{0.25, 0.38, 0.48}, 0.2)
	ripple := s.tex.at(u*8, v*260)
	col = col.scale(0.9 + 0.2*ripple)
	du := (u - s.sunU) / 0.05
	if s.tex.at(u*90, v*300) > 0.8 {
		col = col.mix(sunGlow, 0.8*math.Exp(-du*du))
	}
	return col
}

// grass is the near hills: patches of lush and dry grass, lit on the
// slopes that face the sun, with a blade texture that grows coarser
// towards the bottom of the picture (closer to the camera).
func (s *scene) grass(x, y int, u, v float64, c *column) rgb {
	patch := s.tex.fbm(u*5, v*9, 4)
	col := lushGrass.mix(dryGrass, smoothstep(0.4, 0.75, patch))
	below := v - c.nearTop
	toSun := math.Tanh((s.sunU - u) / 0.1) // +1 with the sun to the right, -1 to the left
	light := 1.05 + clamp(0.6*c.nearSlope*toSun, -0.2, 0.2)*math.Exp(-below/0.1)
	light -= 0.18 * clamp01(below/0.3)                 // shade in the hollows
	zoom := 1 + 2*clamp01((v-s.horizon)/(1-s.horizon)) // nearer, coarser
	fx, fy := float64(x), float64(y)
	blades := 0.55*s.tex.at(fx/0.7, fy/1.3) + 0.45*s.tex.at(fx/(1.4*zoom), fy/(2.8*zoom))
	clumps := s.tex.fbm(u*30, v*45, 3)
	cloudShadow := 1 - 0.25*smoothstep(0.58, 0.72, s.tex.fbm(u*2.5+17, v*7, 3))
	light *= cloudShadow * s.treeShade(u, v)
	return col.scale(light * (0.84 + 0.22*blades) * (0.88 + 0.24*clumps))
}

func clamp(x, lo, hi float64) float64 { return min(max(x, lo), hi) }

// tree is a broadleaf tree on the near hills: a trunk and a crown of
// leafy puffs, sized by its distance (trees lower in the picture are
// nearer, so taller).
type tree struct {
	u, v        float64 // where the trunk meets the ground
	height      float64
	crown       []blob
	left, right float64 // beyond these the crown is invisible
	top         float64
}

func (s *scene) newTree(rng *rand.Rand, aspect float64) tree {
	u := aspect * (0.05 + 0.9*rng.Float64())
	v := min(s.nearCrest(u)+0.015+0.12*rng.Float64(), 0.97)
	t := tree{u: u, v: v, height: (v - s.horizon) * (0.35 + 0.3*rng.Float64())}
	r := 0.3 * t.height
	cu, cv := u, v-0.68*t.height
	t.left, t.right, t.top = u, u, v
	for range 7 + rng.IntN(6) {
		b := blob{
			u: cu + 0.55*r*rng.NormFloat64(),
			v: cv + 0.4*r*rng.NormFloat64(),
			r: r * (0.4 + 0.3*rng.Float64()),
		}
		t.crown = append(t.crown, b)
		t.left, t.right, t.top = min(t.left, b.u-2.5*b.r), max(t.right, b.u+2.5*b.r), min(t.top, b.v-2.5*b.r)
	}
	return t
}

// crownDensity is how much foliage of t there is at (u, v), with a
// leaf-sized texture.
func (s *scene) crownDensity(t *tree, u, v float64) float64 {
	d := density(t.crown, u, v)
	k := 30 / t.height
	return d * (0.55 + 0.9*s.tex.fbm(u*k, v*k, 3))
}

// tree lays t over col: the trunk, then the crown, lit on the side that
// faces the sun.
func (s *scene) tree(t *tree, u, v float64, col rgb) rgb {
	if v > t.v+0.005 || v < t.top || u < t.left || u > t.right {
		return col
	}
	if half := 0.04 * t.height; math.Abs(u-t.u) < half && v < t.v && v > t.v-0.6*t.height {
		// Brighter on the side towards the sun.
		side := 0.75 + 0.25*math.Tanh((u-t.u)/half*math.Tanh((s.sunU-t.u)/0.1))
		col = rgb{0.30, 0.22, 0.15}.scale(side)
	}
	d := s.crownDensity(t, u, v)
	if d < 0.05 {
		return col
	}
	su, sv := s.sunU-u, s.sunV-v
	n := math.Hypot(su, sv)
	step := 0.08 * t.height
	ahead := s.crownDensity(t, u+step*su/n, v+step*sv/n)
	light := clamp01(0.45 + 0.8*(d-ahead))
	leaves := treeGreen.mix(rgb{0.36, 0.52, 0.16}, light)
	return col.mix(leaves, smoothstep(0.25, 0.7, d))
}

// treeShade is the shadow the trees cast on the grass at (u, v), away
// from the sun: 1 in the open, less in the shade.
func (s *scene) treeShade(u, v float64) float64 {
	shade := 1.0
	for _, t := range s.trees {
		cu := t.u - 0.35*t.height*math.Tanh((s.sunU-t.u)/0.1)
		du, dv := (u-cu)/(0.45*t.height), (v-t.v-0.004)/(0.05*t.height)
		shade *= 1 - 0.4*smoothstep(1, 0.5, du*du+dv*dv)
	}
	return shade
}
