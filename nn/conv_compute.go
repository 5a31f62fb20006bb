package nn

// convCache holds whatever the kernels keep between calls of one convolution
// layer (packed weights, scratch buffers). It is only valid while the layer's
// weights do not change; layers call reset() when they might have.
type convCache struct {
	frozen bool // weights will not change any more (inference): packing may be reused
}

func (c *convCache) reset() {}

// conv2dForward computes, for every image n, y[n] = weight · im2col(x[n]) + bias,
// with weight viewed as a Cout × (Cin·KH·KW) matrix. bias may be nil.
// It allocates and returns y (N × Cout × OH × OW).
func conv2dForward(x *Tensor, weight *Tensor, bias []float32, g ConvGeom, cache *convCache) *Tensor {
	n, cin, h, w := x.N(), x.C(), x.H(), x.W()
	cout := weight.Shape[0]
	oh, ow := g.OutSize(h, w)
	k := cin * g.KH * g.KW
	y := NewTensor(n, cout, oh, ow)
	col := make([]float32, k*oh*ow)
	for i := 0; i < n; i++ {
		im2col(x.Data[i*cin*h*w:(i+1)*cin*h*w], cin, h, w, g, col)
		out := y.Data[i*cout*oh*ow : (i+1)*cout*oh*ow]
		Sgemm(false, false, cout, oh*ow, k, 1, weight.Data, k, col, oh*ow, 0, out, oh*ow)
		if bias != nil {
			for co := 0; co < cout; co++ {
				b := bias[co]
				plane := out[co*oh*ow : (co+1)*oh*ow]
				for j := range plane {
					plane[j] += b
				}
			}
		}
	}
	return y
}
