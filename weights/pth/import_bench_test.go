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

// BenchmarkImport times importing a checkpoint written by PyTorch, once per
// storage type, and reports what docs/PERF.md ("Weights") quotes: the
// weight file's size (bytes and percentage of the .pth), and the PSNR and
// largest difference of its translation against PyTorch's own output (and
// the PSNR against Go's float32 import).
// It fails if the float32 import differs from PyTorch by more than 1e-4.
//
// By default it runs on the largest committed fixture (ngf 8, 32x32). The
// full-size numbers need a 45 MB checkpoint that is not committed, with
// PyTorch's input and output next to it (<name>.input.f32, <name>.output.f32):
//
//	/usr/bin/python3 testdata/pytorch/gen_checkpoints.py /tmp/ck --big /tmp/big/big.pth
//	CYCLEGAN_BIG_PTH=/tmp/big/big.pth go test -run XXX -bench Import -benchtime 1x ./weights/pth
func BenchmarkImport(b *testing.B) {
	path := os.Getenv("CYCLEGAN_BIG_PTH")
	if path == "" {
		path = filepath.Join(fixtures, "zip_ngf8_b1_dropout.pth")
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	base := strings.TrimSuffix(path, filepath.Ext(path))
	input, ref := readFloats(b, base+".input.f32"), readFloats(b, base+".output.f32")
	var f32out []float32
	for _, storage := range []string{"f32", "f16", "int8"} {
		b.Run(storage, func(b *testing.B) {
			var f *weights.File
			for b.Loop() {
				if f, err = Import(Options{Storage: storage}, Input{Key: "G_A", Path: path}); err != nil {
					b.Fatal(err)
				}
			}
			size, y := translate(b, f, input)
			if len(y) != len(ref) {
				b.Fatalf("output has %d values, PyTorch's %d", len(y), len(ref))
			}
			diff := maxAbsDiff(y, ref)
			b.ReportMetric(float64(size), "file-bytes")
			b.ReportMetric(100*float64(size)/float64(st.Size()), "%-of-pth")
			b.ReportMetric(psnrOf(y, ref), "dB-vs-PyTorch")
			b.ReportMetric(diff, "max-diff-vs-PyTorch")
			if storage == "f32" {
				f32out = y
				if diff > 1e-4 {
					b.Errorf("float32 import differs from PyTorch by %g", diff)
				}
			} else if f32out != nil {
				b.ReportMetric(psnrOf(y, f32out), "dB-vs-Go-f32")
			}
		})
	}
}

// translate writes f, reads it back and translates input (a square image
// with the generator's input channels); it returns the weight file's size
// and the output.
func translate(b *testing.B, f *weights.File, input []float32) (int, []float32) {
	var buf bytes.Buffer
	if err := weights.Write(&buf, f); err != nil {
		b.Fatal(err)
	}
	size := buf.Len()
	r, err := weights.Read(&buf)
	if err != nil {
		b.Fatal(err)
	}
	g, err := r.Generator(0)
	if err != nil {
		b.Fatal(err)
	}
	nc := r.Meta.Generators[0].Arch.InputNC
	side := int(math.Sqrt(float64(len(input) / nc)))
	y, err := g.Forward(nn.FromData(input, 1, nc, side, side))
	if err != nil {
		b.Fatal(err)
	}
	return size, y.Data
}

func readFloats(tb testing.TB, path string) []float32 {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(uint32(b[4*i]) | uint32(b[4*i+1])<<8 | uint32(b[4*i+2])<<16 | uint32(b[4*i+3])<<24)
	}
	return out
}

func maxAbsDiff(a, b []float32) float64 {
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
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
