//go:build go1.27 && wasm && !purego

package nn

// kernelTable lists the wasm micro-kernels, the preferred first (see
// gemm_select.go). A module built with WebAssembly SIMD instructions loads
// only where the engine has SIMD, so the SIMD kernel is always usable; the
// portable kernel ends the table as on every architecture.
var kernelTable = []kernelEntry{
	{kernel: kernelWasmAsm4x8, verified: true}, // gemm_simd_wasm.go
	{kernel: kernelGo3x3, verified: true},      // gemm_portable.go
}

// tapsKernels says whether a kernel of this table may have a tapsTile
// (gemm_direct.go): none here: the code for it stays out of cyclegan.wasm.
const tapsKernels = false
