//go:build !js

package weights

import (
	"io"

	"github.com/klauspost/compress/zstd"
)

func newDecompressor(r io.Reader) (io.Reader, func(), error) {
	d, err := zstd.NewReader(r, zstd.WithDecoderMaxWindow(maxZstdWindow), zstd.WithDecoderConcurrency(0),
		zstd.WithDecoderLowmem(true))
	if err != nil {
		return nil, nil, err
	}
	return d, d.Close, nil
}
