package nn

// The wasm kernels' assembly is generated here, in a file every GOOS builds,
// so that go generate runs the generator natively.
//go:generate go run ./internal/wasmgen -o gemm_simd_wasm.s

// kernelEntry is one row of an architecture's kernel table (kernelTable in
// gemm_table_amd64.go, gemm_table_wasm.go or gemm_table_generic.go).
type kernelEntry struct {
	kernel *gemmKernel
	// needs names the CPU features the kernel needs ("" for none), for
	// tests that skip it where they are missing.
	needs string
	// usable reports whether this CPU and OS can execute the kernel's
	// instructions (nil: always, the portable kernels).
	usable func() bool
	// verified is false for a kernel that is compiled and tested but was not
	// measured faster than the entries below it: selectKernel passes over it
	// (the tests and benchmarks still run it where usable).
	verified bool
}

// runs reports whether the kernel can run on this machine.
func (e kernelEntry) runs() bool { return e.usable == nil || e.usable() }

// selectKernel returns the first verified kernel of the table that this CPU
// can run. Every table ends with a portable kernel, so one binary runs on
// every machine of its GOARCH and never stops on an illegal instruction.
func selectKernel(table []kernelEntry) *gemmKernel {
	for _, e := range table {
		if e.verified && e.runs() {
			return e.kernel
		}
	}
	panic("nn: no usable GEMM kernel (the table must end with a portable one)")
}

// activeKernel is the kernel Sgemm and the convolutions use, chosen once at
// start-up (package variables are initialised after the imported packages,
// so the CPU feature flags of golang.org/x/sys/cpu are already set).
var activeKernel = selectKernel(kernelTable)

// GemmKernel names the micro-kernel in use, e.g. "fma-4x24" or "go2x3".
func GemmKernel() string { return activeKernel.name }

// gemmKernels lists the kernels this CPU can run, the active one first, then
// the others in table order (for tests and benchmarks).
var gemmKernels = usableKernels()

func usableKernels() []*gemmKernel {
	ks := []*gemmKernel{activeKernel}
	for _, e := range kernelTable {
		if e.kernel != activeKernel && e.runs() {
			ks = append(ks, e.kernel)
		}
	}
	return ks
}
