package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/cyclegan-go/cyclegan/nn"
	"github.com/cyclegan-go/cyclegan/trainer/train"
	"github.com/cyclegan-go/cyclegan/weights"
	"github.com/cyclegan-go/cyclegan/weights/pth"
)

func init() {
	register("info", "describe weight files, training checkpoints and PyTorch checkpoints (metadata, tensors, sizes)", runInfo)
}

// runInfo implements `cyclegan info FILE...` for weight files (.cgw),
// training checkpoints (.ckpt) and PyTorch checkpoints (.pth).
func runInfo(args []string) error { return info(os.Stdout, args) }

// info describes each file on w. A file it cannot describe is skipped; the
// returned error names each such file and its problem (the command prints
// it on stderr and exits with status 1).
func info(w io.Writer, args []string) error {
	fs := flag.NewFlagSet("info", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: cyclegan info FILE...\n\nPrints the metadata, tensor and parameter counts, storage type and sizes of\nweight files (.cgw), where a training checkpoint (.ckpt) stands and with which\noptions, and what a PyTorch checkpoint (.pth) holds.")
		fs.PrintDefaults()
	}
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		fs.Usage()
		return fmt.Errorf("need at least one file")
	}
	var errs []error
	described := 0
	for _, path := range rest {
		var buf bytes.Buffer
		if err := infoFile(&buf, path); err != nil {
			errs = append(errs, err) // errors name the file
			continue
		}
		if described > 0 {
			fmt.Fprintln(w)
		}
		described++
		w.Write(buf.Bytes())
	}
	return errors.Join(errs...)
}

// infoFile describes one file, chosen by its first bytes: a weight file, a
// training checkpoint, or else a PyTorch checkpoint. A .cgw or .ckpt name
// that holds something else is an error that says what the file holds.
func infoFile(w io.Writer, path string) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(fh, head)
	fh.Close()
	head = head[:n]
	switch ext := strings.ToLower(filepath.Ext(path)); {
	case bytes.HasPrefix(head, []byte(weights.Magic)):
		return infoWeights(w, path)
	case bytes.HasPrefix(head, []byte(train.CheckpointMagic)):
		return infoTrainingCheckpoint(w, path)
	case ext == ".cgw":
		return fmt.Errorf("%s: not a valid weight file: %s", path, badStart(head, "a weight file"))
	case ext == ".ckpt":
		return fmt.Errorf("%s: not a valid training checkpoint: %s", path, badStart(head, "a training checkpoint"))
	}
	return infoCheckpoint(w, path)
}

// badStart says why a file whose first bytes are head is not a kind of
// file (e.g. "a weight file").
func badStart(head []byte, kind string) string {
	if len(head) == 0 {
		return "the file is empty"
	}
	s := "it does not start as " + kind + " does"
	if t := http.DetectContentType(head); t != "application/octet-stream" {
		s += " (it looks like " + strings.TrimSuffix(t, "; charset=utf-8") + ")"
	}
	return s
}

func infoWeights(w io.Writer, path string) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	f, err := weights.Read(bufio.NewReaderSize(fh, 1<<16))
	if err != nil {
		return fmt.Errorf("%s: not a valid weight file: %v", path, err)
	}
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	fmt.Fprintf(bw, "%s: CycleGAN weight file, format version %d, checksum verified\n", path, weights.Version)
	if f.Meta.Name != "" {
		fmt.Fprintf(bw, "  name:        %s\n", f.Meta.Name)
	}
	fmt.Fprintf(bw, "  storage:     %s", f.Meta.Storage)
	if f.Meta.Storage != "f32" {
		fmt.Fprintf(bw, " (biases float32)")
	}
	fmt.Fprintln(bw)
	fmt.Fprintf(bw, "  generators:  %d\n", len(f.Meta.Generators))
	for _, g := range f.Meta.Generators {
		fmt.Fprintf(bw, "    %-4s %s\n", g.Key, generatorLine(g))
	}
	fmt.Fprintf(bw, "  tensors:     %d\n", f.Tensors())
	fmt.Fprintf(bw, "  scale:       %s\n", scaleLine(f.Meta.TrainingScale))
	fmt.Fprintf(bw, "  runs here:   %s GEMM kernel, %d threads (chosen for this CPU; built with %s)\n", nn.GemmKernel(), runtime.GOMAXPROCS(0), runtime.Version())
	fmt.Fprintf(bw, "  parameters:  %s\n", thousands(int64(f.Params())))
	f32 := int64(4 * f.Params())
	fmt.Fprintf(bw, "  size:        %s (%.1f%% of %s as float32)\n", byteSize(f.Size), 100*float64(f.Size)/float64(f32), byteSize(f32))
	p := f.Meta.Provenance
	fmt.Fprintf(bw, "  provenance:  %s", p.Source)
	if len(p.Imported) > 0 {
		fmt.Fprintf(bw, " from %s", strings.Join(p.Imported, ", "))
	}
	if p.Iterations > 0 || p.Epochs > 0 {
		fmt.Fprintf(bw, ", %d iterations, %d epochs", p.Iterations, p.Epochs)
	}
	if p.Date != "" {
		fmt.Fprintf(bw, ", %s", p.Date)
	}
	fmt.Fprintln(bw)
	if p.Trainer != "" {
		fmt.Fprintf(bw, "  trainer:     %s\n", p.Trainer)
	}
	if p.License != "" {
		fmt.Fprintf(bw, "  licence:     %s\n", p.License)
	}
	if p.Notes != "" {
		fmt.Fprintf(bw, "  notes:       %s\n", p.Notes)
	}
	return nil
}

func infoCheckpoint(w io.Writer, path string) error {
	ck, err := pth.Load(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	fmt.Fprintf(bw, "%s: PyTorch checkpoint (%s serialisation), %s\n", path, ck.Format, byteSize(ck.Size))
	var params int64
	dtypes := map[string]int{}
	for _, e := range ck.Entries {
		params += int64(e.Len())
		dtypes[e.DType]++
	}
	fmt.Fprintf(bw, "  tensors:     %d", len(ck.Entries))
	for dt, n := range dtypes {
		fmt.Fprintf(bw, ", %d %s", n, dt)
	}
	fmt.Fprintln(bw)
	fmt.Fprintf(bw, "  parameters:  %s (including buffers)\n", thousands(params))
	arch, tensors, err := pth.Generator(ck)
	if err != nil {
		fmt.Fprintf(bw, "  generator:   not importable: %v\n", err)
		return nil
	}
	var n int64
	for _, t := range tensors {
		n += int64(len(t.Data))
	}
	fmt.Fprintf(bw, "  generator:   %s\n", generatorLine(weights.GeneratorMeta{Arch: arch}))
	fmt.Fprintf(bw, "  importable:  %d tensors, %s parameters (`cyclegan import %s`)\n", len(tensors), thousands(n), path)
	return nil
}

// generatorLine describes one generator.
func generatorLine(g weights.GeneratorMeta) string {
	a := g.Arch
	s := ""
	if g.From != "" || g.To != "" {
		s = fmt.Sprintf("%s -> %s: ", orDash(g.From), orDash(g.To))
	}
	s += fmt.Sprintf("%s %d->%d channels, ngf %d, %d blocks, %s norm, %s padding", a.Kind, a.InputNC, a.OutputNC, a.NGF, a.NBlocks, a.Norm, a.Padding)
	if a.Dropout {
		s += ", dropout layout"
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "?"
	}
	return s
}

// byteSize formats a size with a binary-free SI unit (as file managers show).
func byteSize(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.2f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}

// thousands formats n with thousands separators.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && c != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// scaleLine describes a file's training scale and what `translate` does
// with it by default.
func scaleLine(s *weights.TrainingScale) string {
	switch {
	case s == nil:
		return "not recorded (an older file): translated at full resolution"
	case s.Preprocess == "crop" || s.Preprocess == "none":
		return s.String() + ": translated at full resolution"
	}
	return s.String() + ": translated at that scale, detail carried up to the photo's size (--scale full for the exact pass)"
}
