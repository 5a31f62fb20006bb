//go:build js && wasm

package jsx

import (
	"errors"
	"syscall/js"
	"unsafe"
)

var (
	jsFloat32 = global.Get("Float32Array")
	jsFloat64 = global.Get("Float64Array")
)

// Float32Array copies f into a new Float32Array.
func Float32Array(f []float32) js.Value {
	return typedArray(jsFloat32, unsafe.Pointer(unsafe.SliceData(f)), len(f), 4)
}

// Float64Array copies f into a new Float64Array.
func Float64Array(f []float64) js.Value {
	return typedArray(jsFloat64, unsafe.Pointer(unsafe.SliceData(f)), len(f), 8)
}

func typedArray(ctor js.Value, p unsafe.Pointer, n, size int) js.Value {
	u := jsUint8.New(n * size)
	if n > 0 {
		js.CopyBytesToJS(u, unsafe.Slice((*byte)(p), n*size))
	}
	return ctor.New(u.Get("buffer"))
}

// IsFloat32Array reports whether v is a Float32Array.
func IsFloat32Array(v js.Value) bool { return v.InstanceOf(jsFloat32) }

// Float32s copies a Float32Array into Go memory.
func Float32s(v js.Value) ([]float32, error) {
	if !IsFloat32Array(v) {
		return nil, errors.New("expected a Float32Array")
	}
	f := make([]float32, v.Get("length").Int())
	copyFromJS(v, unsafe.Pointer(unsafe.SliceData(f)), 4*len(f))
	return f, nil
}

// Float64s copies a Float64Array into Go memory.
func Float64s(v js.Value) ([]float64, error) {
	if !v.InstanceOf(jsFloat64) {
		return nil, errors.New("expected a Float64Array")
	}
	f := make([]float64, v.Get("length").Int())
	copyFromJS(v, unsafe.Pointer(unsafe.SliceData(f)), 8*len(f))
	return f, nil
}

func copyFromJS(v js.Value, p unsafe.Pointer, n int) {
	if n > 0 {
		js.CopyBytesToGo(unsafe.Slice((*byte)(p), n), jsUint8.New(v.Get("buffer"), v.Get("byteOffset"), n))
	}
}
