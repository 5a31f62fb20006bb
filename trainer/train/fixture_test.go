package train

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"testing"
)

// stepFixture is testdata/trainer/step.{json,f32} written by
// testdata/pytorch/gen_train_step.py.
type stepFixture struct {
	Torch  string
	Config struct {
		NGF      int     `json:"ngf"`
		NBlocks  int     `json:"n_blocks"`
		NDF      int     `json:"ndf"`
		NLayersD int     `json:"n_layers_D"`
		Size     int     `json:"size"`
		LambdaA  float64 `json:"lambda_A"`
		LambdaB  float64 `json:"lambda_B"`
		LambdaI  float64 `json:"lambda_identity"`
		LR       float64 `json:"lr"`
		Beta1    float64 `json:"beta1"`
		PoolSize int     `json:"pool_size"`
		// The learning-rate schedule: one iteration per epoch.
		NEpochs      int `json:"n_epochs"`
		NEpochsDecay int `json:"n_epochs_decay"`
		EpochCount   int `json:"epoch_count"`
	}
	LossNames []string    `json:"loss_names"`
	Losses    [][]float64 `json:"losses"`
	LRs       []float64   `json:"lrs"`        // learning rate of each iteration
	PoolDraws []uint64    `json:"pool_draws"` // the pools' random draws, as math/rand/v2 words
	PoolSwaps []bool      `json:"pool_swaps"` // each pool query after the pool filled: swapped?
	Arrays    []struct {
		Name   string
		Shape  []int
		Offset int
	}
	data []float32
}

func loadStepFixture(t testing.TB) *stepFixture {
	t.Helper()
	var f stepFixture
	j, err := os.ReadFile("../../testdata/trainer/step.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(j, &f); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("../../testdata/trainer/step.f32")
	if err != nil {
		t.Fatal(err)
	}
	f.data = make([]float32, len(raw)/4)
	for i := range f.data {
		f.data[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return &f
}

// array returns the named array and its shape.
func (f *stepFixture) array(name string) ([]float32, []int) {
	for _, a := range f.Arrays {
		if a.Name == name {
			n := 1
			for _, d := range a.Shape {
				n *= d
			}
			return f.data[a.Offset : a.Offset+n], a.Shape
		}
	}
	return nil, nil
}

// net returns the key -> values map of one network under prefix (init or final).
func (f *stepFixture) net(prefix, name string) map[string][]float32 {
	out := map[string][]float32{}
	p := prefix + "/" + name + "/"
	for _, a := range f.Arrays {
		if len(a.Name) > len(p) && a.Name[:len(p)] == p {
			out[a.Name[len(p):]], _ = f.array(a.Name)
		}
	}
	return out
}
