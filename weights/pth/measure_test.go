package pth

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cyclegan-go/cyclegan/nn"
	"github.com/cyclegan-go/cyclegan/weights"
)

// TestMeasureFullSize is the measurement behind docs/PERF.md ("Weights")
// on a full-size checkpoint written by PyTorch. It needs a 45 MB file that is
// not committed, so it runs only when CYCLEGAN_BIG_PTH names one made by
//
//	/usr/bin/python3 testdata/pytorch/gen_checkpoints.py /tmp/ck --big /tmp/big/big.pth
//	CYCLEGAN_BIG_PTH=/tmp/big/big.pth go test -run TestMeasureFullSize -v ./weights/pth
func TestMeasureFullSize(t *testing.T) {
	path := os.Getenv("CYCLEGAN_BIG_PTH")
	if path == "" {
		t.Skip("CYCLEGAN_BIG_PTH not set (a measurement, see the comment)")
	}
	base := strings.TrimSuffix(path, filepath.Ext(path))
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	x := nn.FromData(readAbs(t, base+".input.f32"), 1, 3, 256, 256)
	ref := readAbs(t, base+".output.f32")
	var f32out []float32
	for _, dtype := range []string{"f32", "f16", "int8"} {
		f, err := Import(Options{Storage: dtype}, Input{Key: "G_A", Path: path})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := weights.Write(&buf, f); err != nil {
			t.Fatal(err)
		}
		size := buf.Len()
		r, err := weights.Read(&buf)
		if err != nil {
			t.Fatal(err)
		}
		g, _ := r.Generator(0)
		y, err := g.Forward(x)
		if err != nil {
			t.Fatal(err)
		}
		maxDiff := 0.0
		for i := range ref {
			maxDiff = math.Max(maxDiff, math.Abs(float64(y.Data[i]-ref[i])))
		}
		if dtype == "f32" {
			f32out = y.Data
		}
		t.Logf("%-4s %9d bytes = %5.1f%% of the %d-byte .pth; PSNR vs PyTorch float32 %.1f dB, vs Go float32 %.1f dB; max |diff| vs PyTorch %.2g",
			dtype, size, 100*float64(size)/float64(st.Size()), st.Size(), psnrOf(y.Data, ref), psnrOf(y.Data, f32out), maxDiff)
		if dtype == "f32" && maxDiff > 1e-4 {
			t.Errorf("float32 import differs from PyTorch by %g", maxDiff)
		}
	}
}

func readAbs(t *testing.T, path string) []float32 {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(uint32(b[4*i]) | uint32(b[4*i+1])<<8 | uint32(b[4*i+2])<<16 | uint32(b[4*i+3])<<24)
	}
	return out
}

// psnrOf compares images in [-1, 1] on the [0, 1] scale.
func psnrOf(a, b []float32) float64 {
	var se float64
	for i := range a {
		d := float64(a[i]-b[i]) / 2
		se += d * d
	}
	if se == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(float64(len(a))/se)
}
