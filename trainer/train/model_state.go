package train

import (
	"fmt"
	"math/rand/v2"
)

// State captures the model's full training state (copies).
func (m *Model) State() (nets map[string][]NamedArray, g, d AdamState, poolA, poolB [][]float32) {
	return m.state(true)
}

// state is State; without clone its arrays are the model's own, valid
// until the next step changes them (enough to write a checkpoint).
func (m *Model) state(clone bool) (nets map[string][]NamedArray, g, d AdamState, poolA, poolB [][]float32) {
	keep := func(a []float32) []float32 {
		if clone {
			return append([]float32(nil), a...)
		}
		return a
	}
	nets = map[string][]NamedArray{}
	for i, name := range NetNames {
		for _, p := range m.nets()[i] {
			nets[name] = append(nets[name], NamedArray{Key: p.Key, Shape: append([]int(nil), p.Param.Value.Shape...), Data: keep(p.Param.Value.Data)})
		}
	}
	cp := func(a *Adam) AdamState {
		s := AdamState{Step: a.Step}
		for i := range a.M {
			s.M = append(s.M, keep(a.M[i]))
			s.V = append(s.V, keep(a.V[i]))
		}
		return s
	}
	cpPool := func(p *ImagePool) [][]float32 {
		var out [][]float32
		for _, im := range p.Images {
			out = append(out, keep(im))
		}
		return out
	}
	return nets, cp(m.OptG), cp(m.OptD), cpPool(m.PoolA), cpPool(m.PoolB)
}

// Restore loads a checkpoint's networks, optimizer states and pools into m,
// which must have been built with the same options.
func (m *Model) Restore(s *State) error {
	for i, name := range NetNames {
		ps := m.nets()[i]
		arrs := s.Nets[name]
		if len(arrs) != len(ps) {
			return fmt.Errorf("checkpoint has %d tensors for %s, the model %d", len(arrs), name, len(ps))
		}
		for j, p := range ps {
			if arrs[j].Key != p.Key || len(arrs[j].Data) != len(p.Param.Value.Data) {
				return fmt.Errorf("checkpoint tensor %s %s does not fit the model's %s", name, arrs[j].Key, p.Key)
			}
			copy(p.Param.Value.Data, arrs[j].Data)
		}
	}
	for _, x := range []struct {
		a *Adam
		s AdamState
	}{{m.OptG, s.AdamG}, {m.OptD, s.AdamD}} {
		if len(x.s.M) != len(x.a.M) || len(x.s.V) != len(x.a.V) {
			return fmt.Errorf("checkpoint optimizer state does not fit the model")
		}
		for i := range x.a.M {
			if len(x.s.M[i]) != len(x.a.M[i]) || len(x.s.V[i]) != len(x.a.V[i]) {
				return fmt.Errorf("checkpoint optimizer state does not fit the model")
			}
			copy(x.a.M[i], x.s.M[i])
			copy(x.a.V[i], x.s.V[i])
		}
		x.a.Step = x.s.Step
	}
	m.PoolA.Images = s.PoolA
	m.PoolB.Images = s.PoolB
	return nil
}

// marshalPCG and unmarshalPCG keep the pool's generator in checkpoints.
func marshalPCG(p *rand.PCG) []byte {
	b, err := p.MarshalBinary()
	if err != nil {
		panic(err) // PCG's MarshalBinary cannot fail
	}
	return b
}
