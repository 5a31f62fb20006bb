package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/cyclegan-go/cyclegan/nn"
	"github.com/cyclegan-go/cyclegan/trainer/train"
	"github.com/cyclegan-go/cyclegan/weights"
)

// loadGenerator reads a weight file and returns the generator for key
// ("G_A" or "G_B"); a file with a single generator serves either key.
func loadGenerator(path, key string) (*nn.Generator, error) {
	g, _, err := loadGeneratorMeta(path, key)
	return g, err
}

// loadGeneratorMeta is loadGenerator that also returns the generator's
// metadata (its key and the names of the domains it translates between).
func loadGeneratorMeta(path, key string) (*nn.Generator, weights.GeneratorMeta, error) {
	f, err := weights.ReadFile(path)
	if err != nil {
		return nil, weights.GeneratorMeta{}, err
	}
	i := f.Meta.Generator(key)
	if i < 0 {
		if len(f.Meta.Generators) != 1 {
			return nil, weights.GeneratorMeta{}, fmt.Errorf("%s: no generator %q", path, key)
		}
		i = 0
	}
	g, err := f.Generator(i)
	if err != nil {
		return nil, weights.GeneratorMeta{}, fmt.Errorf("%s: %v", path, err)
	}
	return g, f.Meta.Generators[i], nil
}

// initGenerators implements --init_g, --init_g_a, --init_g_b: the
// generators start from a weight file; the discriminators stay fresh.
func initGenerators(o *train.Options, m *train.Model) error {
	a, b := o.InitGA, o.InitGB
	if o.InitG != "" {
		a, b = o.InitG, o.InitG
	}
	for _, x := range []struct {
		path, key string
		dst       *nn.Generator
	}{{a, "G_A", m.GA}, {b, "G_B", m.GB}} {
		if x.path == "" {
			continue
		}
		g, err := loadGenerator(x.path, x.key)
		if err != nil {
			return err
		}
		if g.Config() != x.dst.Config() {
			return fmt.Errorf("%s: generator %s is %+v, but the options ask for %+v (set --ngf/--netG to match)", x.path, x.key, g.Config(), x.dst.Config())
		}
		src, dst := g.Params(), x.dst.Params()
		for i := range dst {
			copy(dst[i].Param.Value.Data, src[i].Param.Value.Data)
		}
	}
	return nil
}

// exportState writes the two generators of a checkpoint as a weight file;
// license (may be empty) is recorded in its metadata, and notes (may be
// empty) is added to the notes on the options.
func exportState(st *train.State, out, storage, license, notes string) error {
	if _, ok := weights.ParseStorage(storage); !ok {
		return fmt.Errorf("--dtype %q: want int8, f16 or f32", storage)
	}
	o := st.Options
	cfg, err := o.GeneratorConfig()
	if err != nil {
		return err
	}
	f := &weights.File{Meta: weights.Meta{
		Name:    o.Name,
		Storage: storage,
		Provenance: weights.Provenance{
			Source: "trained", Trainer: "cyclegan-go train", Iterations: int64(st.Steps),
			Epochs: st.Epoch - o.EpochCount, Date: weights.Now(), License: license,
			Notes: fmt.Sprintf("netG %s ngf %d, load %d crop %d, lambda_A %g lambda_B %g lambda_identity %g, lr %g%s, exported %s",
				o.NetG, o.NGF, o.LoadSize, o.CropSize, o.LambdaA, o.LambdaB, o.LambdaIdentity, o.LR, upsampleNotes(&o)+notes, time.Now().UTC().Format(time.RFC3339)),
		},
		TrainingScale: &weights.TrainingScale{Preprocess: o.Preprocess, LoadSize: o.LoadSize, CropSize: o.CropSize},
	}}
	from, to := domainNames(&o)
	for _, x := range []struct{ key, from, to string }{{"G_A", from, to}, {"G_B", to, from}} {
		g := nn.NewResnetGenerator(cfg)
		arrs := st.Nets[x.key]
		ps := g.Params()
		if len(arrs) != len(ps) {
			return fmt.Errorf("checkpoint holds %d tensors for %s, want %d", len(arrs), x.key, len(ps))
		}
		for i, p := range ps {
			copy(p.Param.Value.Data, arrs[i].Data)
		}
		f.AddGenerator(x.key, x.from, x.to, g)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return weights.WriteFile(out, f)
}

// domainNames guesses the domain names from the data folders ("A"/"B"
// when nothing better is known).
func domainNames(o *train.Options) (a, b string) {
	if o.DirA != "" && o.DirB != "" {
		a, b = filepath.Base(filepath.Clean(o.DirA)), filepath.Base(filepath.Clean(o.DirB))
	} else {
		a, b = "A", "B"
	}
	if o.Direction == "BtoA" {
		a, b = b, a
	}
	return a, b
}

// upsampleNotes names the non-official upsampling options a run used, for
// the weight file's notes ("" for the official method).
func upsampleNotes(o *train.Options) string {
	var s string
	if o.InitUpsample != "" && o.InitUpsample != "normal" {
		s += ", init_upsample " + o.InitUpsample
	}
	if o.BalanceUpsample {
		s += ", balance_upsample"
	}
	return s
}
