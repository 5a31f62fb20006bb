package nn

// Stride-1 convolutions with very few output channels (the generator's last
// 7×7 convolution has 3; the input gradient of its first one, 3 as well)
// waste the GEMM on packing: each value of the unrolled input, KH·KW times
// the size of the image, serves only cout multiply-adds. Cut by kernel row
// instead: a GEMM with cout·KH rows over an input unrolled KW-fold only,
//
//	P[(co,ky)][(iy,ox)] = Σ_(ci,kx) W[co][ci][ky][kx] · x[ci][iy][ox·sw−pw+kx]
//	y[co][oy][ox]       = Σ_ky P[(co,ky)][(oy−ph+ky, ox)]
//
// and its adjoint for the weight gradient. Both need StrideH == 1.

// rowsPay reports whether the row-cut products are worth it for a layer
// with c channels on the GEMM's row side.
func rowsPay(c int, g ConvGeom) bool { return c < 8 && g.StrideH == 1 && g.KH > 1 }

// conv2dRows sets y (cout × oh × ow) = conv(x (cin × h × w), wt (cout × cin × KH × KW)).
// cache (nil: none) keeps the row-cut weights packed between calls.
func conv2dRows(kern *gemmKernel, x []float32, cin, h, w int, wt []float32, cout int, g ConvGeom, cache *convCache, y []float32) {
	oh, ow := g.OutSize(h, w)
	kh, kw := g.KH, g.KW
	m, kd, n := cout*kh, cin*kw, h*ow
	pa, done := cache.packedMatrix(kern, true, m, kd, func() ([]float32, func()) {
		ab := getBuf(m * kd)
		a := *ab
		for co := 0; co < cout; co++ {
			for ci := 0; ci < cin; ci++ {
				for ky := 0; ky < kh; ky++ {
					copy(a[(co*kh+ky)*kd+ci*kw:][:kw], wt[((co*cin+ci)*kh+ky)*kw:][:kw])
				}
			}
		}
		return a, func() { putBuf(ab) }
	})
	pb := getBuf(m * n)
	p := *pb
	rowG := ConvGeom{KH: 1, KW: kw, StrideH: 1, StrideW: g.StrideW, PadW: g.PadW}
	src, release := newIm2colB(x, cin, h, w, rowG)
	gemmPacked(kern, m, n, kd, pa, src, true, p, n)
	release()
	done()
	clear(y[:cout*oh*ow])
	parallelElems(cout*oh, 0.5*float64(ow*kh), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			co, oy := r/oh, r%oh
			dst := y[r*ow : (r+1)*ow]
			for ky := 0; ky < kh; ky++ {
				if iy := oy - g.PadH + ky; iy >= 0 && iy < h {
					addInto(dst, p[((co*kh+ky)*h+iy)*ow:][:ow])
				}
			}
		}
	})
	putBuf(pb)
}

// conv2dRowsWeightGrad adds to dw (cout × cin × KH × KW) the weight
// gradient of conv(x) for the output gradient dy (cout × oh × ow):
//
//	dW[co][ci][ky][kx] += Σ_(iy,ox) dy[co][iy+ph−ky][ox] · x[ci][iy][ox·sw−pw+kx]
func conv2dRowsWeightGrad(kern *gemmKernel, x []float32, cin, h, w int, dy []float32, cout int, g ConvGeom, dw []float32) {
	oh, ow := g.OutSize(h, w)
	kh, kw := g.KH, g.KW
	m, n, depth := cout*kh, cin*kw, h*ow
	ab := getBuf(m * depth)
	a := *ab
	for co := 0; co < cout; co++ {
		for ky := 0; ky < kh; ky++ {
			for iy := 0; iy < h; iy++ {
				row := a[((co*kh+ky)*h+iy)*ow:][:ow]
				if oy := iy + g.PadH - ky; oy >= 0 && oy < oh {
					copy(row, dy[(co*oh+oy)*ow:][:ow])
				} else {
					clear(row)
				}
			}
		}
	}
	pa := packA(kern, false, m, depth, 1, a, depth, nil)
	putBuf(ab)
	cb := getBuf(m * n)
	c := *cb
	rowG := ConvGeom{KH: 1, KW: kw, StrideH: 1, StrideW: g.StrideW, PadW: g.PadW}
	gemmPacked(kern, m, n, depth, pa, &im2colTB{x: x, c: cin, h: h, w: w, g: rowG, ow: ow}, true, c, n)
	pa.release()
	for co := 0; co < cout; co++ {
		for ci := 0; ci < cin; ci++ {
			for ky := 0; ky < kh; ky++ {
				addInto(dw[((co*cin+ci)*kh+ky)*kw:][:kw], c[(co*kh+ky)*n+ci*kw:][:kw])
			}
		}
	}
	putBuf(cb)
}
