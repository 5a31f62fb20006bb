//go:build js

package nn

import "syscall/js"

// processCPUSeconds is the user+system CPU time of the node process running
// the wasm tests (process.cpuUsage(), all of node's threads; 0 outside
// node), so wasm benchmarks too report GFLOP per CPU-second.
func processCPUSeconds() float64 {
	p := js.Global().Get("process")
	if p.Type() != js.TypeObject || p.Get("cpuUsage").Type() != js.TypeFunction {
		return 0
	}
	u := p.Call("cpuUsage")
	return (u.Get("user").Float() + u.Get("system").Float()) / 1e6
}
