package pth

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"path"
	"strings"
)

// maxPickleLen bounds the pickle record of a zip checkpoint.
const maxPickleLen = 64 << 20

// parseZip reads the zip serialisation (torch >= 1.6): <prefix>/data.pkl
// is the state_dict's pickle, whose persistent ids name the records
// <prefix>/data/<key> that hold the storages.
func parseZip(data []byte) (any, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotCheckpoint, err)
	}
	records := map[string]*zip.File{}
	var pkl *zip.File
	var prefix string
	for _, f := range zr.File {
		records[f.Name] = f
		if path.Base(f.Name) == "data.pkl" && strings.Count(f.Name, "/") == 1 {
			pkl, prefix = f, path.Dir(f.Name)+"/"
		}
	}
	if pkl == nil {
		return nil, fmt.Errorf("%w: the zip archive has no data.pkl", ErrNotCheckpoint)
	}
	if _, ok := records[prefix+"constants.pkl"]; ok {
		return nil, fmt.Errorf("%w: a TorchScript archive, not a state_dict", ErrNotCheckpoint)
	}
	if f, ok := records[prefix+"byteorder"]; ok {
		b, err := readRecord(f, 16)
		if err != nil {
			return nil, err
		}
		if string(b) != "little" {
			return nil, fmt.Errorf("%w: byte order %q", ErrPickle, b)
		}
	}
	pb, err := readRecord(pkl, maxPickleLen)
	if err != nil {
		return nil, err
	}
	storages := map[string]*storage{}
	u := &unpickler{data: pb}
	u.persLoad = func(pid any) (any, error) {
		s, _, err := storageFromPID(pid, storages, false)
		if err != nil {
			return nil, err
		}
		if s.data == nil {
			if s.data, err = readStorage(s, records[prefix+"data/"+s.key], int64(len(data))); err != nil {
				return nil, err
			}
		}
		return wholeStorage(s), nil
	}
	return u.load()
}

// readStorage reads the bytes of s from its record rec (nil if missing);
// a storage cannot be larger than the file it is in.
func readStorage(s *storage, rec *zip.File, fileSize int64) ([]byte, error) {
	if rec == nil {
		return nil, fmt.Errorf("%w: storage record %s is missing", ErrPickle, s.key)
	}
	n := s.nbytes()
	if n > fileSize {
		return nil, fmt.Errorf("%w: storage %s needs %d bytes, the file has %d", ErrTooLarge, s.key, n, fileSize)
	}
	if rec.UncompressedSize64 < uint64(n) {
		return nil, fmt.Errorf("%w: storage %s needs %d bytes, its record has %d", ErrPickle, s.key, n, rec.UncompressedSize64)
	}
	b, err := readRecord(rec, n)
	if err != nil {
		return nil, err
	}
	if int64(len(b)) != n {
		return nil, fmt.Errorf("%w: storage %s has %d of %d bytes", ErrPickle, s.key, len(b), n)
	}
	return b, nil
}

// readRecord reads a zip record of at most limit bytes, to its end: zip
// checks the record's CRC only when a read reaches the end.
func readRecord(f *zip.File, limit int64) ([]byte, error) {
	if f.UncompressedSize64 > uint64(limit) {
		return nil, fmt.Errorf("%w: record %s of %d bytes", ErrPickle, f.Name, f.UncompressedSize64)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: record %s: %v", ErrNotCheckpoint, f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%w: record %s: %v", ErrPickle, f.Name, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: record %s is longer than its declared %d bytes", ErrPickle, f.Name, f.UncompressedSize64)
	}
	return b, nil
}
