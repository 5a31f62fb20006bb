// Package translate owns "weight file → translator", the one path every user
// of a model goes through: the command's translate, eval, gallery and
// publish, and the browser program (wasm/main.go).
//
// Open (or Read, or New for a decoded file) gives a Model: its generators,
// built from the weight file and frozen for inference, by direction. A
// direction is named "AtoB" (the file's G_A) or "BtoA" (G_B), by its key, or
// by the domain names the file records ("Sunny → Sunset", "sunny->sunset").
// A Translator runs one direction on 8-bit pixels (Pixels) or on a tensor,
// with progress and cancellation passed per call, so that one model serves
// several translations at once.
//
// Pixels map to the network's [-1, 1] and back exactly as the official
// pytorch-CycleGAN-and-pix2pix test script does: ToTensor then
// Normalize(0.5, 0.5) in float32, and tensor2im's (x+1)/2·255 truncated to 8
// bits. Grey (1-channel) generators see PIL's convert("L") of the photo and
// give a grey photo back. Sizes that are not a multiple of 4 are
// reflection-padded on the right and bottom and cropped back; an image needs
// at least MinSide pixels on each side (size.go).
package translate
