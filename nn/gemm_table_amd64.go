//go:build amd64 && !purego

package nn

import "golang.org/x/sys/cpu"

// kernelTable lists the amd64 micro-kernels, the preferred first;
// selectKernel (gemm_select.go) takes the first verified one the CPU runs.
// cpu.X86's flags include the operating system's support (it must save the
// ymm/zmm and mask registers on a context switch).
var kernelTable = []kernelEntry{
	{kernel: kernelAVX512x8x32, needs: "AVX-512F", usable: hasAVX512F, verified: true}, // gemm_avx512_amd64.go
	{kernel: kernelFMA4x24, needs: "AVX2 and FMA", usable: hasAVX2FMA, verified: true}, // gemm_fma_amd64.go
	{kernel: kernelGo2x3, verified: true},                                              // gemm_portable.go
}

func hasAVX512F() bool { return cpu.X86.HasAVX512F }
func hasAVX2FMA() bool { return cpu.X86.HasAVX2 && cpu.X86.HasFMA }

// tapsKernels says whether a kernel of this table may have a tapsTile
// (gemm_direct.go): the AVX-512 kernel has one.
const tapsKernels = true
