package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cyclegan-go/cyclegan/trainer/train"
)

// The test binary doubles as the command: with CYCLEGAN_TEST_ARGS set,
// TestHelperCommand runs `cyclegan <args>` and exits.
func TestHelperCommand(t *testing.T) {
	args := os.Getenv("CYCLEGAN_TEST_ARGS")
	if args == "" {
		t.Skip("helper process only")
	}
	a := strings.Split(args, "\x1f")
	err := commands[a[0]].run(a[1:])
	code := exitCode(err)
	if code == 1 {
		os.Stderr.WriteString(err.Error() + "\n")
	}
	os.Exit(code)
}

func helperCmd(args ...string) *exec.Cmd {
	c := exec.Command(os.Args[0], "-test.run=^TestHelperCommand$")
	c.Env = append(os.Environ(), "CYCLEGAN_TEST_ARGS="+strings.Join(args, "\x1f"))
	return c
}

func writeImages(t testing.TB, dir string, n, w, h int, seed uint64) {
	t.Helper()
	os.MkdirAll(dir, 0o755)
	r := rand.New(rand.NewPCG(seed, 3))
	for i := 0; i < n; i++ {
		m := image.NewNRGBA(image.Rect(0, 0, w, h))
		for k := range m.Pix {
			m.Pix[k] = uint8(r.IntN(256))
			if k%4 == 3 {
				m.Pix[k] = 255
			}
		}
		var buf bytes.Buffer
		png.Encode(&buf, m)
		os.WriteFile(filepath.Join(dir, "im"+strconv.Itoa(i)+".png"), buf.Bytes(), 0o644)
	}
}

func tinyArgs(root, name string) []string {
	return []string{"--dataroot", filepath.Join(root, "data"), "--checkpoints_dir", filepath.Join(root, "ck"), "--name", name,
		"--ngf", "4", "--ndf", "8", "--netG", "resnet_1blocks", "--netD", "n_layers", "--n_layers_D", "2",
		"--load_size", "36", "--crop_size", "32", "--n_epochs", "10", "--n_epochs_decay", "10", "--pool_size", "3",
		"--save_latest_freq", "1", "--seed", "7", "--num_threads", "2", "--print_freq", "5"}
}

// twoEpochRun writes a tiny dataset under root and returns the arguments of
// a run on it of one epoch at the full learning rate and one of decay
// (4 iterations each).
func twoEpochRun(t testing.TB, root, name string) []string {
	t.Helper()
	writeImages(t, filepath.Join(root, "data", "trainA"), 3, 40, 36, 1)
	writeImages(t, filepath.Join(root, "data", "trainB"), 4, 36, 40, 2)
	args := tinyArgs(root, name)
	for i, a := range args {
		if a == "--n_epochs" || a == "--n_epochs_decay" {
			args[i+1] = "1"
		}
	}
	return args
}

func checkAllCheckpoints(t *testing.T, dir string) int {
	t.Helper()
	ck := &train.Checkpoints{Dir: dir}
	steps, err := ck.List()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range steps {
		if _, p, err := ck.Read(n); err != nil {
			t.Fatalf("checkpoint %s unreadable or corrupt after SIGKILL: %v", p, err)
		}
	}
	if len(steps) == 0 {
		return 0
	}
	return steps[0]
}

// killAt runs `cyclegan train args...` with train.StopAtEnv set to stop,
// waits until the process says it froze at that point, SIGKILLs it there,
// and returns everything it printed. With stop "" the run must finish.
func killAt(t *testing.T, stop string, args []string) string {
	t.Helper()
	c := helperCmd(append([]string{"train"}, args...)...)
	if stop != "" {
		c.Env = append(c.Env, train.StopAtEnv+"="+stop)
	}
	var out bytes.Buffer
	c.Stdout = &out
	stderr, err := c.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	frozen := make(chan bool, 1) // true once the marker line was read
	var errOut bytes.Buffer      // stderr, read line by line
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			errOut.WriteString(sc.Text() + "\n")
			if strings.HasPrefix(sc.Text(), train.StopMarker+" ") {
				frozen <- true
				return
			}
		}
		frozen <- false // the process ended without freezing
	}()
	if stop == "" {
		<-frozen
		if err := c.Wait(); err != nil {
			t.Fatalf("training process failed: %v\n%s%s", err, errOut.String(), out.String())
		}
		return errOut.String()
	}
	select {
	case ok := <-frozen:
		if !ok {
			c.Wait()
			t.Fatalf("the run never reached %s:\n%s%s", stop, errOut.String(), out.String())
		}
	case <-time.After(2 * time.Minute):
		c.Process.Kill()
		c.Wait()
		<-frozen // the reader has stopped writing errOut
		t.Fatalf("no %s after 2 minutes:\n%s%s", stop, errOut.String(), out.String())
	}
	if err := c.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	c.Wait()
	return errOut.String()
}

// resumedFrom returns what a run's output says it continued from, e.g.
// "<dir>/state_000000003.ckpt (epoch 1, iteration 3)", or "" if it did not.
func resumedFrom(out string) string {
	_, rest, ok := strings.Cut(out, "continuing from ")
	if !ok {
		return ""
	}
	line, _, _ := strings.Cut(rest, "\n")
	return line
}

// A training process SIGKILLed at chosen points never leaves a corrupt
// checkpoint, every --continue_train resumes from the newest complete
// checkpoint, and the final weights are bit-identical to those of an
// uninterrupted run. The points (train.StopAtEnv) are deterministic: the
// test kills the process exactly where it froze, so no clock or random
// seed decides what is tested. The run has 4 iterations per epoch, a
// checkpoint after every iteration and at each epoch's end, and 4 epochs
// (2 of them with learning-rate decay), 16 steps in all.
func TestSIGKILLResume(t *testing.T) {
	root := t.TempDir()
	writeImages(t, filepath.Join(root, "data", "trainA"), 3, 40, 36, 1)
	writeImages(t, filepath.Join(root, "data", "trainB"), 4, 36, 40, 2)
	args := func(name string) []string {
		a := tinyArgs(root, name)
		for i := range a {
			if a[i] == "--n_epochs" || a[i] == "--n_epochs_decay" {
				a[i+1] = "2"
			}
		}
		return append(a, "--no_export")
	}
	run := filepath.Join(root, "ck", "killed")
	ck := &train.Checkpoints{Dir: run}
	for i, c := range []struct {
		stop       string // where this process is killed ("" lets it finish)
		why        string
		resumeFrom int    // the checkpoint it must continue from (0: a fresh run)
		at         [2]int // the epoch and iteration that checkpoint holds
		newest     int    // the newest checkpoint after the kill
	}{
		{"saved:1", "killed right after the first checkpoint exists", 0, [2]int{}, 1},
		{"writing:3", "killed halfway through writing the epoch-end checkpoint of step 4", 1, [2]int{1, 1}, 3},
		{"step:3", "killed mid-epoch, after step 6 and before its checkpoint", 3, [2]int{1, 3}, 5},
		{"saved:3", "killed right after the epoch-end checkpoint of step 8", 5, [2]int{2, 1}, 8},
		{"", "not killed: runs to the end, through the decay epochs", 8, [2]int{3, 0}, 16},
	} {
		a := args("killed")
		if i > 0 {
			a = append(a, "--continue_train")
		}
		out := killAt(t, c.stop, a)
		want := ""
		if c.resumeFrom > 0 {
			want = fmt.Sprintf("%s (epoch %d, iteration %d)", filepath.Join(run, fmt.Sprintf("state_%09d.ckpt", c.resumeFrom)), c.at[0], c.at[1])
		}
		if got := resumedFrom(out); got != want {
			t.Fatalf("run %d (%s) continued from %q, want %q:\n%s", i+1, c.why, got, want, out)
		}
		if n := checkAllCheckpoints(t, run); n != c.newest {
			t.Fatalf("run %d (%s): newest checkpoint is step %d, want %d", i+1, c.why, n, c.newest)
		}
		tmps, _ := filepath.Glob(filepath.Join(run, ".state_*.tmp"))
		if strings.HasPrefix(c.stop, "writing:") && len(tmps) == 0 {
			t.Fatalf("run %d: no half-written temporary file: the kill did not land during the write", i+1)
		}
		if !strings.HasPrefix(c.stop, "writing:") && len(tmps) > 0 {
			t.Errorf("run %d: temporary files left: %v", i+1, tmps)
		}
		t.Logf("run %d (%s %s): resumed from %q; newest checkpoint %d", i+1, c.stop, c.why, want, c.newest)
	}
	// The same run without interruptions, in this process.
	o := train.Defaults()
	fs := newFlagSet(&o)
	if err := fs.Parse(args("straight")); err != nil {
		t.Fatal(err)
	}
	rr, err := train.Setup(o, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if err := rr.Train(context.Background(), train.Hooks{Log: &bytes.Buffer{}}, 0); err != nil {
		t.Fatal(err)
	}
	killed, _, err := ck.Latest(nil)
	if err != nil {
		t.Fatal(err)
	}
	straight := rr.State()
	if killed.Steps != straight.Steps {
		t.Fatalf("killed run ended at step %d, straight at %d", killed.Steps, straight.Steps)
	}
	killed.Options, straight.Options = train.Options{}, train.Options{}
	if !bytes.Equal(killed.Encode(), straight.Encode()) {
		t.Fatal("the run killed and resumed several times ends with other weights than the uninterrupted run")
	}
}

// TestInterruptExitStatus: Ctrl-C (SIGINT) during training saves a valid
// checkpoint, says how to continue, and exits with status 130, so that a
// script running the trainer (make models) stops instead of exporting a
// half-trained model as if training had finished.
func TestInterruptExitStatus(t *testing.T) {
	root := t.TempDir()
	writeImages(t, filepath.Join(root, "data", "trainA"), 3, 40, 36, 1)
	writeImages(t, filepath.Join(root, "data", "trainB"), 4, 36, 40, 2)
	args := append(tinyArgs(root, "stopped"), "--n_epochs", "200")
	c := helperCmd(append([]string{"train"}, args...)...)
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(root, "ck", "stopped")
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		if m, _ := filepath.Glob(filepath.Join(run, "state_*.ckpt")); len(m) > 0 {
			break
		}
		if time.Now().After(deadline) {
			c.Process.Kill()
			t.Fatalf("no checkpoint after 2 minutes:\n%s", out.String())
		}
	}
	c.Process.Signal(os.Interrupt)
	err := c.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("interrupted training ended with %v, want exit status 130\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "--continue_train") {
		t.Errorf("the interrupted run does not say how to continue:\n%s", out.String())
	}
	if n := checkAllCheckpoints(t, run); n == 0 {
		t.Error("no valid checkpoint after the interrupt")
	}
	if _, err := os.Stat(filepath.Join(run, "stopped.cgw")); err == nil {
		t.Error("an interrupted run exported weights as if it had finished")
	}
}
