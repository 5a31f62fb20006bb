package translate

import (
	"fmt"
	"sort"

	"github.com/cyclegan-go/cyclegan/nn"
	"github.com/cyclegan-go/cyclegan/weights"
)

// Direction is one generator of a model as the page names it.
type Direction struct {
	ID    string // "AtoB" for generator G_A, "BtoA" for G_B (the official --direction names), else the key
	Label string // "summer → winter" when the file names its domains, else "A → B"
	Key   string // the generator's key in the weight file ("G_A")
}

// DirectionID maps a generator key to the direction name the page and
// models.json use.
func DirectionID(key string) string {
	switch key {
	case "G_A":
		return "AtoB"
	case "G_B":
		return "BtoA"
	}
	return key
}

// Model is a decoded weight file, ready to translate: one generator per
// direction, with frozen (inference-only) weights.
type Model struct {
	Name       string
	Directions []Direction
	gens       map[string]*nn.Generator
}

// Directions lists the directions of a weight file without building the
// generators (for publishing).
func Directions(f *weights.File) []Direction {
	var ds []Direction
	for _, g := range f.Meta.Generators {
		d := Direction{ID: DirectionID(g.Key), Key: g.Key, Label: "A → B"}
		if g.Key == "G_B" {
			d.Label = "B → A"
		}
		if g.From != "" && g.To != "" {
			d.Label = g.From + " → " + g.To
		}
		ds = append(ds, d)
	}
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].ID < ds[j].ID })
	return ds
}

// NewModel builds the generators of a decoded weight file. The tensors are
// copied by state_dict key and every key and shape is checked.
func NewModel(f *weights.File) (*Model, error) {
	m := &Model{Name: f.Meta.Name, Directions: Directions(f), gens: map[string]*nn.Generator{}}
	for i, gm := range f.Meta.Generators {
		a := gm.Arch
		if a.InputNC != 3 || a.OutputNC != 3 {
			return nil, fmt.Errorf("generator %s translates %d to %d channels; only RGB (3 to 3) images are supported", gm.Key, a.InputNC, a.OutputNC)
		}
		g := nn.NewResnetGenerator(nn.GeneratorConfig{InputNC: a.InputNC, OutputNC: a.OutputNC, NGF: a.NGF, NBlocks: a.NBlocks, Dropout: a.Dropout})
		if i >= len(f.Weights) {
			return nil, fmt.Errorf("generator %s has no tensors", gm.Key)
		}
		byName := map[string]weights.Tensor{}
		for _, t := range f.Weights[i] {
			byName[t.Name] = t
		}
		params := g.Params()
		if len(params) != len(byName) {
			return nil, fmt.Errorf("generator %s has %d tensors, the architecture needs %d", gm.Key, len(byName), len(params))
		}
		for _, p := range params {
			t, ok := byName[p.Key]
			if !ok {
				return nil, fmt.Errorf("generator %s lacks tensor %s", gm.Key, p.Key)
			}
			if len(t.Data) != len(p.Param.Value.Data) {
				return nil, fmt.Errorf("generator %s tensor %s has %d values, want %d", gm.Key, p.Key, len(t.Data), len(p.Param.Value.Data))
			}
			copy(p.Param.Value.Data, t.Data)
		}
		g.Freeze()
		m.gens[DirectionID(gm.Key)] = g
	}
	return m, nil
}

// Generator returns the generator of a direction ("AtoB", or a key such as "G_A").
func (m *Model) Generator(direction string) (*nn.Generator, bool) {
	if g, ok := m.gens[direction]; ok {
		return g, true
	}
	g, ok := m.gens[DirectionID(direction)]
	return g, ok
}

// DirectionIDs lists the direction names.
func (m *Model) DirectionIDs() []string {
	ids := make([]string, len(m.Directions))
	for i, d := range m.Directions {
		ids[i] = d.ID
	}
	return ids
}
