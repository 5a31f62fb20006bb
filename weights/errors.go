package weights

import "errors"

// Errors returned by the reader (wrapped with details; test with errors.Is).
// Damage in transport (a short or altered download) is reported as
// ErrTruncated or ErrChecksum even when it also broke the structure; the
// structural errors are reported only for files whose checksum is intact.
var (
	// ErrMagic: the data does not start with the weight-file magic.
	ErrMagic = errors.New("not a CycleGAN weight file (bad magic)")
	// ErrVersion: the format version (or a feature flag) is unknown.
	ErrVersion = errors.New("unsupported weight file version")
	// ErrTruncated: the data ends before the file does.
	ErrTruncated = errors.New("weight file is truncated")
	// ErrChecksum: the checksum does not match the content.
	ErrChecksum = errors.New("weight file checksum mismatch (corrupted)")
	// ErrLength: a length field is absurd (over a ceiling or over what remains).
	ErrLength = errors.New("weight file has an absurd length")
	// ErrMetadata: the metadata is not valid JSON or describes an unsupported architecture.
	ErrMetadata = errors.New("invalid weight file metadata")
	// ErrShape: a tensor's name or shape disagrees with the architecture.
	ErrShape = errors.New("tensor does not match the architecture")
	// ErrNonFinite: a weight or a quantisation scale is NaN or infinite.
	ErrNonFinite = errors.New("weight file holds NaN or Inf")
	// ErrMalformed: the content does not follow the format (bad compressed
	// stream, unknown storage code, trailing bytes).
	ErrMalformed = errors.New("malformed weight file")
)
