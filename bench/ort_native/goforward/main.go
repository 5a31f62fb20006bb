// Command goforward is our side of the ONNX Runtime native peer (bench/ort_native): it
// runs the generators that bench/ort_native/prepare.sh imported (CACHE/cgw/NAME.cgw, the
// same weights as CACHE/torch/NAME.onnx) on the same fixed input (CACHE/input-256.f32),
// writes each output for run.js to compare with ONNX Runtime's, and times the pass.
//
//	go run ./bench/ort_native/goforward [-cache DIR] [-models ngf64_b9,...] \
//	    [-threads 1,2] [-reps 5] [-warmup 2] [-out DIR]
//
// What is timed is translate.Translator.Tensor, the translation of `cyclegan translate`
// without the 8-bit conversion and the image files: the generator's forward pass on a
// frozen model, threads set by GOMAXPROCS. It prints one JSON object per line, as
// run.js does (bench "generator_forward", median_ms and min_ms of -reps after -warmup).
// With -out DIR it writes DIR/NAME.out.f32, the output of the first (untimed) pass,
// 1×3×256×256 little-endian float32. -reps 0 only writes the outputs.
package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cyclegan-go/cyclegan/nn"
	"github.com/cyclegan-go/cyclegan/translate"
)

const size = 256

func main() {
	cache := flag.String("cache", defaultCache(), "the cache of bench/ort_native/prepare.sh")
	models := flag.String("models", "ngf64_b9,ngf32_b9,ngf16_b6", "comma-separated model names (CACHE/cgw/NAME.cgw); missing ones are skipped")
	threadList := flag.String("threads", defaultThreads(), "comma-separated thread counts (GOMAXPROCS)")
	reps := flag.Int("reps", 5, "timed passes per model and thread count (0: none)")
	warmup := flag.Int("warmup", 2, "untimed passes before them (at least 1)")
	out := flag.String("out", "", "folder for NAME.out.f32, the outputs")
	flag.Parse()
	if err := run(*cache, *models, *threadList, *reps, max(*warmup, 1), *out); err != nil {
		fmt.Fprintln(os.Stderr, "goforward:", err)
		os.Exit(1)
	}
}

func defaultCache() string {
	if c := os.Getenv("ORT_NATIVE_CACHE"); c != "" {
		return c
	}
	return filepath.Join(".cache", "ort-native")
}

func defaultThreads() string {
	if n := runtime.NumCPU(); n > 1 {
		return "1," + strconv.Itoa(n)
	}
	return "1"
}

func run(cache, models, threadList string, reps, warmup int, out string) error {
	var threads []int
	for _, s := range strings.Split(threadList, ",") {
		t, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || t < 1 {
			return fmt.Errorf("-threads: bad count %q", s)
		}
		threads = append(threads, t)
	}
	x, err := readF32(filepath.Join(cache, fmt.Sprintf("input-%d.f32", size)), 3*size*size)
	if err != nil {
		return err
	}
	in := nn.FromData(x, 1, 3, size, size)
	if out != "" {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return err
		}
	}
	engine := "ours (" + nn.GemmKernel() + ")"
	enc := json.NewEncoder(os.Stdout)
	ctx := context.Background()
	for _, name := range strings.Split(models, ",") {
		path := filepath.Join(cache, "cgw", name+".cgw")
		if _, err := os.Stat(path); err != nil {
			continue
		}
		m, err := translate.Open(path)
		if err != nil {
			return err
		}
		tr, err := m.Translator(m.Directions[0].ID)
		if err != nil {
			return err
		}
		cfg := tr.Config()
		for ti, th := range threads {
			old := runtime.GOMAXPROCS(th)
			var ts []float64
			for i := range warmup + reps {
				t0 := time.Now()
				y, err := tr.Tensor(ctx, in, nil)
				if err != nil {
					runtime.GOMAXPROCS(old)
					return fmt.Errorf("%s: %w", name, err)
				}
				if i >= warmup {
					ts = append(ts, float64(time.Since(t0).Nanoseconds())/1e6)
				}
				if i == 0 && ti == 0 && out != "" {
					if err := writeF32(filepath.Join(out, name+".out.f32"), y.Data); err != nil {
						runtime.GOMAXPROCS(old)
						return err
					}
				}
			}
			runtime.GOMAXPROCS(old)
			if reps == 0 {
				break
			}
			slices.Sort(ts)
			med := ts[len(ts)/2]
			if len(ts)%2 == 0 {
				med = (ts[len(ts)/2-1] + ts[len(ts)/2]) / 2
			}
			if err := enc.Encode(result{
				Bench: "generator_forward", Engine: engine, Model: name,
				NGF: cfg.NGF, NBlocks: cfg.NBlocks, Size: size, Threads: th,
				MedianMS: round2(med), MinMS: round2(ts[0]), Reps: reps, Warmup: warmup,
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

// result is one output line, its fields in run.js's order.
type result struct {
	Bench    string  `json:"bench"`
	Engine   string  `json:"engine"`
	Model    string  `json:"model"`
	NGF      int     `json:"ngf"`
	NBlocks  int     `json:"n_blocks"`
	Size     int     `json:"size"`
	Threads  int     `json:"threads"`
	MedianMS float64 `json:"median_ms"`
	MinMS    float64 `json:"min_ms"`
	Reps     int     `json:"reps"`
	Warmup   int     `json:"warmup"`
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

func readF32(path string, n int) ([]float32, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w (run bench/ort_native/prepare.sh)", err)
	}
	if len(b) != 4*n {
		return nil, fmt.Errorf("%s: %d bytes, want %d", path, len(b), 4*n)
	}
	x := make([]float32, n)
	for i := range x {
		x[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return x, nil
}

func writeF32(path string, x []float32) error {
	b := make([]byte, 4*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return os.WriteFile(path, b, 0o644)
}
