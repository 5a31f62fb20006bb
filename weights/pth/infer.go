package pth

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/cyclegan-go/cyclegan/weights"
)

// staleSuffixes are InstanceNorm buffers that PyTorch < 0.4 saved; the
// official loader (BaseModel.__patch_instance_norm_state_dict) deletes them.
var staleSuffixes = []string{".running_mean", ".running_var", ".num_batches_tracked"}

var blockKey = regexp.MustCompile(`^model\.(\d+)\.conv_block\.(\d+)\.weight$`)

// Generator infers the architecture of an official ResnetGenerator from the
// keys and shapes of its state_dict and returns its tensors in state_dict
// order. It strips a "module." prefix (DataParallel) and drops stale
// InstanceNorm buffers.
func Generator(ck *Checkpoint) (weights.Arch, []weights.Tensor, error) {
	entries, err := generatorEntries(ck)
	if err != nil {
		return weights.Arch{}, nil, err
	}
	arch, err := inferArch(entries)
	if err != nil {
		return weights.Arch{}, nil, err
	}
	tensors, err := readTensors(entries, arch)
	if err != nil {
		return weights.Arch{}, nil, err
	}
	if err := noUnusedEntries(entries, arch); err != nil {
		return weights.Arch{}, nil, err
	}
	return arch, tensors, nil
}

// entryMap is a generator's state_dict by key, without the "module."
// prefix and the stale buffers.
type entryMap map[string]*Entry

// shape is the shape of key, nil if absent.
func (m entryMap) shape(key string) []int {
	if e, ok := m[key]; ok {
		return e.Shape
	}
	return nil
}

// generatorEntries maps the checkpoint's entries by key, refusing a key
// that appears twice once "module." is stripped.
func generatorEntries(ck *Checkpoint) (entryMap, error) {
	m := entryMap{}
	for i := range ck.Entries {
		e := &ck.Entries[i]
		key := strings.TrimPrefix(e.Key, "module.")
		if isStale(key) {
			continue
		}
		if _, dup := m[key]; dup {
			return nil, fmt.Errorf("%w: key %q appears twice", ErrArchitecture, key)
		}
		m[key] = e
	}
	return m, nil
}

func isStale(key string) bool {
	for _, s := range staleSuffixes {
		if strings.HasSuffix(key, s) {
			return true
		}
	}
	return false
}

// inferArch reads the architecture off the shapes: the first convolution
// gives ngf and the input channels, the residual blocks their number and
// layout, the last convolution the output channels.
func inferArch(m entryMap) (weights.Arch, error) {
	switch {
	case m.shape("model.model.0.weight") != nil || m.shape("model.model.1.model.0.weight") != nil:
		return weights.Arch{}, fmt.Errorf("%w: a U-Net generator (only resnet generators are supported)", ErrArchitecture)
	case m.shape("model.2.weight") != nil:
		return weights.Arch{}, fmt.Errorf("%w: the norm layers have weights (batch norm?); only InstanceNorm without affine parameters is supported", ErrArchitecture)
	}
	first := m.shape("model.1.weight")
	if len(first) != 4 || first[2] != 7 || first[3] != 7 {
		return weights.Arch{}, fmt.Errorf("%w: no 7x7 model.1.weight (found %v)", ErrArchitecture, first)
	}
	ngf, inNC := first[0], first[1]
	nb, dropout, err := residualBlocks(m)
	if err != nil {
		return weights.Arch{}, err
	}
	lastKey := "model." + strconv.Itoa(17+nb) + ".weight"
	last := m.shape(lastKey)
	if len(last) != 4 {
		return weights.Arch{}, fmt.Errorf("%w: no %s for %d residual blocks", ErrArchitecture, lastKey, nb)
	}
	arch := weights.NewArch(inNC, last[0], ngf, nb, dropout)
	if err := arch.Validate(); err != nil {
		return weights.Arch{}, fmt.Errorf("%w: %v", ErrArchitecture, err)
	}
	return arch, nil
}

// residualBlocks counts the blocks model.10, model.11, ... and tells the
// layout of their second convolution: conv_block.5, or conv_block.6 after
// a dropout layer.
func residualBlocks(m entryMap) (n int, dropout bool, err error) {
	blocks := map[int]bool{}
	seconds := map[int]bool{}
	for key := range m {
		if sub := blockKey.FindStringSubmatch(key); sub != nil {
			b, _ := strconv.Atoi(sub[1])
			c, _ := strconv.Atoi(sub[2])
			blocks[b] = true
			if c != 1 {
				seconds[c] = true
			}
		}
	}
	n = len(blocks)
	for b := range blocks {
		if b < 10 || b >= 10+n {
			return 0, false, fmt.Errorf("%w: residual block at model.%d (blocks must be model.10 to model.%d)", ErrArchitecture, b, 9+n)
		}
	}
	if n == 0 {
		return 0, false, nil
	}
	switch {
	case len(seconds) == 1 && seconds[5]:
		return n, false, nil
	case len(seconds) == 1 && seconds[6]:
		return n, true, nil
	}
	return 0, false, fmt.Errorf("%w: residual blocks have convolutions at %v (want 1 and 5, or 1 and 6 with dropout)", ErrArchitecture, keysOf(seconds))
}

// readTensors reads the tensors arch needs, in the order of
// weights.Arch.Tensors, checking their shapes and values.
func readTensors(m entryMap, arch weights.Arch) ([]weights.Tensor, error) {
	specs := arch.Tensors()
	tensors := make([]weights.Tensor, len(specs))
	for i, s := range specs {
		e, ok := m[s.Name]
		if !ok {
			return nil, fmt.Errorf("%w: %s is missing (inferred %s)", ErrArchitecture, s.Name, describe(arch))
		}
		if !slices.Equal(e.Shape, s.Shape) {
			return nil, fmt.Errorf("%w: %s has shape %v, %s needs %v", ErrArchitecture, s.Name, e.Shape, describe(arch), s.Shape)
		}
		data, err := e.Float32()
		if err != nil {
			return nil, err
		}
		for j, v := range data {
			if v != v || v > 3.4e38 || v < -3.4e38 {
				return nil, fmt.Errorf("%w: %s element %d is %v", weights.ErrNonFinite, s.Name, j, v)
			}
		}
		tensors[i] = weights.Tensor{Name: s.Name, Shape: append([]int(nil), s.Shape...), Data: data}
	}
	return tensors, nil
}

// noUnusedEntries refuses entries arch does not use.
func noUnusedEntries(m entryMap, arch weights.Arch) error {
	used := map[string]bool{}
	for _, s := range arch.Tensors() {
		used[s.Name] = true
	}
	var extra []string
	for key := range m {
		if !used[key] {
			extra = append(extra, key)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return fmt.Errorf("%w: unexpected entries %v for %s", ErrArchitecture, extra, describe(arch))
	}
	return nil
}

func describe(a weights.Arch) string {
	s := fmt.Sprintf("a resnet generator %d->%d channels, ngf %d, %d blocks", a.InputNC, a.OutputNC, a.NGF, a.NBlocks)
	if a.Dropout {
		s += " with dropout"
	}
	return s
}

func keysOf(m map[int]bool) []int {
	var out []int
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}
