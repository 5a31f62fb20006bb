package weights

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
)

// Decoder reads weight files. The zero value is ready to use.
type Decoder struct {
	// Progress, if set, is called as bytes arrive with the bytes read so
	// far and the file's total size (known once the header has been read).
	Progress func(done, total int64)
}

// Read decodes a weight file from r; see Decoder.Decode.
func Read(r io.Reader) (*File, error) { return (&Decoder{}).Decode(r) }

// ReadFile decodes the weight file at path; errors name the file.
func ReadFile(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	f, err := Read(bufio.NewReaderSize(fh, 1<<16))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// Decode reads one weight file from r, decoding as the bytes arrive. It
// returns the weights only after the whole file, checksum included, has
// been read and verified; r must end where the file ends.
func (d *Decoder) Decode(r io.Reader) (*File, error) {
	in := &countingReader{r: r, progress: d.Progress}
	h := sha256.New()

	header := make([]byte, headerLen)
	if n, err := io.ReadFull(in, header); err != nil {
		if n >= len(Magic) && string(header[:len(Magic)]) != Magic {
			return nil, badMagic(header[:n])
		}
		if n == 0 {
			return nil, fmt.Errorf("%w: the file is empty", ErrTruncated)
		}
		return nil, fmt.Errorf("%w: %d of %d header bytes", ErrTruncated, n, headerLen)
	}
	le := binary.LittleEndian
	if string(header[:len(Magic)]) != Magic {
		return nil, badMagic(header)
	}
	if v := le.Uint32(header[8:]); v != Version {
		return nil, fmt.Errorf("%w: version %d (this program reads %d)", ErrVersion, v, Version)
	}
	if fl := le.Uint32(header[12:]); fl != 0 {
		return nil, fmt.Errorf("%w: unknown feature flags %#x", ErrVersion, fl)
	}
	bodyLen := le.Uint64(header[16:])
	if bodyLen > MaxBodyLen || bodyLen < 8 {
		return nil, fmt.Errorf("%w: compressed body of %d bytes (allowed 8..%d)", ErrLength, bodyLen, MaxBodyLen)
	}
	in.total = int64(headerLen + bodyLen + checksumLen)
	h.Write(header)

	body := &io.LimitedReader{R: in, N: int64(bodyLen)}
	hashed := io.TeeReader(body, h)
	f, bodyErr := decodeBody(hashed)

	// Whatever happened inside, read the rest of the body and the checksum so
	// that transport damage is reported as such.
	if _, err := io.Copy(io.Discard, hashed); err != nil {
		return nil, err
	}
	if body.N > 0 {
		return nil, fmt.Errorf("%w: body has %d of %d bytes", ErrTruncated, int64(bodyLen)-body.N, bodyLen)
	}
	sum := make([]byte, checksumLen)
	if n, err := io.ReadFull(in, sum); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, fmt.Errorf("%w: checksum has %d of %d bytes", ErrTruncated, n, checksumLen)
		}
		return nil, err
	}
	if !bytes.Equal(sum, h.Sum(nil)) {
		if bodyErr != nil {
			return nil, fmt.Errorf("%w (decoding stopped at: %v)", ErrChecksum, bodyErr)
		}
		return nil, ErrChecksum
	}
	if bodyErr != nil {
		return nil, bodyErr
	}
	var extra [1]byte
	if n, _ := in.Read(extra[:]); n > 0 {
		return nil, fmt.Errorf("%w: data after the checksum", ErrMalformed)
	}
	f.Size = in.n
	return f, nil
}

// badMagic returns ErrMagic with a guess at what the data is instead.
func badMagic(head []byte) error {
	h := string(head)
	switch {
	case strings.HasPrefix(h, "PK\x03\x04"):
		return fmt.Errorf("%w: a zip archive, perhaps a PyTorch checkpoint (convert it with `cyclegan import`)", ErrMagic)
	case strings.HasPrefix(h, "\x80\x02") || strings.HasPrefix(h, "\x80\x04"):
		return fmt.Errorf("%w: a Python pickle, perhaps a PyTorch checkpoint (convert it with `cyclegan import`)", ErrMagic)
	case strings.HasPrefix(strings.TrimSpace(strings.ToLower(h)), "<"):
		return fmt.Errorf("%w: an HTML or XML document (a wrong address or an error page?)", ErrMagic)
	}
	return ErrMagic
}

// decodeBody decompresses and parses the body. Its errors are provisional:
// Decode replaces them by ErrTruncated or ErrChecksum when the transport was at fault.
func decodeBody(r io.Reader) (*File, error) {
	zr, done, err := newDecompressor(r)
	if err != nil {
		return nil, fmt.Errorf("%w: compressed stream: %v", ErrMalformed, err)
	}
	defer done()
	p := &bodyParser{r: zr}
	f, err := p.parse()
	if err != nil {
		return nil, err
	}
	// The body must end here.
	var one [1]byte
	switch n, err := io.ReadFull(zr, one[:]); {
	case n > 0:
		return nil, fmt.Errorf("%w: bytes after the last tensor", ErrMalformed)
	case err != io.EOF:
		return nil, fmt.Errorf("%w: compressed stream: %v", ErrMalformed, err)
	}
	return f, nil
}

type bodyParser struct {
	r       io.Reader
	scratch [decodeChunkLen]byte
}

// read fills b; a short read is a malformed (or truncated) body.
func (p *bodyParser) read(b []byte, what string) error {
	if _, err := io.ReadFull(p.r, b); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return fmt.Errorf("%w: body ends inside %s", ErrMalformed, what)
		}
		return fmt.Errorf("%w: compressed stream: %v", ErrMalformed, err)
	}
	return nil
}

func (p *bodyParser) parse() (*File, error) {
	le := binary.LittleEndian
	b := p.scratch[:4]
	if err := p.read(b, "the metadata length"); err != nil {
		return nil, err
	}
	metaLen := le.Uint32(b)
	if metaLen > MaxMetaLen {
		return nil, fmt.Errorf("%w: metadata of %d bytes (ceiling %d)", ErrLength, metaLen, MaxMetaLen)
	}
	metaJSON := make([]byte, metaLen)
	if err := p.read(metaJSON, "the metadata"); err != nil {
		return nil, err
	}
	meta, err := decodeMeta(metaJSON)
	if err != nil {
		return nil, err
	}
	f := &File{Meta: meta}
	if err := f.Meta.Validate(); err != nil {
		return nil, err
	}
	storage, _ := ParseStorage(f.Meta.Storage)
	for _, gm := range f.Meta.Generators {
		specs := gm.Arch.Tensors()
		ts := make([]Tensor, len(specs))
		for i, s := range specs {
			t, err := p.tensor(s, tensorStorage(storage, s))
			if err != nil {
				return nil, fmt.Errorf("generator %q: %w", gm.Key, err)
			}
			ts[i] = t
		}
		f.Weights = append(f.Weights, ts)
	}
	return f, nil
}

// tensor reads one tensor record and checks it against spec before
// allocating its data.
func (p *bodyParser) tensor(spec TensorSpec, want Storage) (Tensor, error) {
	le := binary.LittleEndian
	b := p.scratch[:2]
	if err := p.read(b, "a tensor name length"); err != nil {
		return Tensor{}, err
	}
	nameLen := int(le.Uint16(b))
	if nameLen > MaxNameLen {
		return Tensor{}, fmt.Errorf("%w: tensor name of %d bytes (ceiling %d)", ErrLength, nameLen, MaxNameLen)
	}
	b = p.scratch[:nameLen+2]
	if err := p.read(b, "a tensor header"); err != nil {
		return Tensor{}, err
	}
	name := string(b[:nameLen])
	if name != spec.Name {
		return Tensor{}, fmt.Errorf("%w: found tensor %q where the architecture has %q", ErrShape, name, spec.Name)
	}
	st, rank := Storage(b[nameLen]), int(b[nameLen+1])
	if !st.valid() {
		return Tensor{}, fmt.Errorf("%w: tensor %s has unknown storage code %d", ErrMalformed, name, st)
	}
	if st != want {
		return Tensor{}, fmt.Errorf("%w: tensor %s is stored as %s in a file of %s weights", ErrMalformed, name, st, want)
	}
	if rank > MaxDims {
		return Tensor{}, fmt.Errorf("%w: tensor %s has rank %d (ceiling %d)", ErrLength, name, rank, MaxDims)
	}
	b = p.scratch[:4*rank]
	if err := p.read(b, "a tensor shape"); err != nil {
		return Tensor{}, err
	}
	shape := make([]int, rank)
	for i := range shape {
		shape[i] = int(le.Uint32(b[4*i:]))
	}
	if !slices.Equal(shape, spec.Shape) {
		return Tensor{}, fmt.Errorf("%w: tensor %s has shape %v, the architecture needs %v", ErrShape, name, shape, spec.Shape)
	}

	var scales []float32
	var inner int
	if st == Int8 {
		b = p.scratch[:1]
		if err := p.read(b, "a scale axis"); err != nil {
			return Tensor{}, err
		}
		if int(b[0]) != spec.Axis {
			return Tensor{}, fmt.Errorf("%w: tensor %s scales along axis %d, its output channels are axis %d", ErrShape, name, b[0], spec.Axis)
		}
		var n int
		inner, n = channelStride(shape, spec.Axis)
		scales = make([]float32, n)
		b = p.scratch[:4*n] // n <= 4*MaxNGF, far below the scratch size
		if err := p.read(b, "int8 scales"); err != nil {
			return Tensor{}, err
		}
		for c := range scales {
			s := math.Float32frombits(le.Uint32(b[4*c:]))
			if math.IsNaN(float64(s)) || math.IsInf(float64(s), 0) {
				return Tensor{}, fmt.Errorf("%w: tensor %s channel %d has scale %v", ErrNonFinite, name, c, s)
			}
			if s < 0 {
				return Tensor{}, fmt.Errorf("%w: tensor %s channel %d has negative scale %v", ErrMalformed, name, c, s)
			}
			scales[c] = s
		}
	}

	data := make([]float32, spec.Len())
	width := st.bytesPerValue()
	for done := 0; done < len(data); {
		n := min(len(data)-done, decodeChunkLen/width)
		b = p.scratch[:n*width]
		if err := p.read(b, "tensor "+name); err != nil {
			return Tensor{}, err
		}
		dst := data[done : done+n]
		switch st {
		case F32:
			for i := range dst {
				dst[i] = math.Float32frombits(le.Uint32(b[4*i:]))
			}
		case F16:
			for i := range dst {
				dst[i] = f16ToF32(le.Uint16(b[2*i:]))
			}
		case Int8:
			dequantizeInt8(dst, b, scales, inner, done)
		}
		for i, v := range dst {
			if v != v || v > maxFloat32 || v < -maxFloat32 {
				return Tensor{}, fmt.Errorf("%w: tensor %s element %d is %v", ErrNonFinite, name, done+i, v)
			}
		}
		done += n
	}
	return Tensor{Name: name, Shape: shape, Data: data}, nil
}

// countingReader counts bytes and reports progress.
type countingReader struct {
	r        io.Reader
	n, total int64
	progress func(done, total int64)
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	if c.progress != nil && n > 0 {
		c.progress(c.n, c.total)
	}
	return n, err
}
