package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/cyclegan-go/cyclegan/weights"
	"github.com/cyclegan-go/cyclegan/weights/atomicfile"
	"github.com/cyclegan-go/cyclegan/weights/pth"
)

func init() {
	register("zoo", "download an official pretrained CycleGAN generator and import it (needs the network)", runZoo)
}

// zooModels are the pretrained CycleGAN generators the official
// scripts/download_cyclegan_model.sh offers.
var zooModels = []string{
	"apple2orange", "orange2apple", "summer2winter_yosemite", "winter2summer_yosemite",
	"horse2zebra", "zebra2horse", "monet2photo", "style_monet", "style_cezanne", "style_ukiyoe",
	"style_vangogh", "sat2map", "map2sat", "cityscapes_photo2label", "cityscapes_label2photo",
	"facades_photo2label", "facades_label2photo", "iphone2dslr_flower",
}

// zooURL is where download_cyclegan_model.sh fetches $MODEL.pth from; the
// --base flag or CYCLEGAN_ZOO_URL override it (tests use a local server).
const zooURL = "http://efrosgans.eecs.berkeley.edu/cyclegan/pretrained_models"

// runZoo implements `cyclegan zoo [--dir models] [--dtype int8] MODEL`.
func runZoo(args []string) error { return zoo(os.Stdout, os.Stderr, args) }

func zoo(stdout, stderr io.Writer, args []string) error {
	fs := flag.NewFlagSet("zoo", flag.ContinueOnError)
	dir := fs.String("dir", "models", "`folder` for the weight file; the checkpoint goes to DIR/pretrained/MODEL.pth")
	out := fs.String("o", "", "output weight `file` (default DIR/MODEL.cgw)")
	dtype := fs.String("dtype", weights.DefaultStorage.String(), "weight `storage`: int8, f16 or f32")
	base := fs.String("base", "", "base `URL` of the pretrained models (default $CYCLEGAN_ZOO_URL or "+zooURL+")")
	force := fs.Bool("force", false, "download again even if DIR/MODEL.pth exists")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `usage: cyclegan zoo [--dir models] [--dtype int8|f16|f32] MODEL

Downloads the official pretrained CycleGAN generator MODEL.pth (as the
official scripts/download_cyclegan_model.sh does; this needs the network)
into DIR/pretrained/ and imports it into DIR/MODEL.cgw (so that
`+"`make site`"+` publishes it). Models:
  %s
`, strings.Join(zooModels, "\n  "))
		fs.PrintDefaults()
	}
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fs.Usage()
		return fmt.Errorf("need one model name")
	}
	model := rest[0]
	known := false
	for _, m := range zooModels {
		known = known || m == model
	}
	if !known {
		return fmt.Errorf("unknown model %q; the pretrained models are: %s", model, strings.Join(zooModels, ", "))
	}
	if _, ok := weights.ParseStorage(*dtype); !ok {
		return fmt.Errorf("--dtype %q: want int8, f16 or f32", *dtype)
	}
	if *base == "" {
		*base = os.Getenv("CYCLEGAN_ZOO_URL")
	}
	if *base == "" {
		*base = zooURL
	}
	if *out == "" {
		*out = filepath.Join(*dir, model+".cgw")
	}
	// The checkpoint lives in a subfolder: the site builder takes every
	// file of DIR for a weight file.
	if err := os.MkdirAll(filepath.Join(*dir, "pretrained"), 0o755); err != nil {
		return err
	}
	url := strings.TrimSuffix(*base, "/") + "/" + model + ".pth"
	ckpt := filepath.Join(*dir, "pretrained", model+".pth")
	if _, err := os.Stat(ckpt); err == nil && !*force {
		fmt.Fprintf(stdout, "Using %s (already downloaded; --force downloads it again)\n", ckpt)
	} else if err := download(stderr, url, ckpt, model); err != nil {
		return err
	}
	from, to := zooDomains(model)
	f, err := pth.Import(pth.Options{
		Name: model, From: from, To: to, Storage: *dtype,
		License: "pretrained by the CycleGAN authors (Zhu, Park, Isola, Efros), downloaded from " + url +
			"; see https://github.com/junyanz/pytorch-CycleGAN-and-pix2pix for terms",
	}, pth.Input{Key: "G_A", Path: ckpt})
	if err != nil {
		return err
	}
	if err := weights.WriteFile(*out, f); err != nil {
		return err
	}
	return describeImport(stdout, *out, f, []pth.Input{{Key: "G_A", Path: ckpt}})
}

// download fetches url into path with a progress bar; a failed or short
// download leaves nothing behind.
func download(progress io.Writer, url, path, label string) error {
	client := &http.Client{Timeout: 30 * time.Minute}
	resp, err := client.Get(url)
	if err != nil {
		return fmt.Errorf("download %s: %w (the zoo needs the network)", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("download %s: %s", url, resp.Status)
	}
	return atomicfile.Write(path, ".part*", func(tmp *os.File) error {
		bar := progressbar.NewOptions64(resp.ContentLength,
			progressbar.OptionSetWriter(progress),
			progressbar.OptionSetDescription("downloading "+label),
			progressbar.OptionShowBytes(true),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionShowCount(),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(progress) }),
			progressbar.OptionSpinnerType(14),
			progressbar.OptionFullWidth(),
		)
		n, err := io.Copy(io.MultiWriter(tmp, bar), io.LimitReader(resp.Body, pth.MaxCheckpointSize+1))
		if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
			err = fmt.Errorf("got %d of %d bytes", n, resp.ContentLength)
		}
		if err == nil && n > pth.MaxCheckpointSize {
			err = fmt.Errorf("larger than %d bytes", int64(pth.MaxCheckpointSize))
		}
		if err != nil {
			return fmt.Errorf("download %s: %w", url, err)
		}
		bar.Finish()
		return nil
	})
}

// zooDomains names the two domains of a pretrained model: "horse2zebra" ->
// horse, zebra; "summer2winter_yosemite" -> summer, winter;
// "cityscapes_photo2label" -> photo, label; "style_monet" -> photo, monet.
func zooDomains(model string) (from, to string) {
	if s, ok := strings.CutPrefix(model, "style_"); ok {
		return "photo", s
	}
	for _, field := range strings.Split(model, "_") {
		if a, b, ok := strings.Cut(field, "2"); ok {
			return a, b
		}
	}
	return "", ""
}
