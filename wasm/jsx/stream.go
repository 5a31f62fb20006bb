//go:build js && wasm

package jsx

import (
	"errors"
	"io"
	"syscall/js"
)

// StreamReader reads a JavaScript ReadableStream of Uint8Array chunks (a
// fetch Response body, or a stream posted to a worker) as an io.Reader.
// Each Read that finds its buffer empty awaits the next chunk, so the Go
// side consumes the download while it arrives. Call it from a goroutine.
type StreamReader struct {
	reader js.Value // ReadableStreamDefaultReader
	buf    []byte   // unread rest of the current chunk
	chunk  []byte   // reused copy target
	done   bool
	n      int64 // bytes delivered so far
}

// NewStreamReader locks stream and returns a reader over it.
func NewStreamReader(stream js.Value) (*StreamReader, error) {
	if stream.Type() != js.TypeObject || stream.Get("getReader").Type() != js.TypeFunction {
		return nil, errors.New("expected a ReadableStream")
	}
	return &StreamReader{reader: stream.Call("getReader")}, nil
}

// Read implements io.Reader.
func (s *StreamReader) Read(p []byte) (int, error) {
	for len(s.buf) == 0 {
		if s.done {
			return 0, io.EOF
		}
		r, err := Await(s.reader.Call("read"))
		if err != nil {
			s.done = true
			return 0, err
		}
		if r.Get("done").Truthy() {
			s.done = true
			return 0, io.EOF
		}
		v := r.Get("value")
		n := v.Get("length").Int()
		if cap(s.chunk) < n {
			s.chunk = make([]byte, n)
		}
		s.buf = s.chunk[:n]
		js.CopyBytesToGo(s.buf, v)
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	s.n += int64(n)
	return n, nil
}

// Count is the number of bytes read so far.
func (s *StreamReader) Count() int64 { return s.n }

// Cancel stops the stream (after an error, so the download stops too).
func (s *StreamReader) Cancel(reason error) {
	if s.done {
		return
	}
	s.done = true
	msg := "cancelled"
	if reason != nil {
		msg = reason.Error()
	}
	s.reader.Call("cancel", msg)
}
