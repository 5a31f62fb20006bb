//go:build purego || !(amd64 || wasm) || (wasm && !go1.27)

package nn

import "runtime"

// expectedKernel says which kernel a build without assembly kernels must
// select, and why.
func expectedKernel() (name, why string) {
	if runtime.GOARCH == "wasm" {
		return "go3x3", "portable build, wasm"
	}
	return "go2x3", "portable build"
}
