// Package pth reads PyTorch checkpoints (state_dicts saved by torch.save,
// in the zip format of torch >= 1.6 and in the older legacy format) without
// running any pickled code, and imports the official CycleGAN generators
// into weight files.
package pth

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// MaxCheckpointSize is the largest checkpoint file read (an official
// generator is 45 MB).
const MaxCheckpointSize = 2 << 30

// Checkpoint is a parsed state_dict.
type Checkpoint struct {
	Format  string // "zip" or "legacy"
	Entries []Entry
	Size    int64 // file size in bytes
}

// Load reads a checkpoint file; errors name the file.
func Load(filename string) (*Checkpoint, error) {
	fh, err := os.Open(filename)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, MaxCheckpointSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filename, err)
	}
	if len(data) > MaxCheckpointSize {
		return nil, fmt.Errorf("%s: %w: larger than %d bytes", filename, ErrTooLarge, int64(MaxCheckpointSize))
	}
	ck, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filename, err)
	}
	return ck, nil
}

// Parse reads a checkpoint held in memory.
func Parse(data []byte) (*Checkpoint, error) {
	var obj any
	var err error
	var format string
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		format = "zip"
		obj, err = parseZip(data)
	case bytes.HasPrefix(data, []byte{0x80}):
		format = "legacy"
		obj, err = parseLegacy(data)
	default:
		return nil, fmt.Errorf("%w (neither a zip archive nor a legacy pickle)", ErrNotCheckpoint)
	}
	if err != nil {
		return nil, err
	}
	d, ok := obj.(*pyDict)
	if !ok {
		return nil, fmt.Errorf("%w: the checkpoint holds a %T, not a state_dict", ErrPickle, obj)
	}
	ck := &Checkpoint{Format: format, Size: int64(len(data))}
	for i, k := range d.keys {
		key, ok := k.(string)
		if !ok {
			return nil, fmt.Errorf("%w: state_dict key %s is not a string", ErrPickle, repr(k))
		}
		t, ok := d.vals[i].(*tensorRef)
		if !ok {
			return nil, fmt.Errorf("%w: state_dict entry %s is a %T, not a tensor", ErrPickle, repr(key), d.vals[i])
		}
		ck.Entries = append(ck.Entries, Entry{Key: key, DType: t.view.s.dtype.name, Shape: t.shape, t: t})
	}
	return ck, nil
}
