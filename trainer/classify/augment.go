package classify

import (
	"math"
	"math/rand/v2"

	"github.com/cyclegan-go/cyclegan/trainer/data"
)

// Augment holds the ranges of the random changes made to every training
// photo. The colour changes are strong on purpose: a photo keeps its label
// whatever its tint, so the classifier cannot learn "orange means sunset"
// and a plain colour transfer cannot fool it.
type Augment struct {
	MinCrop   float64 // random square crop, side between MinCrop and 1 of the shorter side
	Hue       bool    // rotate the hue by a uniform angle (a rotation about the grey axis)
	Sat       float64 // saturation factor in [0, Sat] (0: grey)
	Cast      float64 // per-channel gain in [1-Cast, 1+Cast] and offset in ±Cast/2 (a colour cast)
	Bright    float64 // brightness factor in [1-Bright, 1+Bright]
	Contrast  float64 // contrast factor in [1-Contrast, 1+Contrast]
	Greyscale float64 // probability of turning the photo grey
	Transfer  float64 // probability of a colour transfer (TransferColour) to a random training photo's Lab statistics, before the changes above
}

// DefaultAugment is what the committed classifier was trained with.
func DefaultAugment() Augment {
	return Augment{MinCrop: 0.7, Sat: 2, Cast: 0.3, Bright: 0.5, Contrast: 0.5, Greyscale: 0.2, Transfer: 0.5}
}

// Sample cuts a random square out of m (side between MinCrop and 1 of its
// shorter side, at a random place, mirrored with probability 1/2), scales
// it to size x size bilinearly and writes it, recoloured, into dst as
// three planes in [0, 1]: with probability Transfer its Lab statistics
// are first set to those of one of targets (Reinhard's colour transfer,
// the baseline the classifier must not fall for), then Colour changes it.
func (a Augment) Sample(dst []float32, m *data.RGB, size int, targets []ColourStats, rng *rand.Rand) {
	short := min(m.W, m.H)
	side := float64(short) * (a.MinCrop + (1-a.MinCrop)*rng.Float64())
	x0 := rng.Float64() * (float64(m.W) - side)
	y0 := rng.Float64() * (float64(m.H) - side)
	flip := rng.IntN(2) == 1
	scale := side / float64(size)
	hw := size * size
	for y := range size {
		sy := min(max(y0+(float64(y)+0.5)*scale-0.5, 0), float64(m.H-1))
		iy := min(int(sy), m.H-2)
		fy := float32(sy - float64(iy))
		if m.H == 1 {
			iy, fy = 0, 0
		}
		for x := range size {
			xx := x
			if flip {
				xx = size - 1 - x
			}
			sx := min(max(x0+(float64(xx)+0.5)*scale-0.5, 0), float64(m.W-1))
			ix := min(int(sx), m.W-2)
			fx := float32(sx - float64(ix))
			if m.W == 1 {
				ix, fx = 0, 0
			}
			i00 := 3 * (iy*m.W + ix)
			i01, i10 := i00, i00
			if m.W > 1 {
				i01 = i00 + 3
			}
			if m.H > 1 {
				i10 = i00 + 3*m.W
			}
			i11 := i10 + (i01 - i00)
			for c := range 3 {
				top := float32(m.Pix[i00+c])*(1-fx) + float32(m.Pix[i01+c])*fx
				bot := float32(m.Pix[i10+c])*(1-fx) + float32(m.Pix[i11+c])*fx
				dst[c*hw+y*size+x] = (top*(1-fy) + bot*fy) / 255
			}
		}
	}
	if a.Transfer > 0 && len(targets) > 0 && rng.Float64() < a.Transfer {
		copy(dst, TransferColour(dst, targets[rng.IntN(len(targets))]))
	}
	a.Colour(dst, rng)
}

// Colour recolours three planes in [0, 1] in place: hue rotation,
// saturation, colour cast, brightness, contrast, then greyscale with
// probability Greyscale; the result is clamped to [0, 1].
func (a Augment) Colour(pix []float32, rng *rand.Rand) {
	hw := len(pix) / 3
	r, g, b := pix[:hw], pix[hw:2*hw], pix[2*hw:]
	// One 3×3 colour matrix and offset do hue, saturation and cast.
	mat := [9]float64{1, 0, 0, 0, 1, 0, 0, 0, 1}
	if a.Hue {
		mat = hueRotation(2 * math.Pi * rng.Float64())
	}
	s := a.Sat * rng.Float64()
	mat = mul3(saturation(s), mat)
	var off [3]float64
	for c := range 3 {
		gain := 1 + a.Cast*(2*rng.Float64()-1)
		off[c] = a.Cast * (rng.Float64() - 0.5)
		for k := range 3 {
			mat[3*c+k] *= gain
		}
	}
	bright := 1 + a.Bright*(2*rng.Float64()-1)
	contrast := 1 + a.Contrast*(2*rng.Float64()-1)
	grey := rng.Float64() < a.Greyscale
	var m [9]float32
	for i, v := range mat {
		m[i] = float32(v * bright)
	}
	o := [3]float32{float32(off[0] * bright), float32(off[1] * bright), float32(off[2] * bright)}
	var sum float64
	for i := range hw {
		R, G, B := r[i], g[i], b[i]
		r[i] = m[0]*R + m[1]*G + m[2]*B + o[0]
		g[i] = m[3]*R + m[4]*G + m[5]*B + o[1]
		b[i] = m[6]*R + m[7]*G + m[8]*B + o[2]
		sum += float64(luma(r[i], g[i], b[i]))
	}
	mean := float32(sum / float64(hw))
	k := float32(contrast)
	for i := range hw {
		R, G, B := mean+(r[i]-mean)*k, mean+(g[i]-mean)*k, mean+(b[i]-mean)*k
		if grey {
			R = luma(R, G, B)
			G, B = R, R
		}
		r[i], g[i], b[i] = clamp01(R), clamp01(G), clamp01(B)
	}
}

func luma(r, g, b float32) float32 { return 0.299*r + 0.587*g + 0.114*b }

func clamp01(v float32) float32 { return min(max(v, 0), 1) }

// hueRotation is the rotation by angle t about the grey axis (1,1,1)/√3
// (Rodrigues' formula): it turns hues and keeps grey grey.
func hueRotation(t float64) [9]float64 {
	c, s := math.Cos(t), math.Sin(t)
	a := (1 - c) / 3
	b := s / math.Sqrt(3)
	return [9]float64{c + a, a - b, a + b, a + b, c + a, a - b, a - b, a + b, c + a}
}

// saturation blends each colour with its luma: s = 0 is grey, 1 the
// identity, above 1 more saturated.
func saturation(s float64) [9]float64 {
	lr, lg, lb := 0.299*(1-s), 0.587*(1-s), 0.114*(1-s)
	return [9]float64{lr + s, lg, lb, lr, lg + s, lb, lr, lg, lb + s}
}

// mul3 is the 3×3 matrix product a·b (row-major).
func mul3(a, b [9]float64) [9]float64 {
	var out [9]float64
	for i := range 3 {
		for j := range 3 {
			for k := range 3 {
				out[3*i+j] += a[3*i+k] * b[3*k+j]
			}
		}
	}
	return out
}
