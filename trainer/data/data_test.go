package data

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const fixtures = "../../testdata/trainer"

func mustLoad(t *testing.T, p string) *RGB {
	t.Helper()
	m, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Resize must equal Pillow 9.4's Image.resize(BICUBIC) byte for byte.
func TestResizeMatchesPIL(t *testing.T) {
	src := mustLoad(t, filepath.Join(fixtures, "resize_src.png"))
	for _, s := range [][2]int{{10, 8}, {50, 41}, {23, 9}, {11, 17}, {7, 30}} {
		want := mustLoad(t, filepath.Join(fixtures, "resize_"+itoa(s[0])+"x"+itoa(s[1])+".png"))
		got := Resize(src, s[0], s[1])
		if got.W != want.W || got.H != want.H {
			t.Fatalf("%v: size %dx%d", s, got.W, got.H)
		}
		diff := 0
		for i := range got.Pix {
			if got.Pix[i] != want.Pix[i] {
				diff++
			}
		}
		if diff != 0 {
			t.Errorf("resize to %dx%d: %d of %d bytes differ from PIL", s[0], s[1], diff, len(got.Pix))
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestWebPDecodes(t *testing.T) {
	a := mustLoad(t, filepath.Join(fixtures, "small.webp"))
	b := mustLoad(t, filepath.Join(fixtures, "small_webp.png"))
	if a.W != 6 || a.H != 4 || !bytes.Equal(a.Pix, b.Pix) {
		t.Fatalf("webp pixels differ from the PNG holding the same image")
	}
}

// jpegWithOrientation encodes m as JPEG and inserts an EXIF APP1 segment
// carrying the given orientation right after SOI.
func jpegWithOrientation(t *testing.T, m image.Image, orientation int, bo binary.ByteOrder) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 100}); err != nil {
		t.Fatal(err)
	}
	tiff := make([]byte, 8+2+12+4)
	if bo == binary.LittleEndian {
		copy(tiff, "II")
	} else {
		copy(tiff, "MM")
	}
	bo.PutUint16(tiff[2:], 42)
	bo.PutUint32(tiff[4:], 8)
	bo.PutUint16(tiff[8:], 1)
	bo.PutUint16(tiff[10:], 0x0112)
	bo.PutUint16(tiff[12:], 3)
	bo.PutUint32(tiff[14:], 1)
	bo.PutUint16(tiff[18:], uint16(orientation))
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(app1[2:], uint16(len(seg)+2))
	app1 = append(app1, seg...)
	b := buf.Bytes()
	return append(append(append([]byte{}, b[:2]...), app1...), b[2:]...)
}

func TestEXIFOrientation(t *testing.T) {
	// 16x8 image: left half red, right half blue, a green top-left 8x4 block.
	src := image.NewNRGBA(image.Rect(0, 0, 16, 8))
	for y := 0; y < 8; y++ {
		for x := 0; x < 16; x++ {
			c := color.NRGBA{255, 0, 0, 255}
			if x >= 8 {
				c = color.NRGBA{0, 0, 255, 255}
			}
			if x < 8 && y < 4 {
				c = color.NRGBA{0, 255, 0, 255}
			}
			src.Set(x, y, c)
		}
	}
	dominant := func(m *RGB, x, y int) int { // 0 r, 1 g, 2 b
		p := m.Pix[3*(y*m.W+x):]
		best := 0
		for c := 1; c < 3; c++ {
			if p[c] > p[best] {
				best = c
			}
		}
		return best
	}
	// Where the green (top-left) block lands, and the size, per orientation.
	cases := []struct {
		o, w, h, gx, gy int
	}{
		{1, 16, 8, 1, 1}, {2, 16, 8, 14, 1}, {3, 16, 8, 14, 6}, {4, 16, 8, 1, 6},
		{5, 8, 16, 1, 1}, {6, 8, 16, 6, 1}, {7, 8, 16, 6, 14}, {8, 8, 16, 1, 14},
	}
	dir := t.TempDir()
	for _, c := range cases {
		for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			b := jpegWithOrientation(t, src, c.o, bo)
			p := filepath.Join(dir, "o.jpg")
			os.WriteFile(p, b, 0o644)
			m := mustLoad(t, p)
			if m.W != c.w || m.H != c.h {
				t.Fatalf("orientation %d: size %dx%d, want %dx%d", c.o, m.W, m.H, c.w, c.h)
			}
			if dominant(m, c.gx, c.gy) != 1 {
				t.Errorf("orientation %d (%v): green block not at (%d,%d)", c.o, bo, c.gx, c.gy)
			}
			w, h, err := Probe(p)
			if err != nil || w != c.w || h != c.h {
				t.Errorf("Probe orientation %d: %dx%d %v", c.o, w, h, err)
			}
		}
	}
}

func TestToRGBConversions(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 2, 1))
	g.Pix[0], g.Pix[1] = 10, 200
	if m := ToRGB(g); !bytes.Equal(m.Pix, []byte{10, 10, 10, 200, 200, 200}) {
		t.Errorf("gray: %v", m.Pix)
	}
	pal := image.NewPaletted(image.Rect(0, 0, 2, 1), color.Palette{color.RGBA{1, 2, 3, 255}, color.RGBA{4, 5, 6, 255}})
	pal.Pix[0], pal.Pix[1] = 1, 0
	if m := ToRGB(pal); !bytes.Equal(m.Pix, []byte{4, 5, 6, 1, 2, 3}) {
		t.Errorf("paletted: %v", m.Pix)
	}
	// Semi-transparent: PIL drops alpha and keeps the unpremultiplied colour.
	n := image.NewNRGBA(image.Rect(0, 0, 1, 1))
	copy(n.Pix, []byte{100, 150, 200, 128})
	if m := ToRGB(n); !bytes.Equal(m.Pix, []byte{100, 150, 200}) {
		t.Errorf("nrgba: %v", m.Pix)
	}
	// 16-bit PNG round trip: high byte kept.
	w := image.NewRGBA64(image.Rect(0, 0, 1, 1))
	w.SetRGBA64(0, 0, color.RGBA64{0x1234, 0xabcd, 0xff00, 0xffff})
	var buf bytes.Buffer
	png.Encode(&buf, w)
	m, err := DecodeBytes("x.png", buf.Bytes())
	if err != nil || !bytes.Equal(m.Pix, []byte{0x12, 0xab, 0xff}) {
		t.Errorf("16-bit: %v %v", m, err)
	}
	// Gray16
	g16 := image.NewGray16(image.Rect(0, 0, 1, 1))
	g16.SetGray16(0, 0, color.Gray16{0x8081})
	if m := ToRGB(g16); !bytes.Equal(m.Pix, []byte{0x80, 0x80, 0x80}) {
		t.Errorf("gray16: %v", m.Pix)
	}
}

// hugePNG is a valid PNG signature and IHDR claiming w x h, with no data.
func hugePNG(w, h uint32) []byte {
	b := []byte("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 4+4+13)
	binary.BigEndian.PutUint32(ihdr[0:], 13)
	copy(ihdr[4:], "IHDR")
	binary.BigEndian.PutUint32(ihdr[8:], w)
	binary.BigEndian.PutUint32(ihdr[12:], h)
	ihdr[16], ihdr[17] = 8, 2 // 8-bit RGB
	b = append(b, ihdr...)
	crc := make([]byte, 4)
	binary.BigEndian.PutUint32(crc, crc32.ChecksumIEEE(ihdr[4:]))
	return append(b, crc...)
}

func writePNG(t *testing.T, p string, w, h int, seed uint64) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = uint8(r.IntN(256))
		if i%4 == 3 {
			m.Pix[i] = 255
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, m)
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestHugeImageRefusedFromHeader(t *testing.T) {
	p := filepath.Join(t.TempDir(), "huge.png")
	os.WriteFile(p, hugePNG(20000, 20000), 0o644)
	_, err := Load(p)
	if err == nil || !strings.Contains(err.Error(), "20000x20000") || !strings.Contains(err.Error(), p) {
		t.Fatalf("want a size error naming the file, got %v", err)
	}
	if _, _, err := Probe(p); err == nil {
		t.Fatal("Probe accepted a 20000x20000 image")
	}
}

func TestScanFolder(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "b.png"), 8, 8, 1)
	writePNG(t, filepath.Join(dir, "a.png"), 8, 8, 2)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hello"), 0o644)       // ignored
	os.WriteFile(filepath.Join(dir, "broken.jpg"), []byte("not a jpeg"), 0o644) // reported
	os.WriteFile(filepath.Join(dir, "huge.png"), hugePNG(20000, 20000), 0o644)  // reported
	var rep bytes.Buffer
	paths, skipped, err := ScanFolder(dir, &rep)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2 || filepath.Base(paths[0]) != "a.png" || filepath.Base(paths[1]) != "b.png" {
		t.Errorf("paths %v", paths)
	}
	if len(skipped) != 2 || !strings.Contains(rep.String(), "broken.jpg") || !strings.Contains(rep.String(), "huge.png") {
		t.Errorf("skipped %v, report %q", skipped, rep.String())
	}
	empty := t.TempDir()
	if _, _, err := ScanFolder(empty, nil); err == nil || !strings.Contains(err.Error(), "no images") {
		t.Errorf("empty folder: %v", err)
	}
	if _, _, err := ScanFolder(filepath.Join(dir, "missing"), nil); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing folder: %v", err)
	}
	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, "x.png"), []byte("junk"), 0o644)
	if _, _, err := ScanFolder(bad, nil); err == nil || !strings.Contains(err.Error(), "none of its 1") {
		t.Errorf("all-broken folder: %v", err)
	}
}

func TestPreprocessShapesAndRange(t *testing.T) {
	src := NewRGB(40, 30)
	for i := range src.Pix {
		src.Pix[i] = uint8(i)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		p    Preprocess
		w, h int
	}{
		{Preprocess{"resize_and_crop", 36, 32, false}, 32, 32},
		{Preprocess{"scale_width_and_crop", 36, 24, false}, 24, 24},
		{Preprocess{"crop", 0, 16, true}, 16, 16},
		{Preprocess{"none", 0, 0, false}, 40, 32},
	} {
		if err := c.p.Validate(); err != nil {
			t.Fatal(err)
		}
		m, err := c.p.Apply("x", src, rng)
		if err != nil {
			t.Fatal(err)
		}
		if m.W != c.w || m.H != c.h {
			t.Errorf("%s: %dx%d, want %dx%d", c.p.Mode, m.W, m.H, c.w, c.h)
		}
	}
	if err := (Preprocess{"resize_and_crop", 16, 32, false}).Validate(); err == nil {
		t.Error("load_size < crop_size accepted")
	}
	if _, err := (Preprocess{"crop", 0, 64, false}).Apply("small.png", src, rng); err == nil || !strings.Contains(err.Error(), "small.png") {
		t.Errorf("crop larger than image: %v", err)
	}
	// Crop without flip is an exact window; scaling matches torchvision.
	p := Preprocess{"crop", 0, 8, true}
	m, _ := p.Apply("x", src, rand.New(rand.NewPCG(3, 4)))
	r := rand.New(rand.NewPCG(3, 4))
	top, left := r.IntN(30-8+1), r.IntN(40-8+1)
	if m.Pix[0] != src.Pix[3*(top*40+left)] {
		t.Error("crop window not at the drawn offset")
	}
	dst := make([]float32, 3*8*8)
	m.WriteCHW(dst)
	if want := (float32(m.Pix[0])/255 - 0.5) / 0.5; dst[0] != want {
		t.Errorf("scaling %v want %v", dst[0], want)
	}
	for _, v := range dst {
		if v < -1 || v > 1 {
			t.Fatal("value outside [-1,1]")
		}
	}
}

func TestFlip(t *testing.T) {
	m := &RGB{W: 3, H: 1, Pix: []uint8{1, 2, 3, 4, 5, 6, 7, 8, 9}}
	m.FlipH()
	if !bytes.Equal(m.Pix, []uint8{7, 8, 9, 4, 5, 6, 1, 2, 3}) {
		t.Fatal(m.Pix)
	}
}

func makeDataset(t *testing.T, na, nb int) *Unaligned {
	dir := t.TempDir()
	var a, b []string
	for i := 0; i < na; i++ {
		p := filepath.Join(dir, "a"+itoa(i)+".png")
		writePNG(t, p, 20, 20, uint64(i))
		a = append(a, p)
	}
	for i := 0; i < nb; i++ {
		p := filepath.Join(dir, "b"+itoa(i)+".png")
		writePNG(t, p, 20, 20, uint64(100+i))
		b = append(b, p)
	}
	return &Unaligned{A: a, B: b, Pre: Preprocess{"resize_and_crop", 20, 16, false}, Seed: 5}
}

// The loader's batches depend only on (seed, epoch, iteration), not on how
// many workers prepared them or where the stream started.
func TestLoaderDeterministic(t *testing.T) {
	d := makeDataset(t, 5, 3)
	if d.Len() != 5 || d.Batches(2) != 3 {
		t.Fatalf("len %d batches %d", d.Len(), d.Batches(2))
	}
	collect := func(workers, start int) []*Batch {
		l := &Loader{Data: d, Batch: 2, Workers: workers}
		next, stop := l.Epoch(3, start)
		defer stop()
		var out []*Batch
		for {
			b, err := next()
			if err != nil {
				t.Fatal(err)
			}
			if b == nil {
				return out
			}
			out = append(out, b)
		}
	}
	all := collect(1, 0)
	if len(all) != 3 || all[2].N != 1 || all[0].N != 2 || all[0].H != 16 {
		t.Fatalf("batches: %d, last N %d", len(all), all[len(all)-1].N)
	}
	par := collect(4, 1)
	if len(par) != 2 {
		t.Fatalf("resumed stream has %d batches", len(par))
	}
	for i := range par {
		if !slices.Equal(par[i].A, all[i+1].A) || !slices.Equal(par[i].B, all[i+1].B) || par[i].Iter != i+1 {
			t.Fatalf("batch %d differs when prepared in parallel from iteration 1", i+1)
		}
	}
	// Every A image is visited once per epoch.
	seen := map[string]int{}
	for _, b := range all {
		for _, p := range b.PathsA {
			seen[p]++
		}
	}
	if len(seen) != 5 {
		t.Errorf("epoch visited %d distinct A images, want 5", len(seen))
	}
	// Another epoch has another order or other crops.
	l := &Loader{Data: d, Batch: 2}
	next, stop := l.Epoch(4, 0)
	b, _ := next()
	stop()
	if slices.Equal(b.A, all[0].A) {
		t.Error("epoch 4 starts with the same batch as epoch 3")
	}
	if err := d.Check(4); err == nil || !strings.Contains(err.Error(), "domain B has 3") {
		t.Errorf("batch larger than B: %v", err)
	}
}

// A file that becomes unreadable after the scan is reported and replaced.
func TestLoaderSkipsBrokenFile(t *testing.T) {
	d := makeDataset(t, 3, 2)
	os.WriteFile(d.A[1], []byte("garbage now"), 0o644)
	var rep bytes.Buffer
	l := &Loader{Data: d, Batch: 1, Report: &rep}
	next, stop := l.Epoch(1, 0)
	defer stop()
	n := 0
	for {
		b, err := next()
		if err != nil {
			t.Fatal(err)
		}
		if b == nil {
			break
		}
		n++
	}
	if n != 3 || !strings.Contains(rep.String(), d.A[1]) {
		t.Errorf("%d batches, report %q", n, rep.String())
	}
}
