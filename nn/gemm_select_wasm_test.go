//go:build go1.27 && wasm && !purego

package nn

// expectedKernel says which kernel a wasm build must select, and why: the
// module carries SIMD instructions, so where it runs at all it has SIMD.
func expectedKernel() (name, why string) {
	return "wasm-asm-4x8", "a wasm module with SIMD instructions runs only where the engine has SIMD"
}
