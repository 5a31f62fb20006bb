//go:build js && wasm

// Package jsx is a small typed layer over syscall/js for the browser
// program: promises in both directions, byte copies, errors, and an
// io.Reader over a JavaScript ReadableStream.
package jsx

import (
	"errors"
	"fmt"
	"syscall/js"
)

var (
	global     = js.Global()
	jsPromise  = global.Get("Promise")
	jsError    = global.Get("Error")
	jsObject   = global.Get("Object")
	jsUint8    = global.Get("Uint8Array")
	jsUint8C   = global.Get("Uint8ClampedArray")
	jsArrayBuf = global.Get("ArrayBuffer")
)

// Global is globalThis.
func Global() js.Value { return global }

// Error converts a Go error into a JavaScript Error with the same message.
func Error(err error) js.Value { return jsError.New(err.Error()) }

// JSError is a JavaScript exception or rejection reason seen from Go.
type JSError struct{ Value js.Value }

func (e *JSError) Error() string {
	v := e.Value
	if v.Type() == js.TypeObject {
		if m := v.Get("message"); m.Type() == js.TypeString {
			return m.String()
		}
	}
	return v.Call("toString").String()
}

// Await blocks the calling goroutine until the promise p settles. It must
// not be called from a js.Func callback directly (the event loop would
// deadlock); call it from a goroutine.
func Await(p js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	var onOK, onErr js.Func
	onOK = js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- result{v: Arg(args, 0)}
		return nil
	})
	onErr = js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- result{err: &JSError{Arg(args, 0)}}
		return nil
	})
	p.Call("then", onOK, onErr)
	r := <-ch
	onOK.Release()
	onErr.Release()
	return r.v, r.err
}

// Arg is args[i], or undefined past the end.
func Arg(args []js.Value, i int) js.Value {
	if i < len(args) {
		return args[i]
	}
	return js.Undefined()
}

// Promise returns a JavaScript Promise settled by fn, which runs in its own
// goroutine (so it may call Await). A panic in fn rejects the promise.
func Promise(fn func() (any, error)) js.Value {
	var executor js.Func
	executor = js.FuncOf(func(_ js.Value, args []js.Value) any {
		resolve, reject := args[0], args[1]
		go func() {
			defer func() {
				if r := recover(); r != nil {
					reject.Invoke(jsError.New(fmt.Sprint("internal error: ", r)))
				}
			}()
			v, err := fn()
			if err != nil {
				reject.Invoke(Error(err))
				return
			}
			resolve.Invoke(v)
		}()
		return nil
	})
	p := jsPromise.New(executor)
	executor.Release()
	return p
}

// Func wraps fn as a JavaScript function that returns a Promise; the
// function lives for the whole program.
func Func(fn func(args []js.Value) (any, error)) js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) any {
		args = append([]js.Value(nil), args...)
		return Promise(func() (any, error) { return fn(args) })
	})
}

// Object builds a plain JavaScript object from m.
func Object(m map[string]any) js.Value {
	o := jsObject.New()
	for k, v := range m {
		o.Set(k, v)
	}
	return o
}

// Bytes copies a Uint8Array, Uint8ClampedArray or ArrayBuffer into Go memory.
func Bytes(v js.Value) ([]byte, error) {
	if v.InstanceOf(jsArrayBuf) {
		v = jsUint8.New(v)
	}
	if !v.InstanceOf(jsUint8) && !v.InstanceOf(jsUint8C) {
		return nil, errors.New("expected a Uint8Array, Uint8ClampedArray or ArrayBuffer")
	}
	b := make([]byte, v.Get("length").Int())
	js.CopyBytesToGo(b, v)
	return b, nil
}

// ClampedArray copies b into a new Uint8ClampedArray (the type ImageData holds).
func ClampedArray(b []byte) js.Value {
	v := jsUint8C.New(len(b))
	js.CopyBytesToJS(v, b)
	return v
}

// Obj builds a plain JavaScript object from keys and values in turn:
// Obj("a", 1, "b", 2) is {a: 1, b: 2}.
func Obj(kv ...any) js.Value {
	o := jsObject.New()
	for i := 0; i+1 < len(kv); i += 2 {
		o.Set(kv[i].(string), kv[i+1])
	}
	return o
}
