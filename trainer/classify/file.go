package classify

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"github.com/klauspost/compress/zstd"

	"github.com/cyclegan-go/cyclegan/weights/atomicfile"
)

// A classifier file is
//
//	the magic line "cyclegan-classifier\n"
//	the length of the header, 4 bytes little-endian
//	the header, JSON (fileHeader)
//	every parameter's float32 values, little-endian, in the header's
//	order, as one Zstandard frame
//
// The header names each parameter with its shape and gives the SHA-256 of
// the uncompressed values, so a damaged or truncated file is refused with
// a message naming it.

const magic = "cyclegan-classifier\n"

// maxHeader bounds the header a reader accepts (the real one is ~2 kB).
const maxHeader = 1 << 20

// fileHeader is the JSON header.
type fileHeader struct {
	Version int           `json:"version"`
	Size    int           `json:"size"`
	Width   int           `json:"width"`
	Classes []string      `json:"classes"`
	Colour  []ColourStats `json:"colour"` // per class, for the colour-transfer baseline
	Params  []fileParam   `json:"params"`
	SHA256  string        `json:"sha256"` // of the uncompressed values
	Note    string        `json:"note,omitempty"`
}

type fileParam struct {
	Key   string `json:"key"`
	Shape []int  `json:"shape"`
}

// Classifier is a trained model with what eval needs beside it.
type Classifier struct {
	*Model
	Colour []ColourStats // each class's typical colour (Dataset.Colour)
	Note   string        // how it was made
}

// Write stores c at path atomically: the path holds the old file or the
// complete new one, never a part.
func Write(path string, c *Classifier) error {
	if len(c.Colour) != len(c.Config.Classes) {
		return fmt.Errorf("%s: %d colour statistics for %d classes", path, len(c.Colour), len(c.Config.Classes))
	}
	h := fileHeader{Version: 1, Size: c.Config.Size, Width: c.Config.Width, Classes: c.Config.Classes, Colour: c.Colour, Note: c.Note}
	var raw []byte
	for _, p := range c.Params() {
		h.Params = append(h.Params, fileParam{p.Key, p.Param.Value.Shape})
		for _, v := range p.Param.Value.Data {
			raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(v))
		}
	}
	sum := sha256.Sum256(raw)
	h.SHA256 = hex.EncodeToString(sum[:])
	hj, err := json.Marshal(h)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	b.WriteString(magic)
	b.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(hj))))
	b.Write(hj)
	zw, err := zstd.NewWriter(&b, zstd.WithEncoderLevel(zstd.SpeedBestCompression))
	if err != nil {
		return err
	}
	zw.Write(raw)
	if err := zw.Close(); err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(path, b.Bytes()); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Read loads a classifier file. Every error names the file.
func Read(path string) (*Classifier, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c, err := read(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("%s: not a usable classifier file: %w", path, err)
	}
	return c, nil
}

var errTruncated = errors.New("truncated")

func read(r io.Reader) (*Classifier, error) {
	var head [len(magic) + 4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, errTruncated
		}
		return nil, err
	}
	if string(head[:len(magic)]) != magic {
		return nil, errors.New("it does not start with \"cyclegan-classifier\"")
	}
	n := binary.LittleEndian.Uint32(head[len(magic):])
	if n > maxHeader {
		return nil, fmt.Errorf("header of %d bytes (at most %d)", n, maxHeader)
	}
	hj := make([]byte, n)
	if _, err := io.ReadFull(r, hj); err != nil {
		return nil, errTruncated
	}
	var h fileHeader
	if err := json.Unmarshal(hj, &h); err != nil {
		return nil, fmt.Errorf("header: %v", err)
	}
	if h.Version != 1 {
		return nil, fmt.Errorf("format version %d (this program reads 1)", h.Version)
	}
	m, err := New(Config{Size: h.Size, Width: h.Width, Classes: h.Classes})
	if err != nil {
		return nil, fmt.Errorf("header: %v", err)
	}
	if len(h.Colour) != len(h.Classes) {
		return nil, fmt.Errorf("header: %d colour statistics for %d classes", len(h.Colour), len(h.Classes))
	}
	params := m.Params()
	if len(h.Params) != len(params) {
		return nil, fmt.Errorf("header lists %d parameters, the model has %d", len(h.Params), len(params))
	}
	total := 0
	for i, p := range params {
		if h.Params[i].Key != p.Key || !slices.Equal(h.Params[i].Shape, p.Param.Value.Shape) {
			return nil, fmt.Errorf("parameter %d is %s %v, want %s %v", i, h.Params[i].Key, h.Params[i].Shape, p.Key, p.Param.Value.Shape)
		}
		total += len(p.Param.Value.Data)
	}
	zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(64<<20))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	raw := make([]byte, 4*total)
	if _, err := io.ReadFull(zr, raw); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("weights: %w", errTruncated)
		}
		return nil, fmt.Errorf("weights: %v", err)
	}
	if k, err := zr.Read(make([]byte, 1)); k != 0 || (err != nil && err != io.EOF) {
		return nil, errors.New("weights: more values than the header lists, or damaged data after them")
	}
	if sum := sha256.Sum256(raw); hex.EncodeToString(sum[:]) != h.SHA256 {
		return nil, errors.New("weights: checksum mismatch (the file is damaged)")
	}
	off := 0
	for _, p := range params {
		for j := range p.Param.Value.Data {
			v := math.Float32frombits(binary.LittleEndian.Uint32(raw[off:]))
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, fmt.Errorf("weights: %s holds a non-finite value", p.Key)
			}
			p.Param.Value.Data[j] = v
			off += 4
		}
	}
	for i, s := range h.Colour {
		for c := range 3 {
			if math.IsNaN(s.Mean[c]) || math.IsNaN(s.Std[c]) || s.Std[c] < 0 {
				return nil, fmt.Errorf("header: colour statistics of %s are invalid", h.Classes[i])
			}
		}
	}
	return &Classifier{Model: m, Colour: h.Colour, Note: h.Note}, nil
}
