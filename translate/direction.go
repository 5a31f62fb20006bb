package translate

import (
	"sort"
	"strings"

	"github.com/cyclegan-go/cyclegan/weights"
)

// Direction is one generator of a weight file, as users name it.
type Direction struct {
	ID       string // "AtoB" for generator G_A, "BtoA" for G_B (the official --direction names), else the key
	Key      string // the generator's key in the weight file ("G_A")
	From, To string // the domain names the file records ("Sunny", "Sunset"); empty when it records none
	Label    string // "Sunny → Sunset" when the file names its domains, else "A → B" or "B → A"
}

// DirectionID maps a generator key to its direction name.
func DirectionID(key string) string {
	switch key {
	case "G_A":
		return "AtoB"
	case "G_B":
		return "BtoA"
	}
	return key
}

// directionOf describes the generator gm of a weight file.
func directionOf(gm weights.GeneratorMeta) Direction {
	d := Direction{ID: DirectionID(gm.Key), Key: gm.Key, From: gm.From, To: gm.To}
	switch {
	case gm.From != "" && gm.To != "":
		d.Label = gm.From + " → " + gm.To
	case gm.Key == "G_B":
		d.Label = "B → A"
	default:
		d.Label = "A → B"
	}
	return d
}

// Directions lists the directions of a weight file's metadata, AtoB before
// BtoA, without building any generator.
func Directions(m *weights.Meta) []Direction {
	ds := make([]Direction, len(m.Generators))
	for i, gm := range m.Generators {
		ds[i] = directionOf(gm)
	}
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].ID < ds[j].ID })
	return ds
}

// names reports whether name names d: its ID or key exactly, or its
// domains as "From → To", "From->To" or "From2To" (case and spaces aside).
func (d Direction) names(name string) bool {
	if name == d.ID || name == d.Key {
		return true
	}
	if d.From == "" || d.To == "" {
		return false
	}
	n := strings.ToLower(strings.ReplaceAll(name, " ", ""))
	from, to := strings.ToLower(strings.ReplaceAll(d.From, " ", "")), strings.ToLower(strings.ReplaceAll(d.To, " ", ""))
	for _, sep := range []string{"→", "->", "2"} {
		if n == from+sep+to {
			return true
		}
	}
	return false
}

// describe lists directions for an error message: "AtoB (Sunny → Sunset),
// BtoA (Sunset → Sunny)".
func describe(ds []Direction) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.ID + " (" + d.Label + ")"
	}
	return strings.Join(parts, ", ")
}
