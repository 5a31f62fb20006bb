package weights

// newDecompressor (decompress_native.go, decompress_js.go) returns a reader
// of the zstd frame that r holds, with a window of at most maxZstdWindow,
// and a function that releases it. Natively it is
// github.com/klauspost/compress/zstd (assembly, block decoding beside the
// reading and hashing: an ngf 64 float32 file reads 2–4 times faster); in
// the browser the small decoder of weights/internal/zstd, which keeps
// cyclegan.wasm within its size budget. `make test` runs the reader's tests,
// damaged files included, with each (natively and under GOOS=js).
