package nn

// GeneratorMACs is the number of multiply-accumulates of the convolutions of
// one forward pass of a generator with config cfg over one h×w image (h and w
// multiples of 4), counted as PyTorch profilers count them: out-positions ×
// Cin·K·K for a Conv2d and in-positions × Cout·K·K for a ConvTranspose2d.
// Norms, paddings and activations are not counted. GFLOP/s figures are
// 2·GeneratorMACs / time (49.55 G MACs for ngf 64, 9 blocks, 256×256).
func GeneratorMACs(cfg GeneratorConfig, h, w int) int64 {
	ngf := int64(cfg.NGF)
	px := int64(h) * int64(w)
	q := px / 16                                               // pixels at a quarter of the resolution (residual blocks)
	macs := px * int64(cfg.InputNC) * ngf * 49                 // c7s1-ngf
	macs += px / 4 * ngf * 2 * ngf * 9                         // d2ngf, stride 2
	macs += q * 2 * ngf * 4 * ngf * 9                          // d4ngf, stride 2
	macs += int64(cfg.NBlocks) * 2 * q * 4 * ngf * 4 * ngf * 9 // two 3×3 convs per block
	macs += q * 4 * ngf * 2 * ngf * 9                          // u2ngf: in-positions × Cout·9
	macs += px / 4 * 2 * ngf * ngf * 9                         // ungf
	macs += px * ngf * int64(cfg.OutputNC) * 49                // c7s1-out
	return macs
}
