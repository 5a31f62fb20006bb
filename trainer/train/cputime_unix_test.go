//go:build unix

package train

import "syscall"

// processCPUSeconds is the user+system CPU time of this process, so that
// BenchmarkIteration also reports CPU seconds per iteration, which stays
// meaningful when other processes share the cores.
func processCPUSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
