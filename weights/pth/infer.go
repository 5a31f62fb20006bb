package pth

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/cyclegan-go/cyclegan/weights"
)

// ErrArchitecture is returned for a state_dict that is not an official
// ResnetGenerator with InstanceNorm.
var ErrArchitecture = errors.New("checkpoint is not a supported CycleGAN generator")

// staleSuffixes are InstanceNorm buffers that PyTorch < 0.4 saved; the
// official loader (BaseModel.__patch_instance_norm_state_dict) deletes them.
var staleSuffixes = []string{".running_mean", ".running_var", ".num_batches_tracked"}

var blockKey = regexp.MustCompile(`^model\.(\d+)\.conv_block\.(\d+)\.weight$`)

// Generator infers the architecture of an official ResnetGenerator from the
// keys and shapes of its state_dict and returns its tensors in state_dict
// order. It strips a "module." prefix (DataParallel) and drops stale
// InstanceNorm buffers.
func Generator(ck *Checkpoint) (weights.Arch, []weights.Tensor, error) {
	byKey := map[string]*Entry{}
	for i := range ck.Entries {
		e := &ck.Entries[i]
		key := strings.TrimPrefix(e.Key, "module.")
		stale := false
		for _, s := range staleSuffixes {
			stale = stale || strings.HasSuffix(key, s)
		}
		if stale {
			continue
		}
		if _, dup := byKey[key]; dup {
			return weights.Arch{}, nil, fmt.Errorf("%w: key %q appears twice", ErrArchitecture, key)
		}
		byKey[key] = e
	}
	shape := func(key string) []int {
		if e, ok := byKey[key]; ok {
			return e.Shape
		}
		return nil
	}
	switch {
	case shape("model.model.0.weight") != nil || shape("model.model.1.model.0.weight") != nil:
		return weights.Arch{}, nil, fmt.Errorf("%w: a U-Net generator (only resnet generators are supported)", ErrArchitecture)
	case shape("model.2.weight") != nil:
		return weights.Arch{}, nil, fmt.Errorf("%w: the norm layers have weights (batch norm?); only InstanceNorm without affine parameters is supported", ErrArchitecture)
	}
	first := shape("model.1.weight")
	if len(first) != 4 || first[2] != 7 || first[3] != 7 {
		return weights.Arch{}, nil, fmt.Errorf("%w: no 7x7 model.1.weight (found %v)", ErrArchitecture, first)
	}
	ngf, inNC := first[0], first[1]

	blocks := map[int]bool{}
	seconds := map[int]bool{}
	for key := range byKey {
		if m := blockKey.FindStringSubmatch(key); m != nil {
			b, _ := strconv.Atoi(m[1])
			c, _ := strconv.Atoi(m[2])
			blocks[b] = true
			if c != 1 {
				seconds[c] = true
			}
		}
	}
	nb := len(blocks)
	for b := range blocks {
		if b < 10 || b >= 10+nb {
			return weights.Arch{}, nil, fmt.Errorf("%w: residual block at model.%d (blocks must be model.10 to model.%d)", ErrArchitecture, b, 9+nb)
		}
	}
	dropout := false
	if nb > 0 {
		switch {
		case len(seconds) == 1 && seconds[5]:
		case len(seconds) == 1 && seconds[6]:
			dropout = true
		default:
			return weights.Arch{}, nil, fmt.Errorf("%w: residual blocks have convolutions at %v (want 1 and 5, or 1 and 6 with dropout)", ErrArchitecture, keysOf(seconds))
		}
	}
	lastKey := "model." + strconv.Itoa(17+nb) + ".weight"
	last := shape(lastKey)
	if len(last) != 4 {
		return weights.Arch{}, nil, fmt.Errorf("%w: no %s for %d residual blocks", ErrArchitecture, lastKey, nb)
	}
	arch := weights.NewArch(inNC, last[0], ngf, nb, dropout)
	if err := arch.Validate(); err != nil {
		return weights.Arch{}, nil, fmt.Errorf("%w: %v", ErrArchitecture, err)
	}

	specs := arch.Tensors()
	used := map[string]bool{}
	tensors := make([]weights.Tensor, len(specs))
	for i, s := range specs {
		e, ok := byKey[s.Name]
		if !ok {
			return weights.Arch{}, nil, fmt.Errorf("%w: %s is missing (inferred %s)", ErrArchitecture, s.Name, describe(arch))
		}
		if !slices.Equal(e.Shape, s.Shape) {
			return weights.Arch{}, nil, fmt.Errorf("%w: %s has shape %v, %s needs %v", ErrArchitecture, s.Name, e.Shape, describe(arch), s.Shape)
		}
		data, err := e.Float32()
		if err != nil {
			return weights.Arch{}, nil, err
		}
		for j, v := range data {
			if v != v || v > 3.4e38 || v < -3.4e38 {
				return weights.Arch{}, nil, fmt.Errorf("%w: %s element %d is %v", weights.ErrNonFinite, s.Name, j, v)
			}
		}
		tensors[i] = weights.Tensor{Name: s.Name, Shape: append([]int(nil), s.Shape...), Data: data}
		used[s.Name] = true
	}
	var extra []string
	for key := range byKey {
		if !used[key] {
			extra = append(extra, key)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return weights.Arch{}, nil, fmt.Errorf("%w: unexpected entries %v for %s", ErrArchitecture, extra, describe(arch))
	}
	return arch, tensors, nil
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
