//go:build !unix && !js

package nn

// processCPUSeconds is not measured here (js/wasm, windows): 0 disables the metric.
func processCPUSeconds() float64 { return 0 }
