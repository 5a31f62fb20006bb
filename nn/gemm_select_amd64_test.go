//go:build amd64 && !purego

package nn

import "golang.org/x/sys/cpu"

// expectedKernel says, from the CPU's features and independently of
// kernelTable, which kernel an amd64 build must select here, and why.
func expectedKernel() (name, why string) {
	switch {
	case cpu.X86.HasAVX512F:
		return "avx512-8x32", "the CPU has AVX-512F"
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		return "fma-4x24", "the CPU has AVX2 and FMA but not AVX-512F"
	default:
		return "go2x3", "the CPU lacks AVX2 or FMA"
	}
}
