//go:build !unix

package train

// processCPUSeconds is not measured here: 0 disables the metric.
func processCPUSeconds() float64 { return 0 }
