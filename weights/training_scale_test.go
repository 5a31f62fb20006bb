package weights

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// A file records its training scale and gives it back; a file without one
// reads with none; a record out of bounds is refused on write and on read.
func TestTrainingScaleRecord(t *testing.T) {
	f := randomFile(smallArch, "f32", 5)
	f.Meta.TrainingScale = &TrainingScale{Preprocess: "scale_width_and_crop", LoadSize: 256, CropSize: 128}
	g, err := Read(bytes.NewReader(encode(t, f)))
	if err != nil {
		t.Fatal(err)
	}
	if g.Meta.TrainingScale == nil || *g.Meta.TrainingScale != *f.Meta.TrainingScale {
		t.Errorf("training scale read back as %+v, want %+v", g.Meta.TrainingScale, f.Meta.TrainingScale)
	}
	if s := g.Meta.TrainingScale.String(); !strings.Contains(s, "256 pixels wide") || !strings.Contains(s, "128×128 crops") {
		t.Errorf("String() = %q", s)
	}
	old := randomFile(smallArch, "f32", 5)
	g, err = Read(bytes.NewReader(encode(t, old)))
	if err != nil || g.Meta.TrainingScale != nil {
		t.Errorf("a file without a training scale: %+v, %v; want none", g.Meta.TrainingScale, err)
	}
	for _, bad := range []TrainingScale{
		{Preprocess: "scale_width", LoadSize: 256, CropSize: 128},
		{Preprocess: "resize_and_crop", LoadSize: 128, CropSize: 256},
		{Preprocess: "crop", LoadSize: 0, CropSize: 128},
		{Preprocess: "none", LoadSize: 256, CropSize: 1 << 20},
	} {
		f.Meta.TrainingScale = &bad
		if err := Write(&bytes.Buffer{}, f); !errors.Is(err, ErrMetadata) {
			t.Errorf("%+v: written with error %v, want ErrMetadata", bad, err)
		}
		// The same record in metadata from elsewhere is refused on reading
		// (the reader validates decoded metadata before any tensor).
		m, err := decodeMeta(encodeMeta(&f.Meta))
		if err != nil || m.Validate() == nil {
			t.Errorf("%+v: decoded (%v) and accepted by Validate", bad, err)
		}
	}
}
