package translate

import (
	"fmt"
	"io"

	"github.com/cyclegan-go/cyclegan/weights"
)

// Model is a weight file ready to translate: one frozen generator per
// direction. It is safe for concurrent use.
type Model struct {
	Meta        weights.Meta // the file's metadata (name, provenance, architectures)
	Directions  []Direction  // AtoB before BtoA
	translators []*Translator
}

// Open reads the weight file at path and builds its generators; errors name
// the file.
func Open(path string) (*Model, error) {
	f, err := weights.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := New(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Read decodes a weight file from r and builds its generators.
func Read(r io.Reader) (*Model, error) {
	f, err := weights.Read(r)
	if err != nil {
		return nil, err
	}
	return New(f)
}

// New builds the generators of a decoded weight file (every tensor's name
// and shape checked against the architecture) and freezes them for
// inference. Only generators of grey (1) or colour (3) channels in and out
// can translate photos; any other is refused here, for every user alike.
func New(f *weights.File) (*Model, error) {
	m := &Model{Meta: f.Meta, Directions: Directions(&f.Meta)}
	for _, d := range m.Directions {
		i := f.Meta.Generator(d.Key)
		cfg := f.Meta.Generators[i].Arch.GeneratorConfig
		if !photoChannels(cfg.InputNC) || !photoChannels(cfg.OutputNC) {
			return nil, fmt.Errorf("generator %s (%s) translates %d-channel images into %d-channel ones; only 1 (grey) or 3 (colour) channels in and out can be photos",
				d.Key, d.Label, cfg.InputNC, cfg.OutputNC)
		}
		g, err := f.Generator(i)
		if err != nil {
			return nil, err
		}
		g.Freeze()
		m.translators = append(m.translators, &Translator{Direction: d, gen: g, training: f.Meta.TrainingScale})
	}
	return m, nil
}

// photoChannels reports whether an image of c channels is a photo.
func photoChannels(c int) bool { return c == 1 || c == 3 }

// Name is the model's name from its metadata.
func (m *Model) Name() string { return m.Meta.Name }

// Translator returns the translator of a direction: "AtoB", "BtoA", a key
// ("G_A") or the domain names ("Sunny → Sunset"). The error says what the
// file has, e.g. "translates Sunny → Sunset only".
func (m *Model) Translator(direction string) (*Translator, error) {
	for _, t := range m.translators {
		if t.Direction.names(direction) {
			return t, nil
		}
	}
	if len(m.translators) == 1 {
		return nil, fmt.Errorf("no direction %q: this file translates %s only (%s)", direction, m.Directions[0].Label, m.Directions[0].ID)
	}
	return nil, fmt.Errorf("no direction %q: this file has %s", direction, describe(m.Directions))
}

// DirectionIDs lists the direction names, AtoB before BtoA.
func (m *Model) DirectionIDs() []string {
	ids := make([]string, len(m.Directions))
	for i, d := range m.Directions {
		ids[i] = d.ID
	}
	return ids
}
