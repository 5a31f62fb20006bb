package site

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cyclegan-go/cyclegan/weights/atomicfile"
)

// Manifest is models.json: the models a built site offers.
type Manifest struct {
	Models []Model `json:"models"`
}

// Model is one entry of models.json.
type Model struct {
	Name       string            `json:"name"`             // shown in the model picker; unique
	Directions []string          `json:"directions"`       // "AtoB", "BtoA"
	Labels     map[string]string `json:"labels,omitempty"` // direction -> "summer → winter"
	File       string            `json:"file"`             // path relative to the site, e.g. "models/x.cgw"
	Bytes      int64             `json:"bytes"`            // size of the file
	SHA256     string            `json:"sha256"`           // hex SHA-256 of the file
}

// ReadManifest reads dir/models.json; a missing file is an empty manifest.
func ReadManifest(dir string) (*Manifest, error) {
	path := filepath.Join(dir, ManifestName)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &Manifest{Models: []Model{}}, nil
	}
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if m.Models == nil {
		m.Models = []Model{}
	}
	return &m, nil
}

// Put adds e, replacing an entry of the same name.
func (m *Manifest) Put(e Model) {
	for i := range m.Models {
		if m.Models[i].Name == e.Name {
			m.Models[i] = e
			return
		}
	}
	m.Models = append(m.Models, e)
}

// WriteManifest writes dir/models.json atomically.
func WriteManifest(dir string, m *Manifest) error {
	b, err := m.encode()
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(filepath.Join(dir, ManifestName), b)
}

// encode is the content of models.json for m.
func (m *Manifest) encode() ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
