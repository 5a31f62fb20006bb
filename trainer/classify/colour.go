package classify

import (
	"math"

	"github.com/cyclegan-go/cyclegan/trainer/eval"
)

// The colour-transfer baseline: the "translation" that only moves colours.
// Reinhard et al. 2001 ("Color Transfer between Images") shift and scale
// each channel of a photo in a perceptual colour space so that its mean
// and standard deviation become those of a target; here the space is
// CIELAB (sRGB, D65 white) and the target is a domain's typical photo
// (ColourStats). A classifier that sees content assigns such a recoloured
// photo to its own domain, not to the target's.

// ColourStats is a domain's typical colour: the average over its training
// photos of each photo's per-channel mean and standard deviation in Lab
// (L in 0..100, a and b about −128..127).
type ColourStats struct {
	Mean [3]float64 `json:"mean"`
	Std  [3]float64 `json:"std"`
}

// labStats returns the per-channel mean and standard deviation in Lab of
// three planes in [0, 1].
func labStats(pix []float32) (mean, std [3]float64) {
	hw := len(pix) / 3
	var s, ss [3]float64
	for i := range hw {
		l := rgbToLab(pix[i], pix[hw+i], pix[2*hw+i])
		for c, v := range l {
			s[c] += v
			ss[c] += v * v
		}
	}
	for c := range 3 {
		mean[c] = s[c] / float64(hw)
		std[c] = math.Sqrt(max(ss[c]/float64(hw)-mean[c]*mean[c], 0))
	}
	return mean, std
}

// TransferColour returns a copy of three planes in [0, 1] whose Lab
// channels have been shifted and scaled to the mean and standard
// deviation of to (Reinhard's transfer), clamped to the sRGB gamut.
func TransferColour(pix []float32, to ColourStats) []float32 {
	hw := len(pix) / 3
	mean, std := labStats(pix)
	out := make([]float32, len(pix))
	for i := range hw {
		l := rgbToLab(pix[i], pix[hw+i], pix[2*hw+i])
		for c := range 3 {
			k := 1.0
			if std[c] > 1e-6 {
				k = to.Std[c] / std[c]
			}
			l[c] = (l[c]-mean[c])*k + to.Mean[c]
		}
		r, g, b := labToRGB(l)
		out[i], out[hw+i], out[2*hw+i] = r, g, b
	}
	return out
}

// D65 reference white (CIE 1931 2°), XYZ with Y = 1.
const xn, zn = 0.95047, 1.08883

// The sRGB transfer curves are tabulated (lutSize+1 points over [0, 1],
// linear interpolation: within 2e-5 of the formulas, far below one 8-bit
// step), which makes the conversion of a photo ten times faster.
const lutSize = 4096

var toLinearLUT, toSRGBLUT = tabulate(func(x float64) float64 {
	if x <= 0.04045 {
		return x / 12.92
	}
	return math.Pow((x+0.055)/1.055, 2.4)
}), tabulate(func(x float64) float64 {
	if x <= 0.0031308 {
		return 12.92 * x
	}
	return 1.055*math.Pow(x, 1/2.4) - 0.055
})

func tabulate(f func(float64) float64) []float64 {
	t := make([]float64, lutSize+2) // one spare entry: lookup may read t[i+1] at x = 1
	for i := range lutSize + 1 {
		t[i] = f(float64(i) / lutSize)
	}
	t[lutSize+1] = t[lutSize]
	return t
}

// lookup interpolates t at x, clamped to [0, 1].
func lookup(t []float64, x float64) float64 {
	x = min(max(x, 0), 1) * lutSize
	i := int(x)
	return t[i] + (t[i+1]-t[i])*(x-float64(i))
}

func srgbToLinear(v float32) float64 { return lookup(toLinearLUT, float64(v)) }

func linearToSRGB(x float64) float32 { return float32(lookup(toSRGBLUT, x)) }

func labF(t float64) float64 {
	if t > 216.0/24389 {
		return math.Cbrt(t)
	}
	return t*24389/27/116 + 16.0/116
}

func labFInv(t float64) float64 {
	if t > 6.0/29 {
		return t * t * t
	}
	return (t - 16.0/116) * 27 * 116 / 24389
}

// rgbToLab converts an sRGB colour in [0, 1] to CIELAB (D65).
func rgbToLab(r, g, b float32) [3]float64 {
	R, G, B := srgbToLinear(r), srgbToLinear(g), srgbToLinear(b)
	x := (0.4124564*R + 0.3575761*G + 0.1804375*B) / xn
	y := 0.2126729*R + 0.7151522*G + 0.0721750*B
	z := (0.0193339*R + 0.1191920*G + 0.9503041*B) / zn
	fx, fy, fz := labF(x), labF(y), labF(z)
	return [3]float64{116*fy - 16, 500 * (fx - fy), 200 * (fy - fz)}
}

// labToRGB converts CIELAB (D65) to sRGB, clamped to [0, 1].
func labToRGB(l [3]float64) (r, g, b float32) {
	fy := (l[0] + 16) / 116
	fx, fz := fy+l[1]/500, fy-l[2]/200
	x, y, z := labFInv(fx)*xn, labFInv(fy), labFInv(fz)*zn
	R := 3.2404542*x - 1.5371385*y - 0.4985314*z
	G := -0.9692660*x + 1.8760108*y + 0.0415560*z
	B := 0.0556434*x - 0.2040259*y + 1.0572252*z
	return linearToSRGB(R), linearToSRGB(G), linearToSRGB(B)
}

// TransferSet returns TransferColour of every photo of a set.
func TransferSet(set []*eval.Image, to ColourStats) []*eval.Image {
	out := make([]*eval.Image, len(set))
	for i, m := range set {
		out[i] = &eval.Image{W: m.W, H: m.H, Pix: TransferColour(m.Pix, to)}
	}
	return out
}
