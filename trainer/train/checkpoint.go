package train

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/cyclegan-go/cyclegan/weights/atomicfile"
)

// State is everything a run needs to continue exactly where it stopped.
type State struct {
	Options    Options
	Epoch      int    // epoch to continue in (1-based)
	Iter       int    // next iteration within that epoch (0-based)
	TotalIters int    // training images seen so far (official total_iters)
	Steps      int    // iterations done so far
	RNG        []byte // the pool's random generator (PCG MarshalBinary)

	Nets  map[string][]NamedArray // G_A, G_B, D_A, D_B in state_dict order
	AdamG AdamState
	AdamD AdamState
	PoolA [][]float32
	PoolB [][]float32
}

// NamedArray is one tensor of a network.
type NamedArray struct {
	Key   string
	Shape []int
	Data  []float32
}

// AdamState is an optimizer's step count and moments.
type AdamState struct {
	Step int
	M, V [][]float32
}

// CheckpointMagic starts every checkpoint file.
const CheckpointMagic = ckptMagic

// The file: magic, uint64 header length, JSON header (State with every
// float array replaced by its length), the float32 arrays little-endian in
// header order, then the SHA-256 of everything before it.
const ckptMagic = "CGGOCKP1"

type ckptHeader struct {
	Options    Options
	Epoch      int
	Iter       int
	TotalIters int
	Steps      int
	RNG        []byte
	Nets       map[string][]arrayInfo
	AdamG      adamInfo
	AdamD      adamInfo
	PoolA      []int
	PoolB      []int
}

type arrayInfo struct {
	Key   string
	Shape []int
}

type adamInfo struct {
	Step int
	M, V []int
}

// Encode serialises s into the checkpoint format.
func (s *State) Encode() []byte {
	var b bytes.Buffer
	b.Grow(int(s.encodedSize()))
	s.WriteTo(&b) // a bytes.Buffer does not fail
	return b.Bytes()
}

// layout returns the file's JSON header and the float arrays that follow
// it, in file order.
func (s *State) layout() (header []byte, arrays [][]float32) {
	h := ckptHeader{Options: s.Options, Epoch: s.Epoch, Iter: s.Iter, TotalIters: s.TotalIters, Steps: s.Steps, RNG: s.RNG,
		Nets: map[string][]arrayInfo{}, AdamG: adamInfo{Step: s.AdamG.Step}, AdamD: adamInfo{Step: s.AdamD.Step}}
	for _, name := range NetNames {
		for _, a := range s.Nets[name] {
			h.Nets[name] = append(h.Nets[name], arrayInfo{a.Key, a.Shape})
			arrays = append(arrays, a.Data)
		}
	}
	for _, ai := range []struct {
		st   *AdamState
		info *adamInfo
	}{{&s.AdamG, &h.AdamG}, {&s.AdamD, &h.AdamD}} {
		for _, m := range ai.st.M {
			ai.info.M = append(ai.info.M, len(m))
			arrays = append(arrays, m)
		}
		for _, v := range ai.st.V {
			ai.info.V = append(ai.info.V, len(v))
			arrays = append(arrays, v)
		}
	}
	for _, im := range s.PoolA {
		h.PoolA = append(h.PoolA, len(im))
		arrays = append(arrays, im)
	}
	for _, im := range s.PoolB {
		h.PoolB = append(h.PoolB, len(im))
		arrays = append(arrays, im)
	}
	hj, err := json.Marshal(h)
	if err != nil {
		panic(err) // plain data; cannot fail
	}
	return hj, arrays
}

// DecodeState parses and verifies a checkpoint's bytes.
func DecodeState(b []byte) (*State, error) {
	if len(b) < len(ckptMagic)+8+sha256.Size || string(b[:len(ckptMagic)]) != ckptMagic {
		return nil, errors.New("not a checkpoint (bad magic or too short)")
	}
	body, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, errors.New("checksum mismatch (truncated or corrupt)")
	}
	hl := binary.LittleEndian.Uint64(body[len(ckptMagic):])
	rest := body[len(ckptMagic)+8:]
	if hl > uint64(len(rest)) {
		return nil, errors.New("header length beyond the file")
	}
	// Options a checkpoint predates keep their defaults, the behaviour
	// before they existed.
	h := ckptHeader{Options: Defaults()}
	if err := json.Unmarshal(rest[:hl], &h); err != nil {
		return nil, fmt.Errorf("header: %v", err)
	}
	data := rest[hl:]
	take := func(n int) ([]float32, error) {
		if n < 0 || 4*n > len(data) {
			return nil, errors.New("array data shorter than the header says")
		}
		out := make([]float32, n)
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
		}
		data = data[4*n:]
		return out, nil
	}
	s := &State{Options: h.Options, Epoch: h.Epoch, Iter: h.Iter, TotalIters: h.TotalIters, Steps: h.Steps, RNG: h.RNG,
		Nets: map[string][]NamedArray{}, AdamG: AdamState{Step: h.AdamG.Step}, AdamD: AdamState{Step: h.AdamD.Step}}
	var err error
	for _, name := range NetNames {
		for _, ai := range h.Nets[name] {
			n := 1
			for _, d := range ai.Shape {
				n *= d
			}
			a := NamedArray{Key: ai.Key, Shape: ai.Shape}
			if a.Data, err = take(n); err != nil {
				return nil, err
			}
			s.Nets[name] = append(s.Nets[name], a)
		}
	}
	for _, ai := range []struct {
		st   *AdamState
		info adamInfo
	}{{&s.AdamG, h.AdamG}, {&s.AdamD, h.AdamD}} {
		for _, n := range ai.info.M {
			a, err := take(n)
			if err != nil {
				return nil, err
			}
			ai.st.M = append(ai.st.M, a)
		}
		for _, n := range ai.info.V {
			a, err := take(n)
			if err != nil {
				return nil, err
			}
			ai.st.V = append(ai.st.V, a)
		}
	}
	for _, pl := range []struct {
		dst   *[][]float32
		sizes []int
	}{{&s.PoolA, h.PoolA}, {&s.PoolB, h.PoolB}} {
		for _, n := range pl.sizes {
			a, err := take(n)
			if err != nil {
				return nil, err
			}
			*pl.dst = append(*pl.dst, a)
		}
	}
	if len(data) != 0 {
		return nil, errors.New("unexpected data after the arrays")
	}
	return s, nil
}

// WriteFileAtomic writes b to path so that path is always either the old
// complete file or the new complete file (weights/atomicfile: a temporary
// file in the same folder, fsync, rename over path, fsync of the folder).
func WriteFileAtomic(path string, b []byte) error {
	return writeAtomic(path, int64(len(b)), func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	}, nil)
}

// writeAtomic is WriteFileAtomic for the size bytes that write writes; it
// calls midway, if not nil, when half of them are in the temporary file.
func writeAtomic(path string, size int64, write func(io.Writer) error, midway func()) error {
	return atomicfile.Write(path, ".*.tmp", func(f *os.File) error {
		if failWrites != nil {
			if err := failWrites(); err != nil {
				return err
			}
		}
		var w io.Writer = f
		if midway != nil {
			w = &midwayWriter{w: f, at: size / 2, fn: midway}
		}
		return write(w)
	})
}

// Checkpoints manages a run's checkpoint files, <dir>/state_<steps>.ckpt.
type Checkpoints struct {
	Dir  string
	Keep int // most recent files kept (at least 1)
}

func (c *Checkpoints) path(steps int) string {
	return filepath.Join(c.Dir, fmt.Sprintf("state_%09d.ckpt", steps))
}

// List returns the checkpoint files' step counts, newest first.
func (c *Checkpoints) List() ([]int, error) {
	ents, err := os.ReadDir(c.Dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	var steps []int
	for _, e := range ents {
		name := e.Name()
		if !strings.HasPrefix(name, "state_") || !strings.HasSuffix(name, ".ckpt") {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(name, "state_"), ".ckpt"))
		if err == nil {
			steps = append(steps, n)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(steps)))
	return steps, nil
}

// Paths returns the checkpoint files' paths, newest first (none when the
// folder cannot be read).
func (c *Checkpoints) Paths() []string {
	steps, _ := c.List()
	paths := make([]string, len(steps))
	for i, n := range steps {
		paths[i] = c.path(n)
	}
	return paths
}

// Save writes s atomically, then removes all but the Keep newest
// checkpoints. On error the earlier checkpoints are untouched.
func (c *Checkpoints) Save(s *State) (string, error) {
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return "", fmt.Errorf("saving checkpoint: %v", err)
	}
	p := c.path(s.Steps)
	write := func(w io.Writer) error {
		_, err := s.WriteTo(w)
		return err
	}
	if err := writeAtomic(p, s.encodedSize(), write, func() { stopHere("writing") }); err != nil {
		return "", fmt.Errorf("saving checkpoint %s: %v", p, err)
	}
	steps, err := c.List()
	if err == nil {
		for i, n := range steps {
			if i >= max(c.Keep, 1) && n != s.Steps {
				os.Remove(c.path(n))
			}
		}
	}
	// Leftover temporary files of writes killed midway.
	if tmps, _ := filepath.Glob(filepath.Join(c.Dir, ".state_*.tmp")); len(tmps) > 0 {
		for _, t := range tmps {
			os.Remove(t)
		}
	}
	return p, nil
}

// Read loads and verifies the checkpoint made after the given number of
// steps, and returns it with its path.
func (c *Checkpoints) Read(steps int) (*State, string, error) {
	p := c.path(steps)
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, p, err
	}
	s, err := DecodeState(b)
	return s, p, err
}

// Latest loads the newest checkpoint that verifies; damaged ones are
// reported through warn and passed over. It returns os.ErrNotExist (wrapped)
// when the run has no checkpoint.
func (c *Checkpoints) Latest(warn func(string)) (*State, string, error) {
	steps, err := c.List()
	if err != nil {
		return nil, "", err
	}
	for _, n := range steps {
		s, p, err := c.Read(n)
		if err == nil {
			return s, p, nil
		}
		if warn != nil {
			warn(fmt.Sprintf("checkpoint %s unusable: %v", p, err))
		}
	}
	return nil, "", fmt.Errorf("no usable checkpoint in %s: %w", c.Dir, os.ErrNotExist)
}
