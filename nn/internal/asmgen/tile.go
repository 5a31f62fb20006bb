package asmgen

import (
	"bytes"
	"fmt"
)

// TileLoop is the function both x86 micro-kernel generators (fmagen,
// avx512gen) write around their k-step: func Name(kc int, a, b, c *float32,
// ldc int, acc bool) with mr·nv vector accumulators in registers 0 to
// mr·nv-1. It loads the arguments (kc in CX, the A panel in SI, the B panel
// in DI, C in DX, the row stride in bytes in R8), clears the accumulators,
// runs the k-loop unrolled Unroll times with a one-step loop for the
// remainder (Step emits one k-step and the loop advances SI and DI), then
// adds the tile to C (acc) or stores it over C, rows ldc floats apart, and
// returns after VZEROUPPER.
type TileLoop struct {
	Name     string
	MR, NV   int    // rows; columns in vectors
	Unroll   int    // k-steps per iteration, a power of two
	Reg      string // register letter: "Y" (AVX2) or "Z" (AVX-512)
	VecBytes int    // bytes a vector: 32 or 64
	Zero     string // the instruction that clears a register: VXORPS or VPXORD
	// Step emits k-step u (0 ≤ u < Unroll) of an iteration: the A values
	// are 4·MR·u bytes into SI, the B vectors VecBytes·NV·u into DI.
	Step func(u int)
	// AfterArgs, if set, emits code after the arguments are loaded (the
	// AVX-512 kernel prefetches the C tile there); BeforeReturn before
	// VZEROUPPER.
	AfterArgs, BeforeReturn func()
}

// Line appends one line of assembly to b.
func Line(b *bytes.Buffer, format string, args ...any) { fmt.Fprintf(b, format+"\n", args...) }

// WriteTileLoop appends the function t describes to b.
func WriteTileLoop(b *bytes.Buffer, t TileLoop) {
	line := func(format string, args ...any) { Line(b, format, args...) }
	acc := func(i, j int) int { return i*t.NV + j }
	nrBytes := t.VecBytes * t.NV // bytes of a B row (one k-step of the panel)
	shift := 0
	for 1<<shift < t.Unroll {
		shift++
	}
	line("")
	line("// func %s(kc int, a, b, c *float32, ldc int, acc bool)", t.Name)
	line("TEXT ·%s(SB), NOSPLIT, $0-41", t.Name)
	line("\tMOVQ kc+0(FP), CX")
	line("\tMOVQ a+8(FP), SI")
	line("\tMOVQ b+16(FP), DI")
	line("\tMOVQ c+24(FP), DX")
	line("\tMOVQ ldc+32(FP), R8")
	line("\tSHLQ $2, R8") // row stride in bytes
	if t.AfterArgs != nil {
		t.AfterArgs()
	}
	for r := 0; r < t.MR*t.NV; r++ {
		line("\t%s %s%d, %s%d, %s%d", t.Zero, t.Reg, r, t.Reg, r, t.Reg, r)
	}
	line("\tMOVQ CX, BX")
	line("\tSHRQ $%d, BX", shift)
	line("\tANDQ $%d, CX", t.Unroll-1)
	line("\tTESTQ BX, BX")
	line("\tJZ %s_rest", t.Name)
	line("%s_unrolled:", t.Name)
	for u := 0; u < t.Unroll; u++ {
		t.Step(u)
	}
	line("\tADDQ $%d, SI", 4*t.MR*t.Unroll)
	line("\tADDQ $%d, DI", nrBytes*t.Unroll)
	line("\tDECQ BX")
	line("\tJNZ %s_unrolled", t.Name)
	line("%s_rest:", t.Name)
	line("\tTESTQ CX, CX")
	line("\tJZ %s_store", t.Name)
	line("%s_single:", t.Name)
	t.Step(0)
	line("\tADDQ $%d, SI", 4*t.MR)
	line("\tADDQ $%d, DI", nrBytes)
	line("\tDECQ CX")
	line("\tJNZ %s_single", t.Name)
	line("%s_store:", t.Name)
	line("\tMOVBLZX acc+40(FP), AX")
	line("\tTESTQ AX, AX")
	line("\tJZ %s_overwrite", t.Name)
	for i := 0; i < t.MR; i++ {
		for j := 0; j < t.NV; j++ {
			line("\tVADDPS %d(DX), %s%d, %s%d", t.VecBytes*j, t.Reg, acc(i, j), t.Reg, acc(i, j))
		}
		if i < t.MR-1 {
			line("\tADDQ R8, DX")
		}
	}
	line("\tMOVQ c+24(FP), DX")
	line("%s_overwrite:", t.Name)
	for i := 0; i < t.MR; i++ {
		for j := 0; j < t.NV; j++ {
			line("\tVMOVUPS %s%d, %d(DX)", t.Reg, acc(i, j), t.VecBytes*j)
		}
		if i < t.MR-1 {
			line("\tADDQ R8, DX")
		}
	}
	if t.BeforeReturn != nil {
		t.BeforeReturn()
	}
	line("\tVZEROUPPER")
	line("\tRET")
}
