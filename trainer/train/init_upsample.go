package train

import "github.com/cyclegan-go/cyclegan/nn"

// bilinearTaps is the 1-D kernel that makes a stride-2 transposed convolution
// (kernel 3, padding 1, output padding 1) a linear interpolation: even outputs
// take the input sample (tap 1), odd outputs the mean of two neighbours
// (taps 0 and 2).
var bilinearTaps = [3]float32{0.5, 1, 0.5}

// initUpsampleBilinear re-initialises the generator's transposed
// convolutions (the two upsampling layers) so that each starts as a bilinear
// 2× upsampling of a random mix of its input channels:
//
//	W[i, o, ky, kx] = M[i, o] · b[ky] · b[kx],  b = [0.5, 1, 0.5],
//
// with M[i, o] the centre tap that the normal initialisation drew, so M is
// N(0, gain²) and no random numbers are drawn here (the rest of the model
// initialises exactly as without this option).
//
// Why: with independent N(0, gain²) taps, the four output phases of a
// stride-2 transposed convolution sum 1, 2, 2 and 4 different taps, so a
// freshly initialised generator paints a 2-pixel checkerboard that short
// training runs never lose (docs/MODELS.md). Starting from an interpolation
// the phases agree, the architecture and the weight file stay the official
// ones, and training is free to move every tap. This is the idea of
// Aitken et al. 2017 ("Checkerboard artifact free sub-pixel convolution",
// ICNR) for this layer's geometry; it is not an option of the official code.
func initUpsampleBilinear(g *nn.Generator) {
	for _, taps := range upsampleKernels(g) {
		centre := taps[4]
		for ky := range 3 {
			for kx := range 3 {
				taps[ky*3+kx] = centre * bilinearTaps[ky] * bilinearTaps[kx]
			}
		}
	}
}

// upsamplePhases lists, for a 3×3 kernel of a stride-2 transposed
// convolution (padding 1, output padding 1), the taps (ky*3+kx) that make
// each of the four output phases: even row and column, even row and odd
// column, odd row and even column, odd row and column.
var upsamplePhases = [4][]int{{4}, {3, 5}, {1, 7}, {0, 2, 6, 8}}

// balanceUpsample projects every 3×3 kernel of the generator's stride-2
// transposed convolutions onto the kernels whose four output phases have
// the same gain (the same tap sum), the nearest such kernel in the
// least-squares sense. A flat input then gives a flat output: the layer
// cannot paint a checkerboard on a smooth region. Training with
// --balance_upsample applies it after every generator step (projected
// gradient descent); the weights keep the official shape and meaning.
//
// The projection moves each phase's taps equally so that every phase sums
// to t = Σ_p (s_p / n_p) / Σ_p (1 / n_p), where s_p is phase p's tap sum and
// n_p its tap count (1, 2, 2, 4).
func balanceUpsample(g *nn.Generator) {
	for _, taps := range upsampleKernels(g) {
		var sums [4]float64
		num, den := 0.0, 0.0
		for p, idx := range upsamplePhases {
			for _, i := range idx {
				sums[p] += float64(taps[i])
			}
			n := float64(len(idx))
			num += sums[p] / n
			den += 1 / n
		}
		t := num / den
		for p, idx := range upsamplePhases {
			d := (t - sums[p]) / float64(len(idx))
			for _, i := range idx {
				taps[i] = float32(float64(taps[i]) + d)
			}
		}
	}
}

// upsampleKernels returns the 3×3 kernels (9 taps each, views into the
// weights) of g's upsampling layers, one per input and output channel pair.
func upsampleKernels(g *nn.Generator) [][]float32 {
	var kernels [][]float32
	for _, ct := range upsampleLayers(g) {
		w := ct.Weight.Value.Data // (InC, OutC, 3, 3)
		for k := 0; k+9 <= len(w); k += 9 {
			kernels = append(kernels, w[k:k+9:k+9])
		}
	}
	return kernels
}

// upsampleLayers returns g's upsampling layers: its transposed convolutions
// of the geometry these functions assume (3×3, stride 2, padding 1, output
// padding 1, as in the official ResnetGenerator).
func upsampleLayers(g *nn.Generator) []*nn.ConvTranspose2d {
	var out []*nn.ConvTranspose2d
	for _, l := range g.Layers() {
		if ct, ok := l.(*nn.ConvTranspose2d); ok && upsampleGeometry(ct) {
			out = append(out, ct)
		}
	}
	return out
}

// upsampleGeometry says whether ct is the generator's upsampling layer: a
// 3×3 transposed convolution with stride 2, padding 1 and output padding 1.
func upsampleGeometry(ct *nn.ConvTranspose2d) bool {
	g := ct.Geom
	return g.KH == 3 && g.KW == 3 && g.StrideH == 2 && g.StrideW == 2 && g.PadH == 1 && g.PadW == 1 && ct.OutPad == 1
}
