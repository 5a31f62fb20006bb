package train

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// failWrites, when set (by tests), makes checkpoint writes fail with its
// error after the temporary file is created, as a full disk would.
var failWrites func() error

var errNoSpace = errors.New("no space left on device")

// StopAtEnv names the test-only environment variable that freezes a
// training process at a chosen point so that a test can SIGKILL it exactly
// there (trainer's TestSIGKILLResume). Its value is "<point>:<n>": the n-th
// time this process reaches point it prints StopMarker, the point and n on
// stderr, then sleeps forever. The points:
//
//	step     after an iteration, before its checkpoint (if any) is written
//	writing  during a checkpoint write, with half the file written
//	saved    right after a checkpoint file is complete
const StopAtEnv = "CYCLEGAN_TEST_STOP_AT"

// StopMarker starts the line a frozen process prints.
const StopMarker = "CYCLEGAN_TEST_STOPPED"

// testStop is the parsed StopAtEnv; its point is "" when unset.
var testStop = parseStopAt(os.Getenv(StopAtEnv))

type stopAt struct {
	point string
	n     int // stop on the n-th visit
	seen  int // visits so far
}

func parseStopAt(v string) *stopAt {
	point, n, ok := strings.Cut(v, ":")
	k, err := strconv.Atoi(n)
	if !ok || err != nil || k < 1 {
		if v != "" {
			fmt.Fprintf(os.Stderr, "%s=%q ignored: want <point>:<n>\n", StopAtEnv, v)
		}
		return &stopAt{}
	}
	return &stopAt{point: point, n: k}
}

// stopHere freezes the process if this is the visit StopAtEnv asks for.
// Only the training goroutine calls it.
func stopHere(point string) {
	if testStop.point != point {
		return
	}
	testStop.seen++
	if testStop.seen != testStop.n {
		return
	}
	fmt.Fprintf(os.Stderr, "%s %s %d\n", StopMarker, point, testStop.n)
	for {
		time.Sleep(time.Hour) // until the test kills the process
	}
}
