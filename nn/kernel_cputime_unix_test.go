//go:build unix

package nn

import "syscall"

// processCPUSeconds is the user+system CPU time of this process; benchmarks
// report GFLOP per CPU-second beside the wall-clock rate, which stays
// meaningful when other processes share the cores.
func processCPUSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
