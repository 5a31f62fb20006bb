package weights

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestRoundTripF32Exact(t *testing.T) {
	f := randomFile(NewArch(3, 1, 4, 3, true), "f32", 1, "G_A", "G_B")
	data := encode(t, f)
	var calls int
	var last, total int64
	g, err := (&Decoder{Progress: func(d, tot int64) { calls++; last, total = d, tot }}).Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 || last != int64(len(data)) || total != int64(len(data)) {
		t.Errorf("progress: %d calls, last %d/%d, file %d bytes", calls, last, total, len(data))
	}
	if g.Size != int64(len(data)) || g.Meta.Name != "test" || len(g.Meta.Generators) != 2 || g.Meta.Generators[1].Arch != f.Meta.Generators[1].Arch {
		t.Fatalf("metadata not preserved: %+v size %d", g.Meta, g.Size)
	}
	for gi := range f.Weights {
		for i, tw := range f.Weights[gi] {
			tg := g.Weights[gi][i]
			if tg.Name != tw.Name || !slices.Equal(tg.Shape, tw.Shape) {
				t.Fatalf("tensor %d: %s%v vs %s%v", i, tg.Name, tg.Shape, tw.Name, tw.Shape)
			}
			for j := range tw.Data {
				if tg.Data[j] != tw.Data[j] {
					t.Fatalf("%s[%d]: %v != %v", tw.Name, j, tg.Data[j], tw.Data[j])
				}
			}
		}
	}
}

// TestRoundTripQuantizedError bounds the storage error of each tensor:
// biases exact; float16 within half an ulp (2^-11 relative); int8 within one
// step (max|w|/127 of the channel) per weight, and, thanks to the error
// diffusion, within half a step for the sum of each kernel.
func TestRoundTripQuantizedError(t *testing.T) {
	arch := NewArch(3, 3, 4, 2, false)
	for _, storage := range []string{"f16", "int8"} {
		f := randomFile(arch, storage, 2)
		g, err := Read(bytes.NewReader(encode(t, f)))
		if err != nil {
			t.Fatal(err)
		}
		specs := arch.Tensors()
		for i, tw := range f.Weights[0] {
			got := g.Weights[0][i].Data
			spec := specs[i]
			switch tensorStorage(map[string]Storage{"f16": F16, "int8": Int8}[storage], spec) {
			case F32:
				for j, v := range tw.Data {
					if got[j] != v {
						t.Fatalf("%s: %s changed (biases stay float32)", storage, tw.Name)
					}
				}
			case F16:
				for j, v := range tw.Data {
					if d := math.Abs(float64(got[j] - v)); d > math.Abs(float64(v))/2048+3e-8 /* subnormal halves */ {
						t.Fatalf("%s: %s[%d] float16 error %g", storage, tw.Name, j, d)
					}
				}
			case Int8:
				inner, n := channelStride(tw.Shape, spec.Axis)
				maxAbs := make([]float64, n)
				for j, v := range tw.Data {
					c := (j / inner) % n
					maxAbs[c] = math.Max(maxAbs[c], math.Abs(float64(v)))
				}
				k := tw.Shape[2] * tw.Shape[3]
				var sum float64
				for j, v := range tw.Data {
					step := maxAbs[(j/inner)%n] / 127
					d := float64(got[j] - v)
					if math.Abs(d) > step*1.0001 {
						t.Fatalf("int8: %s[%d] error %g > one step %g", tw.Name, j, d, step)
					}
					sum += d
					if j%k == k-1 {
						if math.Abs(sum) > step/2*1.0001 {
							t.Fatalf("int8: %s kernel ending at %d sums to an error of %g > half a step %g", tw.Name, j, sum, step/2)
						}
						sum = 0
					}
				}
			}
		}
	}
}

func TestF16Conversion(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		f := f16ToF32(uint16(h))
		if f != f {
			continue
		}
		if back := f32ToF16(f); back != uint16(h) {
			t.Fatalf("%#04x -> %v -> %#04x", h, f, back)
		}
	}
	cases := map[float32]uint16{1: 0x3c00, -2: 0xc000, 65504: 0x7bff, 1e6: 0x7c00, 5.960464477539063e-08: 0x0001,
		2.9802322387695312e-08: 0x0000, 1.0009765625 / 2 * 2: 0x3c01, 1.00048828125: 0x3c00 /* tie to even */}
	for f, want := range cases {
		if got := f32ToF16(f); got != want {
			t.Errorf("f32ToF16(%v) = %#04x, want %#04x", f, got, want)
		}
	}
}

func TestWriteRefusesBadInput(t *testing.T) {
	f := randomFile(smallArch, "f32", 3)
	f.Weights[0][3].Data[0] = float32(math.NaN())
	if err := Write(&bytes.Buffer{}, f); !errors.Is(err, ErrNonFinite) {
		t.Errorf("NaN weight: %v", err)
	}
	f = randomFile(smallArch, "f32", 3)
	f.Weights[0][2].Shape = []int{8, 4, 3, 2}
	if err := Write(&bytes.Buffer{}, f); !errors.Is(err, ErrShape) {
		t.Errorf("bad shape: %v", err)
	}
	f = randomFile(smallArch, "f16", 3)
	f.Weights[0][0].Data[0] = 1e6
	if err := Write(&bytes.Buffer{}, f); err == nil {
		t.Errorf("f16 overflow accepted")
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.cgw")
	if err := WriteFile(path, randomFile(smallArch, "int8", 4)); err != nil {
		t.Fatal(err)
	}
	bad := randomFile(smallArch, "int8", 4)
	bad.Weights[0][0].Data[1] = float32(math.Inf(1))
	if err := WriteFile(path, bad); !errors.Is(err, ErrNonFinite) {
		t.Fatalf("want ErrNonFinite, got %v", err)
	}
	if _, err := ReadFile(path); err != nil {
		t.Fatalf("a failed write damaged the previous file: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}

func TestArchParamsOfOfficialModel(t *testing.T) {
	// resnet_9blocks with ngf 64: 11,378,179 parameters (PyTorch's count).
	if n := NewArch(3, 3, 64, 9, false).Params(); n != 11378179 {
		t.Fatalf("params = %d", n)
	}
}
