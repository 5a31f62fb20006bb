//go:build purego || !(amd64 || wasm) || (wasm && !go1.27)

package nn

import "runtime"

// kernelTable of the builds without an assembly kernel (-tags purego, other
// architectures, wasm before Go 1.27): the portable kernel that is fastest
// on the architecture (gemm_portable.go), 3×3 under wasm and 2×3 elsewhere.
var kernelTable = []kernelEntry{{kernel: portableKernel(), verified: true}}

func portableKernel() *gemmKernel {
	if runtime.GOARCH == "wasm" {
		return kernelGo3x3
	}
	return kernelGo2x3
}

// tapsKernels says whether a kernel of this table may have a tapsTile
// (gemm_direct.go): none here.
const tapsKernels = false
