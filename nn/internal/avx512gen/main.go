// Command avx512gen writes nn/gemm_avx512_amd64.s, the AVX-512 GEMM
// micro-kernel in Go assembly (run by go generate in package nn).
//
// It needs AVX512F only. A tile is mr rows × 16·nv columns of C held in mr·nv zmm accumulators.
// Each step of the k-loop loads nv vectors of the packed B panel, then for
// each of the mr rows multiplies them by one packed A value and adds with
// VFMADD231PS (acc += a·b). The A value comes either broadcast into a
// register once per row (VBROADCASTSS, then nv register FMAs), or, with
// embedded, as the FMA's own broadcast memory operand (VFMADD231PS.BCST
// n(SI), i.e. {1to16}: one instruction, but one load per FMA). The k-loop
// is unrolled, with a one-step loop for the remainder; the A panel
// (streamed from L2) is prefetched a few steps ahead, and the C tile's rows
// when the function starts, so that the final load-add-store finds them in
// L1 (neither prefetch measured faster or slower on the Xeon: its hardware
// prefetchers follow the packed panels).
// At the end the tile is added to C (acc) or stored over it, rows ldc
// floats apart; the registers above Z15 are cleared and VZEROUPPER clears
// the upper halves of the others, so that the legacy-SSE code Go emits
// elsewhere pays no transition penalty.
package main

import (
	"bytes"
	"log"

	"github.com/cyclegan-go/cyclegan/nn/internal/asmgen"
)

// tile is one kernel to generate.
type tile struct {
	name     string
	mr, nv   int  // rows; columns in 16-float vectors
	unroll   int  // k-steps per loop iteration, a power of two
	embedded bool // A as a broadcast memory operand of each FMA
	prefetch int  // k-steps ahead to prefetch the A panel (0: no prefetch)
}

// tiles are the kernels written to the file. Others were measured on an
// Intel Xeon with AVX-512 (docs/PERF.md) and dropped: 8×48, 12×32, 6×64
// and 4×64 ran as fast alone but lose on the generator's shapes (48
// columns leave an edge tile in every 64-wide band of the downsampling
// layers; 12 or 6 rows pad the 16-, 32- and 64-channel layers), and the
// embedded-broadcast 12×32 and 14×32 were 5–10% slower (one load per FMA).
// To try one, add a line, a Go declaration and a table entry.
var tiles = []tile{
	{name: "avx512Tile8x32", mr: 8, nv: 2, unroll: 4, prefetch: 16},
}

func main() {
	asmgen.Main("gemm_avx512_amd64.s", "nn/internal/avx512gen", "amd64 && !purego", func(b *bytes.Buffer) {
		for _, t := range tiles {
			if registers(t) > 32 {
				log.Fatalf("%s needs more than 32 zmm registers", t.name)
			}
			writeTile(b, t)
		}
	})
}

// registers is how many zmm registers the tile uses: accumulators, B
// vectors and, without embedded broadcasts, the broadcast A value.
func registers(t tile) int {
	n := t.mr*t.nv + t.nv
	if !t.embedded {
		n++
	}
	return n
}

func writeTile(b *bytes.Buffer, t tile) {
	line := func(format string, args ...any) { asmgen.Line(b, format, args...) }
	acc := func(i, j int) int { return i*t.nv + j } // accumulator register of row i, vector j
	bReg := func(j int) int { return t.mr*t.nv + j }
	aReg := t.mr*t.nv + t.nv
	nr := 16 * t.nv
	step := func(u int) {
		offA, offB := 4*t.mr*u, 4*nr*u
		// One prefetch per 64-byte line of A, spread over the steps.
		if t.prefetch > 0 {
			ahead := offA + 4*t.mr*t.prefetch
			for l := offA / 64 * 64; l < offA+4*t.mr; l += 64 {
				if l >= offA {
					line("\tPREFETCHT0 %d(SI)", ahead-offA+l)
				}
			}
		}
		for j := 0; j < t.nv; j++ {
			line("\tVMOVUPS %d(DI), Z%d", offB+64*j, bReg(j))
		}
		for i := 0; i < t.mr; i++ {
			if t.embedded {
				for j := 0; j < t.nv; j++ {
					line("\tVFMADD231PS.BCST %d(SI), Z%d, Z%d", offA+4*i, bReg(j), acc(i, j))
				}
				continue
			}
			line("\tVBROADCASTSS %d(SI), Z%d", offA+4*i, aReg)
			for j := 0; j < t.nv; j++ {
				line("\tVFMADD231PS Z%d, Z%d, Z%d", bReg(j), aReg, acc(i, j))
			}
		}
	}
	// Prefetch the C tile (every 64-byte line of every row).
	prefetchC := func() {
		line("\tMOVQ DX, R9")
		for i := 0; i < t.mr; i++ {
			for o := 0; o < 4*nr; o += 64 {
				line("\tPREFETCHT0 %d(R9)", o)
			}
			line("\tPREFETCHT0 %d(R9)", 4*nr-1) // C rows need not be line-aligned
			if i < t.mr-1 {
				line("\tADDQ R8, R9")
			}
		}
	}
	// VZEROUPPER leaves Z16–Z31 alone: clear the ones used (with the
	// 512-bit form: the 128-bit one of X16–X31 would need AVX512VL).
	clearHigh := func() {
		for r := 16; r < registers(t); r++ {
			line("\tVPXORD Z%d, Z%d, Z%d", r, r, r)
		}
	}
	asmgen.WriteTileLoop(b, asmgen.TileLoop{Name: t.name, MR: t.mr, NV: t.nv, Unroll: t.unroll,
		Reg: "Z", VecBytes: 64, Zero: "VPXORD", Step: step, AfterArgs: prefetchC, BeforeReturn: clearHigh})
}
