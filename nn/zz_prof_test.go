package nn

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestZZDownProfile(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	cin, h, cout := 16, 256, 32
	g := ConvGeom{3, 3, 2, 2, 1, 1}
	x := randSlice(r, cin*h*h)
	oh, ow := g.OutSize(h, h)
	k := cin * 9
	col := make([]float32, k*oh*ow)
	wt := FromData(randSlice(r, cout*k), cout, cin, 3, 3)
	xt := FromData(x, 1, cin, h, h)
	cache := &convCache{frozen: true}
	for rep := 0; rep < 3; rep++ {
		t0 := time.Now()
		im2colRows(x, cin, h, h, g, 0, oh, col)
		t1 := time.Now()
		pa, _ := cache.packedWeights(activeKernel, wt.Data, cout, k)
		out := make([]float32, cout*oh*ow)
		t2 := time.Now()
		gemmPacked(activeKernel, cout, oh*ow, k, pa, &matrixB{b: col, ldb: oh * ow}, true, out, oh*ow)
		t3 := time.Now()
		conv2dForwardWith(activeKernel, xt, wt, make([]float32, cout), g, cache)
		t4 := time.Now()
		t.Logf("im2colRows %v gemm %v whole conv %v", t1.Sub(t0), t3.Sub(t2), t4.Sub(t3))
	}
}
