//go:build amd64 && !purego

package nn

//go:generate go run ./internal/fmagen -o gemm_fma_amd64.s

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// AVX2 FMA micro-kernels written in Go assembly (gemm_fma_amd64.s, generated
// by gen_fma_kernels.go). They exist because archsimd cannot express the
// accumulate form of FMA: Go 1.27 emits VFMADD213PS, whose result overwrites
// a multiplicand, so an archsimd FMA tile pays a register copy per FMA (see
// gemm_kernel_amd64.go). The assembly uses VFMADD231PS (acc += a·b) with the
// A value broadcast straight from memory, the textbook shape, and needs no
// GOEXPERIMENT, so Go 1.26 builds get it too.
//
// Each tile is mr rows × nr columns of C: mr·nr/8 accumulators, nr/8 B
// vectors and one broadcast in the 16 ymm registers; the k-loop is unrolled
// ×4. Every function ends with VZEROUPPER.
//
// Measured on the 2-core AMD EPYC (Zen 3, AVX2 only; docs/PERF.md): the 4×24
// and 6×16 tiles alone run at 87–96 GFLOP/s (the FMA unit's peak is ~98), the
// whole residual-block GEMM at 65–75 against 45–50 for the best archsimd
// tile. 4×24 is preferred: its 4 rows divide every channel count of the
// generators (16, 32, 64, …) where 6 rows pad ngf 16 layers by 12%, and it
// was 10–25% faster on the ngf 16 and 32 generators.

//go:noescape
func fmaTile4x24(kc int, a, b, c *float32, ldc int, acc bool)

//go:noescape
func fmaTile6x16(kc int, a, b, c *float32, ldc int, acc bool)

var kernelFMA4x24 = &gemmKernel{name: "fma-4x24", mr: 4, nr: 24, aRep: 1, tile: tileFMA4x24}
var kernelFMA6x16 = &gemmKernel{name: "fma-6x16", mr: 6, nr: 16, aRep: 1, tile: tileFMA6x16}

func init() {
	ok := cpu.X86.HasAVX2 && cpu.X86.HasFMA
	addKernels([]*gemmKernel{kernelFMA4x24, kernelFMA6x16}, []bool{ok, ok})
}

// The Go wrappers check the slices once (kc ≥ 1, whole panels, the last C
// row in range) so that the assembly can run without bounds checks.

func tileFMA4x24(kc int, a, b, c []float32, ldc int, acc bool) {
	_ = a[4*kc-1]
	_ = b[24*kc-1]
	_ = c[3*ldc+23]
	fmaTile4x24(kc, unsafe.SliceData(a), unsafe.SliceData(b), unsafe.SliceData(c), ldc, acc)
}

func tileFMA6x16(kc int, a, b, c []float32, ldc int, acc bool) {
	_ = a[6*kc-1]
	_ = b[16*kc-1]
	_ = c[5*ldc+15]
	fmaTile6x16(kc, unsafe.SliceData(a), unsafe.SliceData(b), unsafe.SliceData(c), ldc, acc)
}
