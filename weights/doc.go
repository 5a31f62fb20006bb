// Package weights reads and writes the project's generator weight files: a
// small header, a zstd-compressed body holding JSON metadata and the
// tensors (float32, float16, or int8 with one scale per output channel), and
// a SHA-256 checksum over every byte before it. The byte layout is described
// in docs/FORMAT.md.
//
// The reader works on an io.Reader as bytes arrive (the web page decodes
// while it downloads), checks every length against a ceiling before it
// allocates, checks every tensor against the architecture named in the
// metadata, and hands nothing out before the checksum has been verified.
//
// The package links into the GOOS=js build: it depends only on nn and
// github.com/klauspost/compress/zstd. PyTorch checkpoints are imported by
// the subpackage weights/pth.
package weights
