package nn

// transpose8Go is transpose8 without vector instructions: dst[t·ds+i] =
// src[s0+offs[i]+t] for i, t in [0, 8).
func transpose8Go(dst []float32, ds int, src []float32, s0 int, offs *[8]int) {
	for i, o := range offs {
		col := src[s0+o : s0+o+8]
		for t, v := range col {
			dst[t*ds+i] = v
		}
	}
}

// transpose8Stride2Go is transpose8Stride2 without vector instructions:
// dst[t·ds+i] = src[s0+offs[i]+2t].
func transpose8Stride2Go(dst []float32, ds int, src []float32, s0 int, offs *[8]int) {
	for i, o := range offs {
		col := src[s0+o : s0+o+15]
		for t := 0; t < 8; t++ {
			dst[t*ds+i] = col[2*t]
		}
	}
}
