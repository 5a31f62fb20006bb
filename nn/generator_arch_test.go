package nn

import (
	"slices"
	"testing"
)

// TestConvsMatchTheBuiltGenerator checks the architecture's walk against the
// generator built from it: Convs names every parameter the generator has, in
// state_dict order, with its shape (a weight, then its bias).
func TestConvsMatchTheBuiltGenerator(t *testing.T) {
	for _, cfg := range []GeneratorConfig{
		{InputNC: 3, OutputNC: 3, NGF: 8, NBlocks: 2},
		{InputNC: 1, OutputNC: 3, NGF: 4, NBlocks: 0},
		{InputNC: 3, OutputNC: 1, NGF: 6, NBlocks: 3, Dropout: true},
	} {
		params := NewResnetGenerator(cfg).Params()
		convs := cfg.Convs()
		if len(params) != 2*len(convs) {
			t.Fatalf("%+v: %d parameters, %d convolutions", cfg, len(params), len(convs))
		}
		for i, c := range convs {
			w, b := params[2*i], params[2*i+1]
			if w.Key != c.Key+".weight" || !slices.Equal(w.Param.Value.Shape, c.WeightShape()) {
				t.Errorf("%+v: parameter %s%v, walk %s.weight%v", cfg, w.Key, w.Param.Value.Shape, c.Key, c.WeightShape())
			}
			if b.Key != c.Key+".bias" || !slices.Equal(b.Param.Value.Shape, []int{c.Out}) {
				t.Errorf("%+v: parameter %s%v, walk %s.bias[%d]", cfg, b.Key, b.Param.Value.Shape, c.Key, c.Out)
			}
		}
	}
}

// StepCosts sums the convolutions' MACs (plus the cheap layers' outputs),
// one entry per top-level layer.
func TestStepCosts(t *testing.T) {
	cfg := GeneratorConfig{InputNC: 3, OutputNC: 3, NGF: 8, NBlocks: 2}
	costs := cfg.StepCosts(32, 40)
	if len(costs) != len(NewResnetGenerator(cfg).Layers()) {
		t.Fatalf("%d costs for %d layers", len(costs), len(NewResnetGenerator(cfg).Layers()))
	}
	var sum, convs int64
	for i, c := range costs {
		if c <= 0 {
			t.Errorf("layer %d costs %d", i, c)
		}
		sum += c
	}
	for _, c := range cfg.Convs() {
		convs += c.MACs(32, 40)
	}
	if sum <= convs || sum > convs+convs/10 {
		t.Errorf("costs sum to %d; the convolutions alone are %d (the rest should add a little)", sum, convs)
	}
}
