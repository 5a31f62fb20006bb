package weights

import "math"

// Int8 storage is symmetric and per output channel: for channel c,
// scale[c] = max|w| / 127 and q = round(w / scale[c]) in [-127, 127];
// the reader computes w = q * scale[c].

// channelOf returns, for element i of a tensor of the given shape, its
// index along axis.
func channelStride(shape []int, axis int) (inner, n int) {
	inner = 1
	for _, d := range shape[axis+1:] {
		inner *= d
	}
	return inner, shape[axis]
}

// quantizeInt8 returns the int8 codes and the per-channel scales of data.
//
// Rounding carries each element's rounding error into the next element of
// the same kernel (the innermost kH*kW values, error diffusion): every kernel
// then keeps its sum to within half a step, so the quantisation error of a
// convolution over smooth feature maps (the low spatial frequencies that
// photos are made of) mostly cancels. Measured in docs/PERF.md.
func quantizeInt8(data []float32, shape []int, axis int) ([]int8, []float32) {
	inner, n := channelStride(shape, axis)
	maxAbs := make([]float32, n)
	for i, v := range data {
		c := (i / inner) % n
		if a := float32(math.Abs(float64(v))); a > maxAbs[c] {
			maxAbs[c] = a
		}
	}
	scales := make([]float32, n)
	for c, m := range maxAbs {
		scales[c] = m / 127
	}
	kernel := 1
	if len(shape) == 4 {
		kernel = shape[2] * shape[3]
	}
	q := make([]int8, len(data))
	var carry float64
	for i, v := range data {
		if i%kernel == 0 {
			carry = 0
		}
		s := scales[(i/inner)%n]
		if s == 0 {
			continue
		}
		want := float64(v) + carry
		r := max(-127, min(127, math.RoundToEven(want/float64(s))))
		q[i] = int8(r)
		carry = want - r*float64(s)
	}
	return q, scales
}

// dequantizeInt8 writes q*scale into dst; first is the element index of q[0]
// in the whole tensor (the reader decodes in chunks).
func dequantizeInt8(dst []float32, q []byte, scales []float32, inner, first int) {
	n := len(scales)
	for i, b := range q {
		dst[i] = float32(int8(b)) * scales[((first+i)/inner)%n]
	}
}
