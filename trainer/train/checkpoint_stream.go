package train

import (
	"crypto/sha256"
	"encoding/binary"
	"io"
	"math"
)

// WriteTo writes s to w in the checkpoint format, encoding it as it goes:
// the file is never assembled in memory. A checkpoint is as large as the
// networks' weights, Adam's moments and the image pools together (98 MB
// at ngf 16, ndf 64, 128²), so a whole copy of it made the checkpoint the
// peak of a training run's memory.
func (s *State) WriteTo(w io.Writer) (int64, error) {
	hj, arrays := s.layout()
	sum := sha256.New()
	cw := &countingWriter{w: io.MultiWriter(w, sum)}
	buf := make([]byte, 0, 64<<10)
	buf = append(buf, ckptMagic...)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(len(hj)))
	buf = append(buf, hj...)
	for _, a := range arrays {
		for len(a) > 0 {
			if cap(buf)-len(buf) < 4 {
				if _, err := cw.Write(buf); err != nil {
					return cw.n, err
				}
				buf = buf[:0]
			}
			k := min(len(a), (cap(buf)-len(buf))/4)
			for _, v := range a[:k] {
				buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
			}
			a = a[k:]
		}
	}
	if _, err := cw.Write(buf); err != nil {
		return cw.n, err
	}
	n, err := w.Write(sum.Sum(nil)) // the checksum is not part of what it sums
	return cw.n + int64(n), err
}

// encodedSize is the length of s's checkpoint file.
func (s *State) encodedSize() int64 {
	hj, arrays := s.layout()
	n := int64(len(ckptMagic) + 8 + len(hj) + sha256.Size)
	for _, a := range arrays {
		n += 4 * int64(len(a))
	}
	return n
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// midwayWriter calls fn once, when the first at bytes have been written
// to w (and not the next one).
type midwayWriter struct {
	w    io.Writer
	at   int64
	n    int64
	fn   func()
	done bool
}

func (m *midwayWriter) Write(p []byte) (int, error) {
	written := 0
	if !m.done && m.n+int64(len(p)) >= m.at {
		k := int(m.at - m.n)
		n, err := m.w.Write(p[:k])
		m.n += int64(n)
		written += n
		if err != nil {
			return written, err
		}
		m.done = true
		m.fn()
		p = p[k:]
	}
	n, err := m.w.Write(p)
	m.n += int64(n)
	return written + n, err
}
