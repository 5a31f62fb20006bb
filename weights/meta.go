package weights

import (
	"fmt"
	"time"
)

// Meta is the metadata block of a weight file (stored as JSON).
type Meta struct {
	Name       string          `json:"name,omitempty"` // e.g. "shine2sunrise"
	Storage    string          `json:"storage"`        // "f32", "f16" or "int8"
	Generators []GeneratorMeta `json:"generators"`     // one direction or both
	Provenance Provenance      `json:"provenance"`
	// TrainingScale is how the training photos were scaled; nil in files
	// that do not record it (training_scale.go).
	TrainingScale *TrainingScale `json:"training_scale,omitempty"`
}

// GeneratorMeta describes one generator: what it translates and its architecture.
type GeneratorMeta struct {
	Key  string `json:"key"`            // "G_A" (translates A to B) or "G_B"
	From string `json:"from,omitempty"` // source domain name, e.g. "shine"
	To   string `json:"to,omitempty"`   // target domain name, e.g. "sunrise"
	Arch Arch   `json:"architecture"`
}

// Provenance says where the weights come from.
type Provenance struct {
	Source     string   `json:"source"`               // "trained" or "imported"
	Imported   []string `json:"imported,omitempty"`   // checkpoint file names, for imports
	Trainer    string   `json:"trainer,omitempty"`    // program and version that wrote the file
	Iterations int64    `json:"iterations,omitempty"` // training iterations
	Epochs     int      `json:"epochs,omitempty"`     // training epochs
	Date       string   `json:"date,omitempty"`       // RFC 3339
	License    string   `json:"license,omitempty"`    // licence of the weights
	Notes      string   `json:"notes,omitempty"`      // free text
}

// Now is the date format used in Provenance.Date.
func Now() string { return time.Now().UTC().Format(time.RFC3339) }

// Validate checks what the reader needs before it trusts the tensors.
func (m *Meta) Validate() error {
	if _, ok := ParseStorage(m.Storage); !ok {
		return fmt.Errorf("%w: unknown storage %q", ErrMetadata, m.Storage)
	}
	if len(m.Generators) < 1 || len(m.Generators) > maxGenerators {
		return fmt.Errorf("%w: %d generators (want 1 or 2)", ErrMetadata, len(m.Generators))
	}
	seen := map[string]bool{}
	params := 0
	for i, g := range m.Generators {
		if g.Key == "" {
			return fmt.Errorf("%w: generator %d has no key", ErrMetadata, i)
		}
		if seen[g.Key] {
			return fmt.Errorf("%w: generator key %q repeated", ErrMetadata, g.Key)
		}
		seen[g.Key] = true
		if err := g.Arch.Validate(); err != nil {
			return fmt.Errorf("generator %q: %w", g.Key, err)
		}
		params += g.Arch.Params()
	}
	if params > MaxParams {
		return fmt.Errorf("%w: %d parameters exceed the ceiling of %d", ErrLength, params, MaxParams)
	}
	if m.TrainingScale != nil {
		return m.TrainingScale.Validate()
	}
	return nil
}

// Generator returns the index of the generator with the given key, or -1.
func (m *Meta) Generator(key string) int {
	for i, g := range m.Generators {
		if g.Key == key {
			return i
		}
	}
	return -1
}
