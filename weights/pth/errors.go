package pth

import "errors"

// Every error of this package wraps one of these, so callers (and
// FuzzParse) can tell what is wrong with a checkpoint with errors.Is.
var (
	// ErrNotCheckpoint: the file is neither serialisation of torch.save
	// (or a zip record of it cannot be opened).
	ErrNotCheckpoint = errors.New("not a PyTorch checkpoint")

	// ErrPickle: the pickle is malformed, uses an opcode the restricted
	// unpickler does not accept, or describes tensors inconsistently.
	ErrPickle = errors.New("invalid checkpoint pickle")

	// ErrForbiddenGlobal: the pickle names a global outside the state_dict
	// allow-list (e.g. os.system); the message names it.
	ErrForbiddenGlobal = errors.New("checkpoint pickle names a forbidden global")

	// ErrTooLarge: a size, offset or element count is beyond what the file
	// can hold, or a sum or product of them overflows int64.
	ErrTooLarge = errors.New("checkpoint size out of range")

	// ErrDType: a tensor's element type cannot be read as float32.
	ErrDType = errors.New("checkpoint tensor is not floating point")

	// ErrArchitecture: the state_dict is not an official ResnetGenerator
	// with InstanceNorm.
	ErrArchitecture = errors.New("checkpoint is not a supported CycleGAN generator")
)
