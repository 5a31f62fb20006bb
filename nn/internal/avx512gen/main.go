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
//
// A taps tile (avx512Tile8x32Taps) is the same tile with B read where it
// lies instead of from a packed panel: each k-step loads the offset of its
// B row from a table (an im2col row's image offset, a matrix row's start)
// and its vectors from there, unaligned. Measured on the Xeon, the split
// loads cost it about 7% against an aligned panel in L1, less than packing
// the panel cost (docs/PERF.md). It also adds a bias to a tile it
// overwrites, so that a convolution's output needs no pass of its own for
// the bias.
//
// Tried for the taps tile and dropped (no faster beyond the noise on the
// Xeon's residual convolutions): without the C prefetch, or with
// PREFETCHT1; without the A prefetch; unrolled ×8; all B rows of an
// iteration loaded ahead of its FMAs; prefetching the next panel's B rows;
// the depth kc at 256, 384 and 576. The transposed product (image values
// broadcast, the packed weights as the vector operand: no split loads)
// gained 3–5%, less than the transposition its output would then need.
package main

import (
	"bytes"
	"fmt"
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
	// taps: B is read in place rather than from a packed panel: row p of
	// the panel is the 16·nv floats at x + taps[p] (an image's window
	// row, a matrix row), and the tile can add a bias (writeTapsTile).
	taps bool
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
	{name: "avx512Tile8x32Taps", mr: 8, nv: 2, unroll: 4, prefetch: 16, taps: true},
}

func main() {
	asmgen.Main("gemm_avx512_amd64.s", "nn/internal/avx512gen", "amd64 && !purego", func(b *bytes.Buffer) {
		for _, t := range tiles {
			if registers(t) > 32 {
				log.Fatalf("%s needs more than 32 zmm registers", t.name)
			}
			if t.taps {
				writeTapsTile(b, t)
				continue
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
	nr := 16 * t.nv
	step := func(u int) {
		writeStep(b, t, u, func(j int) string { return fmt.Sprintf("%d(DI)", 4*nr*u+64*j) })
	}
	prefetchC := func() { writePrefetchC(b, t) }
	clearHigh := func() { writeClearHigh(b, t) }
	asmgen.WriteTileLoop(b, asmgen.TileLoop{Name: t.name, MR: t.mr, NV: t.nv, Unroll: t.unroll,
		Reg: "Z", VecBytes: 64, Zero: "VPXORD", Step: step, AfterArgs: prefetchC, BeforeReturn: clearHigh})
}

// writeStep emits k-step u of an unrolled iteration: the A values are
// 4·mr·u bytes into SI, B vector j at the operand bVec(j).
func writeStep(b *bytes.Buffer, t tile, u int, bVec func(j int) string) {
	line := func(format string, args ...any) { asmgen.Line(b, format, args...) }
	acc := func(i, j int) int { return i*t.nv + j } // accumulator register of row i, vector j
	bReg := func(j int) int { return t.mr*t.nv + j }
	aReg := t.mr*t.nv + t.nv
	offA := 4 * t.mr * u
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
		line("\tVMOVUPS %s, Z%d", bVec(j), bReg(j))
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

// writePrefetchC prefetches the C tile, every 64-byte line of every row
// (C in DX, the row stride in bytes in R8), so that the final load-add-store
// finds them in L1.
func writePrefetchC(b *bytes.Buffer, t tile) {
	line := func(format string, args ...any) { asmgen.Line(b, format, args...) }
	nr := 16 * t.nv
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

// writeClearHigh clears the registers above Z15 the tile used:
// VZEROUPPER leaves Z16–Z31 alone (the 512-bit form: the 128-bit one of
// X16–X31 would need AVX512VL).
func writeClearHigh(b *bytes.Buffer, t tile) {
	for r := 16; r < registers(t); r++ {
		asmgen.Line(b, "\tVPXORD Z%d, Z%d, Z%d", r, r, r)
	}
}

// writeTapsTile writes a taps tile: asmgen.TileLoop's function with B read
// in place. Its arguments are (kc int, a, x *float32, taps *int, c
// *float32, ldc int, acc bool, bias *float32): kc in CX, A in SI, x in DI,
// the taps in R10 (one int per k-step, in floats), C in DX, the row stride
// in bytes in R8. Each k-step loads its tap into R11 and the B vectors
// from (DI)(R11*4); the loop advances SI and R10. Without acc, a bias that
// is not nil (mr values) is added to the tile's rows before they are
// stored: C = A·B + bias, rounded as bias + A·B.
func writeTapsTile(b *bytes.Buffer, t tile) {
	line := func(format string, args ...any) { asmgen.Line(b, format, args...) }
	shift := 0
	for 1<<shift < t.unroll {
		shift++
	}
	step := func(u int) {
		line("\tMOVQ %d(R10), R11", 8*u)
		writeStep(b, t, u, func(j int) string { return fmt.Sprintf("%d(DI)(R11*4)", 64*j) })
	}
	line("")
	line("// func %s(kc int, a, x *float32, taps *int, c *float32, ldc int, acc bool, bias *float32)", t.name)
	line("TEXT ·%s(SB), NOSPLIT, $0-64", t.name)
	line("\tMOVQ kc+0(FP), CX")
	line("\tMOVQ a+8(FP), SI")
	line("\tMOVQ x+16(FP), DI")
	line("\tMOVQ taps+24(FP), R10")
	line("\tMOVQ c+32(FP), DX")
	line("\tMOVQ ldc+40(FP), R8")
	line("\tSHLQ $2, R8")
	writePrefetchC(b, t)
	for r := 0; r < t.mr*t.nv; r++ {
		line("\tVPXORD Z%d, Z%d, Z%d", r, r, r)
	}
	line("\tMOVQ CX, BX")
	line("\tSHRQ $%d, BX", shift)
	line("\tANDQ $%d, CX", t.unroll-1)
	line("\tTESTQ BX, BX")
	line("\tJZ %s_rest", t.name)
	line("%s_unrolled:", t.name)
	for u := 0; u < t.unroll; u++ {
		step(u)
	}
	line("\tADDQ $%d, SI", 4*t.mr*t.unroll)
	line("\tADDQ $%d, R10", 8*t.unroll)
	line("\tDECQ BX")
	line("\tJNZ %s_unrolled", t.name)
	line("%s_rest:", t.name)
	line("\tTESTQ CX, CX")
	line("\tJZ %s_store", t.name)
	line("%s_single:", t.name)
	step(0)
	line("\tADDQ $%d, SI", 4*t.mr)
	line("\tADDQ $8, R10")
	line("\tDECQ CX")
	line("\tJNZ %s_single", t.name)
	line("%s_store:", t.name)
	line("\tMOVBLZX acc+48(FP), AX")
	line("\tTESTQ AX, AX")
	line("\tJZ %s_bias", t.name)
	for i := 0; i < t.mr; i++ {
		for j := 0; j < t.nv; j++ {
			line("\tVADDPS %d(DX), Z%d, Z%d", 64*j, i*t.nv+j, i*t.nv+j)
		}
		if i < t.mr-1 {
			line("\tADDQ R8, DX")
		}
	}
	line("\tMOVQ c+32(FP), DX")
	line("\tJMP %s_overwrite", t.name)
	line("%s_bias:", t.name)
	line("\tMOVQ bias+56(FP), AX")
	line("\tTESTQ AX, AX")
	line("\tJZ %s_overwrite", t.name)
	aReg := t.mr*t.nv + t.nv
	for i := 0; i < t.mr; i++ {
		line("\tVBROADCASTSS %d(AX), Z%d", 4*i, aReg)
		for j := 0; j < t.nv; j++ {
			line("\tVADDPS Z%d, Z%d, Z%d", aReg, i*t.nv+j, i*t.nv+j)
		}
	}
	line("%s_overwrite:", t.name)
	for i := 0; i < t.mr; i++ {
		for j := 0; j < t.nv; j++ {
			line("\tVMOVUPS Z%d, %d(DX)", i*t.nv+j, 64*j)
		}
		if i < t.mr-1 {
			line("\tADDQ R8, DX")
		}
	}
	writeClearHigh(b, t)
	line("\tVZEROUPPER")
	line("\tRET")
}
