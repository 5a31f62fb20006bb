package browsertest

import (
	"bytes"
	"compress/gzip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cyclegan-go/cyclegan/site"
)

// The browser program must not link the native-only tensor library, and
// must stay small: the budget is 4 MB and 1.5 MB gzip-compressed.
// Both budgets are asserted (docs/PERF.md, "Browser", says where the bytes go).
const (
	gzipBudget = 1_500_000
	rawBudget  = 4_000_000
)

func TestWasmLinksNoGorgonia(t *testing.T) {
	root, err := site.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-deps", "./wasm")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 || !strings.Contains(string(out), "github.com/cyclegan-go/cyclegan/nn") {
		t.Fatalf("go list -deps gave an implausible list: %v", deps)
	}
	for _, d := range deps {
		if strings.HasPrefix(d, "gorgonia.org/") || strings.HasPrefix(d, "gonum.org/") {
			t.Errorf("the wasm program links %s", d)
		}
	}
}

func TestWasmSize(t *testing.T) {
	dir := builtSite(t)
	b, err := os.ReadFile(filepath.Join(dir, site.WasmName))
	if err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	t.Logf("%s: %d bytes, %d gzip -9 (budget %d / %d)", site.WasmName, len(b), z.Len(), rawBudget, gzipBudget)
	if z.Len() > gzipBudget {
		t.Errorf("gzip-compressed %s is %d bytes, budget %d", site.WasmName, z.Len(), gzipBudget)
	}
	if len(b) > rawBudget {
		t.Errorf("%s is %d bytes, budget %d", site.WasmName, len(b), rawBudget)
	}
}
