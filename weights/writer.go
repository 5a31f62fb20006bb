package weights

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/klauspost/compress/zstd"

	"github.com/cyclegan-go/cyclegan/weights/atomicfile"
)

// Write encodes f in the storage named by f.Meta.Storage ("" means
// DefaultStorage). It checks the tensors against the architecture first and
// writes nothing if they disagree.
func Write(w io.Writer, f *File) error {
	g := *f
	if g.Meta.Storage == "" {
		g.Meta.Storage = DefaultStorage.String()
	}
	if err := g.check(); err != nil {
		return err
	}
	storage, _ := ParseStorage(g.Meta.Storage)
	meta := encodeMeta(&g.Meta)
	if len(meta) > MaxMetaLen {
		return fmt.Errorf("%w: metadata is %d bytes, ceiling %d", ErrLength, len(meta), MaxMetaLen)
	}

	return writeContainer(w, func(body io.Writer) error {
		le := binary.LittleEndian
		buf := le.AppendUint32(nil, uint32(len(meta)))
		buf = append(buf, meta...)
		for gi, gm := range g.Meta.Generators {
			specs := gm.Arch.Tensors()
			for i, t := range g.Weights[gi] {
				var err error
				if buf, err = appendTensor(buf, t, tensorStorage(storage, specs[i]), specs[i].Axis); err != nil {
					return fmt.Errorf("generator %q: %w", gm.Key, err)
				}
				if _, err := body.Write(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
		}
		_, err := body.Write(buf)
		return err
	})
}

// writeContainer writes a whole weight file to w: the header, the body that
// fill writes (uncompressed; it is compressed here) and the checksum.
func writeContainer(w io.Writer, fill func(body io.Writer) error) error {
	var body bytes.Buffer
	zw, err := zstd.NewWriter(&body, zstd.WithEncoderLevel(zstd.SpeedBetterCompression),
		zstd.WithWindowSize(maxZstdWindow), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return err
	}
	if err := fill(zw); err != nil {
		zw.Close()
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if body.Len() > MaxBodyLen {
		return fmt.Errorf("%w: compressed body is %d bytes, ceiling %d", ErrLength, body.Len(), MaxBodyLen)
	}

	le := binary.LittleEndian
	header := make([]byte, 0, headerLen)
	header = append(header, Magic...)
	header = le.AppendUint32(header, Version)
	header = le.AppendUint32(header, 0)
	header = le.AppendUint64(header, uint64(body.Len()))
	h := sha256.New()
	h.Write(header)
	h.Write(body.Bytes())
	for _, part := range [][]byte{header, body.Bytes(), h.Sum(nil)} {
		if _, err := w.Write(part); err != nil {
			return err
		}
	}
	return nil
}

// appendTensor appends one tensor record to buf.
func appendTensor(buf []byte, t Tensor, s Storage, axis int) ([]byte, error) {
	le := binary.LittleEndian
	buf = le.AppendUint16(buf, uint16(len(t.Name)))
	buf = append(buf, t.Name...)
	buf = append(buf, byte(s), byte(len(t.Shape)))
	for _, d := range t.Shape {
		buf = le.AppendUint32(buf, uint32(d))
	}
	switch s {
	case F32:
		for _, v := range t.Data {
			buf = le.AppendUint32(buf, math.Float32bits(v))
		}
	case F16:
		for _, v := range t.Data {
			h := f32ToF16(v)
			if h&0x7c00 == 0x7c00 {
				return nil, fmt.Errorf("tensor %s: %v does not fit float16", t.Name, v)
			}
			buf = le.AppendUint16(buf, h)
		}
	case Int8:
		q, scales := quantizeInt8(t.Data, t.Shape, axis)
		buf = append(buf, byte(axis))
		for _, sc := range scales {
			buf = le.AppendUint32(buf, math.Float32bits(sc))
		}
		for _, v := range q {
			buf = append(buf, byte(v))
		}
	}
	return buf, nil
}

// WriteFile writes f to path atomically: a temporary file in the same
// directory, synced, then renamed, so a failure never leaves a half-written file.
func WriteFile(path string, f *File) error {
	return atomicfile.Write(path, ".tmp*", func(tmp *os.File) error {
		if err := Write(tmp, f); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return nil
	})
}
