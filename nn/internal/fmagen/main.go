// Command fmagen writes nn/gemm_fma_amd64.s, the AVX2 FMA GEMM micro-kernel
// in Go assembly (run by go generate in package nn).
//
// A tile is mr rows × 8·nv columns of C held in mr·nv ymm accumulators; each
// step of the k-loop loads nv vectors of the packed B panel, then for each of
// the mr rows broadcasts one packed A value from memory and issues nv
// VFMADD231PS (acc += a·b). The k-loop is unrolled ×4, with a one-step loop
// for the remainder. At the end the tile is added to C (acc) or stored over
// it, rows ldc floats apart, and VZEROUPPER clears the upper ymm halves so
// that the legacy-SSE code Go emits elsewhere pays no transition penalty.
package main

import (
	"bytes"
	"log"

	"github.com/cyclegan-go/cyclegan/nn/internal/asmgen"
)

// tile is one kernel to generate.
type tile struct {
	name   string
	mr, nv int // rows; columns in 8-float vectors
	unroll int // power of two
}

// tiles are the kernels written to the file. Others fit too (mr·nv + nv + 1
// ≤ 16 registers); {"fmaTile6x16", 6, 2, 4} was measured and dropped
// (docs/PERF.md): add a line, a Go declaration and a table entry to try one.
var tiles = []tile{
	{"fmaTile4x24", 4, 3, 4},
}

func main() {
	asmgen.Main("gemm_fma_amd64.s", "nn/internal/fmagen", "amd64 && !purego", func(b *bytes.Buffer) {
		for _, t := range tiles {
			if t.mr*t.nv+t.nv+1 > 16 {
				log.Fatalf("%s needs more than 16 ymm registers", t.name)
			}
			writeTile(b, t)
		}
	})
}

func writeTile(b *bytes.Buffer, t tile) {
	line := func(format string, args ...any) { asmgen.Line(b, format, args...) }
	acc := func(i, j int) int { return i*t.nv + j } // accumulator register of row i, vector j
	bReg := func(j int) int { return t.mr*t.nv + j }
	aReg := t.mr*t.nv + t.nv
	nr := 8 * t.nv
	step := func(u int) {
		offA, offB := 4*t.mr*u, 4*nr*u
		for j := 0; j < t.nv; j++ {
			line("\tVMOVUPS %d(DI), Y%d", offB+32*j, bReg(j))
		}
		for i := 0; i < t.mr; i++ {
			line("\tVBROADCASTSS %d(SI), Y%d", offA+4*i, aReg)
			for j := 0; j < t.nv; j++ {
				line("\tVFMADD231PS Y%d, Y%d, Y%d", bReg(j), aReg, acc(i, j))
			}
		}
	}
	asmgen.WriteTileLoop(b, asmgen.TileLoop{Name: t.name, MR: t.mr, NV: t.nv, Unroll: t.unroll,
		Reg: "Y", VecBytes: 32, Zero: "VXORPS", Step: step})
}
