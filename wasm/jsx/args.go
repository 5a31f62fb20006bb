//go:build js && wasm

package jsx

import (
	"fmt"
	"syscall/js"
	"time"
)

// Ints reads args[from:to] as integers, or says which is not a number.
// One shared reader keeps the program's many argument checks small.
func Ints(args []js.Value, from, to int) ([]int, error) {
	out := make([]int, 0, to-from)
	for i := from; i < to; i++ {
		if i >= len(args) || args[i].Type() != js.TypeNumber {
			return nil, fmt.Errorf("argument %d must be a number", i+1)
		}
		out = append(out, args[i].Int())
	}
	return out, nil
}

// Progress is a progress function that calls cb(done, total, ms since
// start), or nil when cb is not a function.
func Progress(cb js.Value, start time.Time) func(done, total int) {
	if cb.Type() != js.TypeFunction {
		return nil
	}
	return func(done, total int) { cb.Invoke(done, total, Ms(start)) }
}

// Ms is the time since start in milliseconds.
func Ms(start time.Time) float64 { return float64(time.Since(start).Microseconds()) / 1000 }
