package eval

// The Laplacian pyramid of Karras et al.'s SWD, matching their NumPy code
// (itself matching OpenCV's pyrDown/pyrUp): a 5x5 binomial filter
// [1 4 6 4 1]/16 in each direction, borders mirrored without repeating the
// edge (scipy.ndimage mode "mirror", OpenCV BORDER_REFLECT_101).

// binomial5 is the 1-D filter; the 2-D filter is its outer product.
var binomial5 = [5]float32{1.0 / 16, 4.0 / 16, 6.0 / 16, 4.0 / 16, 1.0 / 16}

// mirror maps an index outside [0, n) back inside, edge not repeated.
func mirror(i, n int) int {
	if n == 1 {
		return 0
	}
	for i < 0 || i >= n {
		if i < 0 {
			i = -i
		}
		if i >= n {
			i = 2*(n-1) - i
		}
	}
	return i
}

// convolve5 filters the w x h plane src with gain*k(x)k(y) into dst
// (separable; the horizontal pass first into tmp).
func convolve5(dst, src, tmp []float32, w, h int, gain float32) {
	k := binomial5
	for y := 0; y < h; y++ {
		row := src[y*w : (y+1)*w]
		out := tmp[y*w : (y+1)*w]
		for x := 0; x < w; x++ {
			var s float32
			if x >= 2 && x < w-2 {
				s = k[0]*row[x-2] + k[1]*row[x-1] + k[2]*row[x] + k[3]*row[x+1] + k[4]*row[x+2]
			} else {
				for j := -2; j <= 2; j++ {
					s += k[j+2] * row[mirror(x+j, w)]
				}
			}
			out[x] = s
		}
	}
	for y := 0; y < h; y++ {
		var rows [5][]float32
		for j := -2; j <= 2; j++ {
			yy := mirror(y+j, h)
			rows[j+2] = tmp[yy*w : (yy+1)*w]
		}
		out := dst[y*w : (y+1)*w]
		for x := 0; x < w; x++ {
			out[x] = gain * (k[0]*rows[0][x] + k[1]*rows[1][x] + k[2]*rows[2][x] + k[3]*rows[3][x] + k[4]*rows[4][x])
		}
	}
}

// pyrDown blurs the w x h plane and keeps every second pixel of every
// second row: the result is (w+1)/2 x (h+1)/2.
func pyrDown(src []float32, w, h int) (out []float32, ow, oh int) {
	blur := make([]float32, w*h)
	convolve5(blur, src, make([]float32, w*h), w, h, 1)
	ow, oh = (w+1)/2, (h+1)/2
	out = make([]float32, ow*oh)
	for y := 0; y < oh; y++ {
		for x := 0; x < ow; x++ {
			out[y*ow+x] = blur[2*y*w+2*x]
		}
	}
	return out, ow, oh
}

// pyrUp puts the w x h plane on the even pixels of a 2w x 2h plane of
// zeros and filters it with 4 times the binomial filter.
func pyrUp(src []float32, w, h int) (out []float32, ow, oh int) {
	ow, oh = 2*w, 2*h
	up := make([]float32, ow*oh)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			up[2*y*ow+2*x] = src[y*w+x]
		}
	}
	out = make([]float32, ow*oh)
	convolve5(out, up, make([]float32, ow*oh), ow, oh, 4)
	return out, ow, oh
}

// laplacianPyramid splits m into levels bands: level 0 at full size holds
// the finest detail, each next level half the size; the last level is the
// blurred, downscaled image itself (the Gaussian residual), as in Karras et
// al. Sizes must stay even down to the last level.
func laplacianPyramid(m *Image, levels int) []*Image {
	pyr := []*Image{m.Clone()}
	for i := 1; i < levels; i++ {
		prev := pyr[i-1]
		next := &Image{}
		for c := 0; c < 3; c++ {
			p, w, h := pyrDown(prev.Plane(c), prev.W, prev.H)
			if c == 0 {
				next.W, next.H = w, h
				next.Pix = make([]float32, 3*w*h)
			}
			copy(next.Plane(c), p)
			u, _, _ := pyrUp(p, w, h)
			band := prev.Plane(c)
			for j := range band {
				band[j] -= u[j]
			}
		}
		pyr = append(pyr, next)
	}
	return pyr
}

// collapse inverts laplacianPyramid (used by the tests).
func collapse(pyr []*Image) *Image {
	cur := pyr[len(pyr)-1].Clone()
	for i := len(pyr) - 2; i >= 0; i-- {
		band := pyr[i]
		next := band.Clone()
		for c := 0; c < 3; c++ {
			u, _, _ := pyrUp(cur.Plane(c), cur.W, cur.H)
			p := next.Plane(c)
			for j := range p {
				p[j] += u[j]
			}
		}
		cur = next
	}
	return cur
}
