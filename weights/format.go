package weights

// Byte layout (all integers little-endian; see docs/FORMAT.md):
//
//	header   magic[8] "CGANWTS\x1a" | version u32 | flags u32 | bodyLen u64
//	body     bodyLen bytes: one zstd frame whose content is
//	           metaLen u32 | meta JSON | tensor*
//	         tensor = nameLen u16 | name | storage u8 | ndim u8 | dims u32*ndim
//	                  | [axis u8 | scales f32*dims[axis]]   (int8 only)
//	                  | data (f32: 4 B, f16: 2 B, int8: 1 B per element)
//	trailer  SHA-256 of header and body (32 bytes)
const (
	// Magic starts every weight file. The 0x1a byte stops "type" on old
	// terminals and makes text-mode transfers show up as a bad magic.
	Magic = "CGANWTS\x1a"
	// Version is the layout version this package writes and reads.
	Version = 1

	headerLen   = 8 + 4 + 4 + 8
	checksumLen = 32
)

// Ceilings checked before allocating from a length read out of a file.
const (
	MaxBodyLen     = 1 << 30  // compressed body
	MaxMetaLen     = 64 << 10 // metadata JSON
	MaxNameLen     = 256      // tensor name
	MaxDims        = 4        // tensor rank
	MaxParams      = 64 << 20 // elements over all tensors of one file
	maxZstdWindow  = 8 << 20
	maxGenerators  = 2
	decodeChunkLen = 64 << 10
)

// Storage is how a tensor's values are stored in the file.
type Storage uint8

const (
	F32  Storage = 0
	F16  Storage = 1
	Int8 Storage = 2 // symmetric, one float32 scale per output channel
)

// DefaultStorage is the storage the trainer and the importer write unless
// told otherwise; chosen by measurement (docs/PERF.md, "Weights").
const DefaultStorage = Int8

func (s Storage) String() string {
	switch s {
	case F32:
		return "f32"
	case F16:
		return "f16"
	case Int8:
		return "int8"
	}
	return "unknown"
}

// ParseStorage maps "f32", "f16", "int8" (and "float32", "float16") to a Storage.
func ParseStorage(s string) (Storage, bool) {
	switch s {
	case "f32", "float32":
		return F32, true
	case "f16", "float16":
		return F16, true
	case "int8":
		return Int8, true
	}
	return 0, false
}

func (s Storage) valid() bool { return s <= Int8 }

// bytesPerValue is the size of one stored element.
func (s Storage) bytesPerValue() int {
	switch s {
	case F32:
		return 4
	case F16:
		return 2
	}
	return 1
}

// tensorStorage is the storage of one tensor in a file of storage s.
// Biases (rank 1) stay float32 in every file: they are tiny and quantising
// them buys nothing. In an int8 file only the convolutions of the residual
// blocks are int8 (93% of resnet_9blocks' parameters); the first and last
// convolutions and the down- and up-sampling ones are float16: each of them
// alone costs as much translation quality as the first residual block
// (docs/PERF.md, "Weights").
func tensorStorage(s Storage, spec TensorSpec) Storage {
	switch {
	case len(spec.Shape) == 1:
		return F32
	case s == Int8 && !spec.Block:
		return F16
	}
	return s
}
