package main

import (
	"fmt"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/cyclegan-go/cyclegan/nn"
	"github.com/cyclegan-go/cyclegan/trainer/gallery"
	"github.com/cyclegan-go/cyclegan/translate"
	"github.com/cyclegan-go/cyclegan/weights"
)

// BenchmarkTranslateFolder is `cyclegan translate` on a folder of 256×256
// photos (decode, translate, encode, write) with ngf 64 / 9-block, ngf 32 / 9-block and
// ngf 16 / 6-block generators: the generator is loaded and frozen
// once per run, and decoding and encoding overlap the forward pass, so the
// time per photo is close to BenchmarkGeneratorForward's (nn). Reported as
// ms/photo.
//
//	go test -run '^$' -bench TranslateFolder -benchtime 2x ./trainer
func BenchmarkTranslateFolder(b *testing.B) {
	const photos, size = 4, 256 // scripts/bench.sh compares with ORT's (session + 4 runs) / 4
	dir := b.TempDir()
	for i := range photos {
		fh, err := os.Create(filepath.Join(dir, "in", fmt.Sprintf("p%d.png", i)))
		if os.IsNotExist(err) {
			os.MkdirAll(filepath.Join(dir, "in"), 0o755)
			fh, err = os.Create(filepath.Join(dir, "in", fmt.Sprintf("p%d.png", i)))
		}
		if err != nil {
			b.Fatal(err)
		}
		png.Encode(fh, gallery.Scene(size, size, uint64(i+1)))
		fh.Close()
	}
	for _, c := range []struct {
		name string
		cfg  nn.GeneratorConfig
	}{
		{"ngf64-b9", nn.GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 64, NBlocks: 9}},
		{"ngf32-b9", nn.GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 32, NBlocks: 9}},
		{"ngf16-b6", nn.GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 16, NBlocks: 6}},
	} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", c.name, threads), func(b *testing.B) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(threads)) // the threads of the whole run, as GOMAXPROCS=N cyclegan translate
				benchmarkTranslateFolder(b, dir, c.name, c.cfg, photos)
			})
		}
	}
}

// benchmarkTranslateFolder times `cyclegan translate` runs over the photos
// of dir/in (photos of them) with a random generator of config cfg: each run
// opens the weight file, then translates the folder.
func benchmarkTranslateFolder(b *testing.B, dir, name string, cfg nn.GeneratorConfig, photos int) {
	g := nn.NewResnetGenerator(cfg)
	nn.InitNormal(g.Params(), 0.02, rand.New(rand.NewPCG(1, 2)))
	f := &weights.File{Meta: weights.Meta{Storage: "f32", Provenance: weights.Provenance{Source: "trained"}}}
	f.AddGenerator("G_A", "a", "b", g)
	wpath := filepath.Join(dir, name+".cgw")
	if err := weights.WriteFile(wpath, f); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		m, err := translate.Open(wpath)
		if err != nil {
			b.Fatal(err)
		}
		tr, _ := m.Translator("AtoB")
		jobs, err := planOutputs([]string{filepath.Join(dir, "in")}, filepath.Join(dir, "out-"+name), "AtoB")
		if err != nil {
			b.Fatal(err)
		}
		if failed := translateAll(tr, jobs, translateLimits{memory: translate.DefaultMemoryLimit}, 95, io.Discard); failed != 0 {
			b.Fatalf("%d photos failed", failed)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N*photos), "ms/photo")
}
