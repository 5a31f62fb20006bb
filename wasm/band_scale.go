//go:build js && wasm

package main

// The model-scale translation split across workers: worker 0 scales the
// photo down (scaleDown) and keeps it, every worker runs its band of the
// scaled photo (translateBand with a Float32Array), and worker 0 joins the
// bands' outputs and carries them up to the photo's size (carryUp).

import (
	"context"
	"errors"
	"fmt"
	"syscall/js"
	"time"

	"github.com/cyclegan-go/cyclegan/translate"
	"github.com/cyclegan-go/cyclegan/wasm/jsx"
)

// scaled is the photo worker 0 scaled down for job, until its carryUp.
var scaled struct {
	job int
	s   *translate.Scaled
}

// scaleDown(id, direction, pixels, width, height, workers, job)
// → {inputs: [Float32Array], down, forward, carry, ms}: scales the photo
// (RGBA) to the model's scale (translate.Default) and cuts the generator's
// input into the bands of plan; down, forward and carry are the work of
// the three stages in the units of onProgress.
func scaleDown(args []js.Value) (any, error) {
	v, err := jsx.Ints(args, 3, 7)
	if err != nil {
		return nil, fmt.Errorf("scaleDown: %w", err)
	}
	tr, err := translator(args[0].String(), args[1].String())
	if err != nil {
		return nil, err
	}
	pixels, err := jsx.Bytes(args[2])
	if err != nil {
		return nil, fmt.Errorf("scaleDown: pixels: %w", err)
	}
	start := time.Now()
	scaled.s = nil
	s, err := tr.With(translate.Default).ScaleDown(context.Background(), translate.Pixels{W: v[0], H: v[1], Channels: 4, Pix: pixels}, v[2])
	if err != nil {
		return nil, err
	}
	scaled.job, scaled.s = v[3], s
	inputs := make([]any, len(s.Bands()))
	for i := range inputs {
		inputs[i] = jsx.Float32Array(s.Input(i).Data)
	}
	down, forward, carry := s.Work()
	return jsx.Obj("inputs", inputs, "down", down, "forward", forward, "carry", carry, "ms", jsx.Ms(start)), nil
}

// carryUp(job, outputs) → {pixels, ms}: outputs are the bands' results
// (translateBand's tensors, in band order) for the photo scaleDown kept
// for job; the result is the translated photo (RGBA).
func carryUp(args []js.Value) (any, error) {
	if len(args) < 2 || args[0].Type() != js.TypeNumber || args[1].Type() != js.TypeObject {
		return nil, errors.New("carryUp(job, outputs): missing arguments")
	}
	s := scaled.s
	if s == nil || scaled.job != args[0].Int() {
		return nil, fmt.Errorf("carryUp: photo %d was not scaled down here", args[0].Int())
	}
	scaled.s = nil
	start := time.Now()
	outs := make([][]float32, args[1].Get("length").Int())
	for i := range outs {
		var err error
		if outs[i], err = jsx.Float32s(args[1].Index(i)); err != nil {
			return nil, fmt.Errorf("carryUp: output %d: %w", i, err)
		}
	}
	out, err := s.CarryUp(context.Background(), outs)
	if err != nil {
		return nil, err
	}
	return jsx.Obj("pixels", jsx.ClampedArray(out.Pix), "ms", jsx.Ms(start)), nil
}
