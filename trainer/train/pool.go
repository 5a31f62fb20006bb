package train

import (
	"math/rand/v2"

	"github.com/cyclegan-go/cyclegan/nn"
)

// ImagePool is the official ImagePool (util/image_pool.py): a buffer of up
// to Size previously generated images. Until it is full every query image
// is stored and returned; afterwards, with probability 1/2 a random stored
// image is returned and replaced by the query image, otherwise the query
// image itself is returned. Size 0 returns the batch unchanged.
type ImagePool struct {
	Size   int
	Images [][]float32 // each one image, C*H*W
}

// Query returns the batch of images the discriminator sees for the
// generated batch fake (which it does not modify), drawing from rng in the
// official order: uniform(0,1) then, when swapping, the stored index. The
// result is fake itself when Size is 0, otherwise a tensor of its own, from
// the training passes' pool (nn.PooledTensor; the caller may nn.Recycle it).
func (p *ImagePool) Query(fake *nn.Tensor, rng *rand.Rand) *nn.Tensor {
	if p.Size == 0 {
		return fake
	}
	n := fake.N()
	sz := len(fake.Data) / n
	out := nn.PooledTensor(fake.Shape...)
	for i := 0; i < n; i++ {
		img := fake.Data[i*sz : (i+1)*sz]
		dst := out.Data[i*sz : (i+1)*sz]
		if len(p.Images) < p.Size {
			p.Images = append(p.Images, append([]float32(nil), img...))
			copy(dst, img)
			continue
		}
		if rng.Float64() > 0.5 {
			k := rng.IntN(p.Size)
			if len(p.Images[k]) == sz {
				copy(dst, p.Images[k])
				copy(p.Images[k], img)
				continue
			}
			// A stored image of another size (--preprocess none): the
			// official code would fail to concatenate; return the new one.
			p.Images[k] = append([]float32(nil), img...)
		}
		copy(dst, img)
	}
	return out
}
