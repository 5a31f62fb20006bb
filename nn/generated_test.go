//go:build !js && !wasip1

package nn

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGeneratedAssemblyUpToDate reruns the assembly generators and checks
// that the committed files are what they write (go generate ./nn was run
// after the last change to a generator).
func TestGeneratedAssemblyUpToDate(t *testing.T) {
	for _, g := range []struct{ generator, file string }{
		{"./internal/fmagen", "gemm_fma_amd64.s"},
		{"./internal/avx512gen", "gemm_avx512_amd64.s"},
		{"./internal/wasmgen", "gemm_simd_wasm.s"},
	} {
		out := filepath.Join(t.TempDir(), g.file)
		cmd := exec.Command("go", "run", g.generator, "-o", out)
		cmd.Env = append(os.Environ(), "GOOS=", "GOARCH=")
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go run %s: %v\n%s", g.generator, err, msg)
		}
		want, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		have, err := os.ReadFile(g.file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(have, want) {
			t.Errorf("%s differs from what %s writes: run go generate ./nn", g.file, g.generator)
		}
	}
}
