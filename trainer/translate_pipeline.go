package main

import (
	"bytes"
	"context"
	"fmt"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/cyclegan-go/cyclegan/nn"
	"github.com/cyclegan-go/cyclegan/trainer/data"
	"github.com/cyclegan-go/cyclegan/trainer/train"
	"github.com/cyclegan-go/cyclegan/translate"
)

// translateAll translates every job with tr, reporting each on log, and
// returns how many failed. Three stages overlap: while the generator
// translates one photo, the next is decoded and the last encoded and
// written, so a folder of photos keeps the generator busy; the results are
// the same as one photo at a time.
func translateAll(tr *translate.Translator, jobs []job, limits translateLimits, quality int, log io.Writer) (failed int) {
	type decoded struct {
		job
		img *data.RGB
		err error
	}
	type translated struct {
		job
		img *data.RGB
		err error
	}
	decodedCh := make(chan decoded, 1)
	go func() {
		for _, j := range jobs {
			img, err := loadForTranslation(j.in, tr.Config(), limits)
			decodedCh <- decoded{j, img, err}
		}
		close(decodedCh)
	}()
	translatedCh := make(chan translated, 1)
	go func() {
		for d := range decodedCh {
			t := translated{job: d.job, err: d.err}
			if d.err == nil {
				t.img, t.err = translateRGB(tr, d.img)
				if t.err != nil {
					t.err = fmt.Errorf("%s: %w", d.in, t.err)
				}
			}
			translatedCh <- t
		}
		close(translatedCh)
	}()
	i := 0
	for t := range translatedCh {
		i++
		err := t.err
		if err == nil {
			err = writeImage(t.out, t.img, quality)
		}
		if err != nil {
			fmt.Fprintf(log, "[%d/%d] %v\n", i, len(jobs), err)
			failed++
			continue
		}
		fmt.Fprintf(log, "[%d/%d] %s -> %s (%s)\n", i, len(jobs), t.in, t.out, tr.Plan(t.img.W, t.img.H).Note)
	}
	return failed
}

// translateLimits bound what one photo may cost.
type translateLimits struct {
	maxSize int   // scale photos down to this long side (0: keep their size)
	memory  int64 // refuse a photo whose translation would take more bytes
}

// loadForTranslation decodes a photo and scales it down to the long side
// limits.maxSize (0: keep its size). A photo too small to translate (before
// or after scaling) or too large for the memory limit is refused from its
// header, before it is decoded.
func loadForTranslation(path string, cfg nn.GeneratorConfig, limits translateLimits) (*data.RGB, error) {
	w, h, err := data.Probe(path)
	if err != nil {
		return nil, err
	}
	if err := translate.CheckFit(w, h, limits.maxSize); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	fw, fh := translate.FitSize(w, h, limits.maxSize)
	if err := translate.CheckMemory(cfg, fw, fh, limits.memory); err != nil {
		return nil, fmt.Errorf("%s: %w (--max_size, --max_memory)", path, err)
	}
	m, err := data.Load(path)
	if err != nil {
		return nil, err
	}
	if fw, fh := translate.FitSize(m.W, m.H, limits.maxSize); fw != m.W || fh != m.H {
		m = data.Resize(m, fw, fh)
	}
	return m, nil
}

// translateRGB runs one photo through tr.
func translateRGB(tr *translate.Translator, m *data.RGB) (*data.RGB, error) {
	out, err := tr.Pixels(context.Background(), translate.Pixels{W: m.W, H: m.H, Channels: 3, Pix: m.Pix}, nil)
	if err != nil {
		return nil, err
	}
	return &data.RGB{W: out.W, H: out.H, Pix: out.Pix}, nil
}

// writeImage encodes m as JPEG or PNG, by out's extension, and writes it
// atomically, making its folder if needed.
func writeImage(out string, m *data.RGB, quality int) error {
	var buf bytes.Buffer
	var err error
	switch strings.ToLower(filepath.Ext(out)) {
	case ".jpg", ".jpeg":
		err = jpeg.Encode(&buf, m.Image(), &jpeg.Options{Quality: quality})
	default:
		err = png.Encode(&buf, m.Image())
	}
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return train.WriteFileAtomic(out, buf.Bytes())
}
