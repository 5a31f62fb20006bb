package weights

import (
	"bytes"
	"io"
	"testing"
)

// BenchmarkRead decodes a full-size (resnet_9blocks, ngf 64) file of each
// storage; SetBytes is the file size, so MB/s is download-side throughput.
func BenchmarkRead(b *testing.B) {
	for _, st := range []string{"int8", "f16", "f32"} {
		data := encode(b, randomFile(NewArch(3, 3, 64, 9, false), st, 1))
		b.Run(st, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Read(bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWrite encodes a full-size file of each storage.
func BenchmarkWrite(b *testing.B) {
	for _, st := range []string{"int8", "f16", "f32"} {
		f := randomFile(NewArch(3, 3, 64, 9, false), st, 1)
		b.Run(st, func(b *testing.B) {
			b.SetBytes(int64(4 * f.Params()))
			for b.Loop() {
				if err := Write(io.Discard, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
