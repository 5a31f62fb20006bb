package nn

// The wasm kernels' assembly is generated here, in a file every GOOS builds,
// so that go generate runs the generator natively.
//go:generate go run ./internal/wasmgen -o gemm_simd_wasm.s

import "runtime"

// gemmKernels lists the micro-kernels this build and this CPU can run, the
// preferred one first. Architecture files (gemm_kernel_amd64.go,
// gemm_kernel_wasm.go) put their SIMD kernels in front at init when the CPU
// has the instructions, so one binary runs on every machine of its GOARCH.
var gemmKernels = portableKernels()

// activeKernel is the kernel Sgemm and the convolutions use.
var activeKernel = gemmKernels[0]

// portableKernels are the pure-Go fallbacks, both runnable everywhere; 3×3 is
// preferred under wasm, 2×3 elsewhere.
func portableKernels() []*gemmKernel {
	if runtime.GOARCH == "wasm" {
		return []*gemmKernel{kernelGo3x3, kernelGo2x3}
	}
	return []*gemmKernel{kernelGo2x3, kernelGo3x3}
}

// compiledKernels lists every kernel built into this binary, usable here or
// not (tests name the ones this CPU cannot run instead of silently passing).
var compiledKernels = []*gemmKernel{kernelGo2x3, kernelGo3x3}

// addKernels records SIMD kernels (best first) and puts those the CPU can run
// (usable[i]) in front of the list, selecting the first.
func addKernels(ks []*gemmKernel, usable []bool) {
	var use []*gemmKernel
	for i, k := range ks {
		if usable[i] {
			use = append(use, k)
		}
	}
	compiledKernels = append(ks, compiledKernels...)
	gemmKernels = append(use, gemmKernels...)
	activeKernel = gemmKernels[0]
}

// GemmKernel names the micro-kernel in use, e.g. "avx512-4x32" or "go2x3".
func GemmKernel() string { return activeKernel.name }
