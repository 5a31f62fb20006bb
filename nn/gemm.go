package nn

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, where
// op(A) is m×k and op(B) is k×n. When transA is set, A is stored k×m (lda ≥ m),
// otherwise m×k (lda ≥ k); likewise for B. C is m×n with ldc ≥ n.
// With beta == 0, C is overwritten (it may hold garbage, even NaN).
//
// This is the single entry point every layer uses; the micro-kernel behind it
// is chosen once at start-up from the CPU's features (selectKernel in
// gemm_select.go, over the table of gemm_table_<arch>.go) and the work is
// spread over all cores natively (gemm_parallel.go).
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemmWith(activeKernel, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// sgemmWith is Sgemm with an explicit micro-kernel, so tests can run every one.
func sgemmWith(kern *gemmKernel, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m <= 0 || n <= 0 {
		return
	}
	if k <= 0 || alpha == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	if beta != 0 && beta != 1 {
		scaleC(m, n, beta, c, ldc)
	}
	pa := packA(kern, transA, m, k, alpha, a, lda, nil)
	src := &matrixB{trans: transB, b: b, ldb: ldb}
	gemmPacked(kern, m, n, k, pa, src, beta == 0, c, ldc)
	pa.release()
}

// scaleC sets C = beta·C; beta == 0 clears (so NaN garbage does not survive).
func scaleC(m, n int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		switch beta {
		case 0:
			clear(row)
		case 1:
		default:
			for j := range row {
				row[j] *= beta
			}
		}
	}
}

// sgemmRef is the obviously-correct triple loop the fast kernels are tested against.
func sgemmRef(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
		} else if beta != 1 {
			for j := range row {
				row[j] *= beta
			}
		}
		for p := 0; p < k; p++ {
			var av float32
			if transA {
				av = a[p*lda+i]
			} else {
				av = a[i*lda+p]
			}
			av *= alpha
			if av == 0 {
				continue
			}
			if transB {
				for j := 0; j < n; j++ {
					row[j] += av * b[j*ldb+p]
				}
			} else {
				brow := b[p*ldb : p*ldb+n]
				for j := range row {
					row[j] += av * brow[j]
				}
			}
		}
	}
}
