package train

import (
	"fmt"
	"math/rand/v2"

	"github.com/cyclegan-go/cyclegan/nn"
)

// Model is the CycleGAN model of the official cycle_gan_model.py: two
// generators, two discriminators, their two Adam optimizers and the two
// image pools. G_A maps A to B and is judged by D_A; G_B maps B to A and
// is judged by D_B.
type Model struct {
	GA, GB     *nn.Generator
	DA, DB     *nn.Discriminator
	OptG, OptD *Adam
	PoolA      *ImagePool // fake_A_pool: generated A images shown to D_B
	PoolB      *ImagePool // fake_B_pool: generated B images shown to D_A

	LambdaA, LambdaB, LambdaIdt float64

	// BalanceUpsample keeps the generators' transposed convolutions
	// checkerboard-free after every step (--balance_upsample).
	BalanceUpsample bool

	// generated are the generated images of the last step's Visuals, which
	// the next step recycles.
	generated [4]*nn.Tensor
}

// NewModel builds the four networks from the options and initializes them
// as the official init_weights('normal', 0.02): every conv and transposed
// conv weight from N(0, gain), every bias 0, drawing in the order
// G_A, G_B, D_A, D_B and state_dict order within each.
func NewModel(o *Options, rng *rand.Rand) (*Model, error) {
	gcfg, err := o.GeneratorConfig()
	if err != nil {
		return nil, err
	}
	nl, err := o.DLayers()
	if err != nil {
		return nil, err
	}
	dcfg := nn.DiscriminatorConfig{InputNC: o.OutputNC, NDF: o.NDF, NLayers: nl}
	m := &Model{
		GA: nn.NewResnetGenerator(gcfg), GB: nn.NewResnetGenerator(gcfg),
		DA: nn.NewNLayerDiscriminator(dcfg), DB: nn.NewNLayerDiscriminator(dcfg),
		PoolA: &ImagePool{Size: o.PoolSize}, PoolB: &ImagePool{Size: o.PoolSize},
		LambdaA: o.LambdaA, LambdaB: o.LambdaB, LambdaIdt: o.LambdaIdentity,
		BalanceUpsample: o.BalanceUpsample,
	}
	for _, ps := range m.nets() {
		nn.InitNormal(ps, o.InitGain, rng)
	}
	if o.InitUpsample == "bilinear" {
		initUpsampleBilinear(m.GA)
		initUpsampleBilinear(m.GB)
	}
	m.keepUpsampleBalanced()
	m.OptG = NewAdam(append(plain(m.GA.Params()), plain(m.GB.Params())...), o.Beta1, 0.999)
	m.OptD = NewAdam(append(plain(m.DA.Params()), plain(m.DB.Params())...), o.Beta1, 0.999)
	return m, nil
}

// keepUpsampleBalanced projects both generators' upsampling kernels onto
// equal-gain phases (balanceUpsample) when --balance_upsample is set: after
// initialisation and after every generator step.
func (m *Model) keepUpsampleBalanced() {
	if m.BalanceUpsample {
		balanceUpsample(m.GA)
		balanceUpsample(m.GB)
	}
}

// nets lists the parameters of G_A, G_B, D_A, D_B.
func (m *Model) nets() [][]nn.NamedParam {
	return [][]nn.NamedParam{m.GA.Params(), m.GB.Params(), m.DA.Params(), m.DB.Params()}
}

// NetNames are the official names of the four networks, in nets() order.
var NetNames = []string{"G_A", "G_B", "D_A", "D_B"}

func plain(ps []nn.NamedParam) []*nn.Param {
	out := make([]*nn.Param, len(ps))
	for i, p := range ps {
		out[i] = p.Param
	}
	return out
}

// SetNet copies the values of one network's state_dict (key -> data) into
// the network named name (G_A, G_B, D_A or D_B). Every key must be present
// with the right size.
func (m *Model) SetNet(name string, values map[string][]float32) error {
	for i, n := range NetNames {
		if n != name {
			continue
		}
		for _, p := range m.nets()[i] {
			v, ok := values[p.Key]
			if !ok {
				return fmt.Errorf("%s: missing tensor %s", name, p.Key)
			}
			if len(v) != len(p.Param.Value.Data) {
				return fmt.Errorf("%s: tensor %s has %d values, want %d", name, p.Key, len(v), len(p.Param.Value.Data))
			}
			copy(p.Param.Value.Data, v)
		}
		return nil
	}
	return fmt.Errorf("no network %q", name)
}
