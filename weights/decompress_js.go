//go:build js

package weights

import (
	"io"

	"github.com/cyclegan-go/cyclegan/weights/internal/zstd"
)

func newDecompressor(r io.Reader) (io.Reader, func(), error) {
	return zstd.NewReader(r), func() {}, nil
}
