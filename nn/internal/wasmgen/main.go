// Command wasmgen writes nn/gemm_simd_wasm.s, the WebAssembly SIMD GEMM
// micro-kernels in Go assembly (run by go generate in package nn).
//
// Go's wasm assembler speaks WebAssembly itself (Get, Set, V128Load,
// F32x4Mul, …), which lets a kernel do what the compiler's output for the
// same archsimd code does not: every load of a k-step uses the memory
// instruction's constant offset (the compiler adds each offset to the
// pointer with a separate i64 add and wrap, three extra instructions per
// load), and the accumulators stay in locals that V8 keeps in registers.
//
// A tile is mr rows × 4·nv columns of C held in mr·nv v128 accumulators.
// Each k-step loads nv vectors of the packed B panel, then for each row one
// A value, and issues nv multiplies and adds (acc += a·b; plain SIMD, no
// relaxed FMA, so every browser with WebAssembly SIMD runs it and the
// rounding equals the portable kernels'). A is packed pre-broadcast (aRep 4:
// each value four times, read with one v128.load): f32.load + f32x4.splat
// measured a third slower, and Go's assembler cannot encode
// v128.load32_splat's memory operand. The k-loop is unrolled, with a
// one-step loop for the remainder. At the end the tile is added to C (acc)
// or stored over it, rows ldc floats apart. One call runs n tiles side by
// side (consecutive B panels, C tiles nr floats apart) against the same A
// panel: a call from Go costs about as much as a few k-steps.
package main

import (
	"bytes"
	"fmt"
	"log"

	"github.com/cyclegan-go/cyclegan/nn/internal/asmgen"
)

// tile is one kernel to generate.
type tile struct {
	name   string
	mr, nv int // rows; columns in 4-float vectors
	unroll int
}

var tiles = []tile{
	{"wasmTile4x8", 4, 2, 8},
}

func main() {
	asmgen.Main("gemm_simd_wasm.s", "nn/internal/wasmgen", "go1.27 && wasm && !purego", func(b *bytes.Buffer) {
		for _, t := range tiles {
			// accumulators + B vectors + the A vector; V8 keeps 16 xmm registers
			// minus scratch, and a product needs one more.
			if t.mr*t.nv+t.nv+1 > 16 {
				log.Fatalf("%s needs more than 16 v128 locals", t.name)
			}
			writeTile(b, t)
		}
	})
}

// Registers: R0 kc left, R1 a, R2 b, R3 c, R4 ldc in bytes, R5 a row of C,
// R6 acc, R7 kc, R8 the A panel, R9 tiles left.
func writeTile(b *bytes.Buffer, t tile) {
	line := func(format string, args ...any) { fmt.Fprintf(b, "\t"+format+"\n", args...) }
	acc := func(i, j int) int { return i*t.nv + j } // accumulator local of row i, vector j
	bReg := func(j int) int { return t.mr*t.nv + j }
	aReg := t.mr*t.nv + t.nv
	aStep := 16 * t.mr // bytes of A per k-step (each value four times)
	bStep := 16 * t.nv
	step := func(s int) {
		for j := 0; j < t.nv; j++ {
			line("Get R2; I32WrapI64; V128Load $%d; Set V%d", s*bStep+16*j, bReg(j))
		}
		for i := 0; i < t.mr; i++ {
			line("Get R1; I32WrapI64; V128Load $%d; Set V%d", s*aStep+16*i, aReg)
			for j := 0; j < t.nv; j++ {
				line("Get V%d; Get V%d; Get V%d; F32x4Mul; F32x4Add; Set V%d", acc(i, j), aReg, bReg(j), acc(i, j))
			}
		}
	}
	advance := func(steps int) {
		line("Get R1; I64Const $%d; I64Add; Set R1", steps*aStep)
		line("Get R2; I64Const $%d; I64Add; Set R2", steps*bStep)
		line("Get R0; I64Const $%d; I64Sub; Set R0", steps)
	}

	fmt.Fprintf(b, "\n// func %s(kc int, a, b, c *float32, ldc int, acc bool, n int)\n", t.name)
	fmt.Fprintf(b, "TEXT ·%s(SB), NOSPLIT, $0-56\n", t.name)
	line("MOVD kc+0(FP), R7")
	line("MOVD a+8(FP), R8")
	line("MOVD b+16(FP), R2")
	line("MOVD c+24(FP), R3")
	line("MOVD ldc+32(FP), R4")
	line("Get SP; I64Load8U acc+40(FP); Set R6")
	line("MOVD n+48(FP), R9")
	line("Get R4; I64Const $2; I64Shl; Set R4")
	// one tile per pass of this loop: the B panels follow each other, so
	// R2 ends each pass at the next panel; C moves 4·nr bytes right
	line("Block")
	line("Loop")
	line("Get R9; I64Eqz; BrIf $1")
	line("Get R7; Set R0")
	line("Get R8; Set R1")
	for i := 0; i < t.mr*t.nv; i++ {
		line("V128Const $0, $0; Set V%d", i)
	}
	// unrolled k-loop: while kc >= unroll
	line("Block")
	line("Loop")
	line("Get R0; I64Const $%d; I64LtS; BrIf $1", t.unroll)
	for s := 0; s < t.unroll; s++ {
		step(s)
	}
	advance(t.unroll)
	line("Br $0")
	line("End")
	line("End")
	// remainder: while kc > 0
	line("Block")
	line("Loop")
	line("Get R0; I64Eqz; BrIf $1")
	step(0)
	advance(1)
	line("Br $0")
	line("End")
	line("End")
	// The address of vector j of the C row at R5. Go 1.27's assembler drops
	// the offset of a V128Store (it is missing from the wasm back end's
	// unaryDst table, so the operand lands in From and is never encoded):
	// stores get their address computed in full.
	cAddr := func(j int) string {
		if j == 0 {
			return "Get R5; I32WrapI64"
		}
		return fmt.Sprintf("Get R5; I32WrapI64; I32Const $%d; I32Add", 16*j)
	}
	// C rows: R5 walks them, R4 is the row pitch in bytes
	line("Get R3; Set R5")
	line("Get R6; I64Eqz")
	line("If")
	for i := 0; i < t.mr; i++ {
		for j := 0; j < t.nv; j++ {
			line("%s; Get V%d; V128Store $0", cAddr(j), acc(i, j))
		}
		if i < t.mr-1 {
			line("Get R5; Get R4; I64Add; Set R5")
		}
	}
	line("Else")
	for i := 0; i < t.mr; i++ {
		for j := 0; j < t.nv; j++ {
			line("%s; Get R5; I32WrapI64; V128Load $%d; Get V%d; F32x4Add; V128Store $0", cAddr(j), 16*j, acc(i, j))
		}
		if i < t.mr-1 {
			line("Get R5; Get R4; I64Add; Set R5")
		}
	}
	line("End")
	line("Get R3; I64Const $%d; I64Add; Set R3", 16*t.nv)
	line("Get R9; I64Const $1; I64Sub; Set R9")
	line("Br $0")
	line("End")
	line("End")
	line("RET")
}
