package main

import (
	"bytes"
	"context"
	"errors"
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

// A training process killed with SIGKILL at random moments, several times,
// never leaves a corrupt checkpoint, every --continue_train resumes, and
// the final weights equal those of an uninterrupted run.
func TestSIGKILLResume(t *testing.T) {
	root := t.TempDir()
	writeImages(t, filepath.Join(root, "data", "trainA"), 3, 40, 36, 1)
	writeImages(t, filepath.Join(root, "data", "trainB"), 4, 36, 40, 2)
	run := filepath.Join(root, "ck", "killed")
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	last := 0
	kills := 0
	for attempt := 0; attempt < 12 && kills < 4; attempt++ {
		args := tinyArgs(root, "killed")
		if attempt > 0 {
			args = append(args, "--continue_train")
		}
		c := helperCmd(append([]string{"train"}, args...)...)
		var out bytes.Buffer
		c.Stdout, c.Stderr = &out, &out
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- c.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("training process failed: %v\n%s", err, out.String())
			}
			attempt = 100 // finished
		case <-time.After(time.Duration(150+r.IntN(600)) * time.Millisecond):
			c.Process.Signal(syscall.SIGKILL)
			<-done
			kills++
		}
		n := checkAllCheckpoints(t, run)
		if n < last {
			t.Fatalf("newest checkpoint went back from step %d to %d", last, n)
		}
		last = n
		if attempt > 0 && attempt < 100 && !strings.Contains(out.String(), "continuing from") && n > 0 {
			t.Logf("attempt %d output: %s", attempt, out.String())
		}
	}
	if kills < 3 {
		t.Fatalf("only %d kills happened before training finished; make the run longer", kills)
	}
	// Finish the run.
	c := helperCmd(append([]string{"train"}, append(tinyArgs(root, "killed"), "--continue_train", "--no_export")...)...)
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("final resume: %v\n%s", err, out)
	}
	// The same run without interruptions, in this process.
	o := train.Defaults()
	fs := newFlagSet(&o)
	if err := fs.Parse(append(tinyArgs(root, "straight"), "--no_export")); err != nil {
		t.Fatal(err)
	}
	rr, err := train.Setup(o, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if err := rr.Train(context.Background(), train.Hooks{Log: &bytes.Buffer{}}, 0); err != nil {
		t.Fatal(err)
	}
	killed, _, err := (&train.Checkpoints{Dir: run}).Latest(nil)
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
	t.Logf("%d kills, final step %d", kills, killed.Steps)
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
