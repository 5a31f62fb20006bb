package weights

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/cyclegan-go/cyclegan/weights/atomicfile"
)

// EditMeta reads one weight file from r, lets edit change its metadata and
// writes the file to w with the weights' bytes unchanged: an int8 file is
// not quantised again. The file is checked whole (checksum, metadata and
// every tensor) before anything is written, and so is the edited metadata;
// edit may change the names, notes, licence, provenance and training
// scale, not the storage or the generators' architectures.
func EditMeta(r io.Reader, w io.Writer, edit func(*Meta) error) error {
	data, err := io.ReadAll(io.LimitReader(r, headerLen+MaxBodyLen+checksumLen+1))
	if err != nil {
		return err
	}
	f, err := Read(bytes.NewReader(data))
	if err != nil {
		return err
	}
	meta := f.Meta // a copy that shares nothing with f.Meta
	meta.Generators = slices.Clone(f.Meta.Generators)
	meta.Provenance.Imported = slices.Clone(f.Meta.Provenance.Imported)
	if s := f.Meta.TrainingScale; s != nil {
		c := *s
		meta.TrainingScale = &c
	}
	if err := edit(&meta); err != nil {
		return err
	}
	if err := sameTensors(&f.Meta, &meta); err != nil {
		return err
	}
	if err := meta.Validate(); err != nil {
		return err
	}
	metaJSON := encodeMeta(&meta)
	if len(metaJSON) > MaxMetaLen {
		return fmt.Errorf("%w: metadata is %d bytes, ceiling %d", ErrLength, len(metaJSON), MaxMetaLen)
	}

	// The tensors follow the old metadata in the decompressed body.
	body := data[headerLen : len(data)-checksumLen]
	zr, done, err := newDecompressor(bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer done()
	raw, err := io.ReadAll(zr)
	if err != nil {
		return fmt.Errorf("%w: compressed stream: %v", ErrMalformed, err)
	}
	tensors := raw[4+binary.LittleEndian.Uint32(raw):]
	return writeContainer(w, func(body io.Writer) error {
		if _, err := body.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(metaJSON)))); err != nil {
			return err
		}
		if _, err := body.Write(metaJSON); err != nil {
			return err
		}
		_, err := body.Write(tensors)
		return err
	})
}

// sameTensors refuses edits that would change how the tensors are read.
func sameTensors(old, edited *Meta) error {
	if edited.Storage != old.Storage {
		return fmt.Errorf("%w: the storage cannot be edited (%s); re-export or re-import to change it", ErrMetadata, old.Storage)
	}
	if len(edited.Generators) != len(old.Generators) {
		return fmt.Errorf("%w: the generators cannot be added or removed by an edit", ErrMetadata)
	}
	for i := range old.Generators {
		if edited.Generators[i].Arch != old.Generators[i].Arch {
			return fmt.Errorf("%w: generator %q: the architecture cannot be edited", ErrMetadata, old.Generators[i].Key)
		}
	}
	return nil
}

// EditMetaFile applies edit to the metadata of the weight file at in and
// writes the result to out (which may be in itself), atomically: a failure
// leaves out as it was. Errors name the file.
func EditMetaFile(in, out string, edit func(*Meta) error) error {
	fh, err := os.Open(in)
	if err != nil {
		return err
	}
	defer fh.Close()
	var buf bytes.Buffer
	if err := EditMeta(fh, &buf, edit); err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	return atomicfile.Write(out, ".tmp*", func(tmp *os.File) error {
		_, err := tmp.Write(buf.Bytes())
		return err
	})
}
