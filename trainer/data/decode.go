package data

import (
	"bytes"
	"fmt"
	"image"
	_ "image/gif"  // register GIF
	_ "image/jpeg" // register JPEG
	_ "image/png"  // register PNG
	"io"
	"os"

	_ "golang.org/x/image/webp" // register WebP
)

// MaxPixels is the largest image (width x height) Load accepts. A photo
// beyond it is refused from its header alone, before any pixel memory is
// allocated (a 20000x20000 image would need 1.6 GB as RGBA).
var MaxPixels = 100_000_000

// Load reads an image file (JPEG, PNG, GIF or WebP, recognised by content),
// applies its EXIF orientation and returns it as 8-bit RGB. Errors name the
// file and the reason.
func Load(path string) (*RGB, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return DecodeBytes(path, b)
}

// DecodeBytes is Load on bytes already read; path is used in messages.
func DecodeBytes(path string, b []byte) (*RGB, error) {
	if err := checkHeader(path, b); err != nil {
		return nil, err
	}
	img, format, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: cannot decode image: %v", path, err)
	}
	m := ToRGB(img)
	if format == "jpeg" {
		m = Orient(m, jpegOrientation(b))
	}
	return m, nil
}

// Probe reads only an image's header and reports its size (after EXIF
// orientation) or why it cannot be used.
func Probe(path string) (w, h int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	head := make([]byte, 256<<10) // headers (and EXIF) live at the start
	n, _ := io.ReadFull(f, head)  // a short file is fine: n says how much came
	head = head[:n]
	cfg, format, err := image.DecodeConfig(bytes.NewReader(head))
	if err != nil {
		return 0, 0, fmt.Errorf("%s: not a readable image: %v", path, err)
	}
	if err := checkSize(path, cfg.Width, cfg.Height); err != nil {
		return 0, 0, err
	}
	w, h = cfg.Width, cfg.Height
	if format == "jpeg" && jpegOrientation(head) >= 5 {
		w, h = h, w
	}
	return w, h, nil
}

func checkHeader(path string, b []byte) error {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("%s: not a readable image: %v", path, err)
	}
	return checkSize(path, cfg.Width, cfg.Height)
}

func checkSize(path string, w, h int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("%s: image has no pixels (%dx%d)", path, w, h)
	}
	if int64(w)*int64(h) > int64(MaxPixels) {
		return fmt.Errorf("%s: image is %dx%d, larger than the %d-megapixel limit; downscale it first", path, w, h, MaxPixels/1_000_000)
	}
	return nil
}
