#!/usr/bin/env bash
# make bench: the speed figures of docs/PERF.md, in one run.
#
#   1. generator forward (inference, frozen weights) natively, 1 and 2 threads:
#      ngf 64 / 9 blocks, ngf 32 / 9 blocks, ngf 16 / 6 blocks, 256×256
#      (go test -bench GeneratorForward ./nn: ms/op, GFLOP/s, GFLOP/cpu-s);
#   2. the same under GOOS=js GOARCH=wasm (one thread), in headless Chromium
#      through bench/chromewasm when Chromium is installed, else in node
#      (WASM_IN=node forces node);
#   3. one CycleGAN training iteration (ngf 32, 6 blocks, 128², ndf 64),
#      1 and 2 threads, if trainer/train has BenchmarkIteration;
#   4. the PyTorch CPU peer (bench/pytorch_peer.py) when Debian's python3 has
#      torch, and the ratios ours / PyTorch at the same thread count
#      (below 1: we are faster).
#
# Environment: GO (go), BENCHTIME (3x native), WASM_BENCHTIME (2x), WASM_IN,
# PEER_REPS (5), SKIP_WASM=1, SKIP_PEER=1. About 3–5 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
export GOTOOLCHAIN=${GOTOOLCHAIN:-go1.27.3} GOEXPERIMENT=${GOEXPERIMENT:-simd}
BENCHTIME=${BENCHTIME:-3x}
WASM_BENCHTIME=${WASM_BENCHTIME:-2x}
PEER_REPS=${PEER_REPS:-5}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ *//' || true)
flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)
simd=$(for f in avx512f avx2 fma; do [[ " $flags " == *" $f "* ]] && printf '%s ' "$f"; done)
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $cpu, $(nproc) cores, ${simd:-no AVX}, $($GO version | cut -d' ' -f3), GOEXPERIMENT=$GOEXPERIMENT"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (figures are meaningful only on an otherwise idle machine)"

echo "## generator forward, native (threads = GOMAXPROCS for the pass)"
$GO test -run '^$' -bench 'GeneratorForward' -benchtime "$BENCHTIME" ./nn | tee "$out/native.txt" | grep -E '^(Benchmark|cpu:|--- FAIL|FAIL|ok)' || true
grep -q '^ok' "$out/native.txt" || { echo "native benchmark failed" >&2; exit 1; }

if [[ "${SKIP_WASM:-}" != 1 ]]; then
	# In Chromium (V8 as in the page) when it is installed, else in node.
	wasm_exec="$($GO env GOROOT)/lib/wasm/go_js_wasm_exec" where="node"
	if [[ "${WASM_IN:-chromium}" == chromium ]] && { command -v chromium || command -v chromium-browser || [[ -n "${CHROME:-}" ]]; } >/dev/null 2>&1; then
		$GO build -o "$out/chromewasm" ./bench/chromewasm
		wasm_exec="$out/chromewasm" where="headless Chromium (bench/chromewasm)"
	fi
	echo "## generator forward, js/wasm in $where (1 thread)"
	GOOS=js GOARCH=wasm $GO test -exec="$wasm_exec" \
		-run '^$' -bench 'GeneratorForward' -benchtime "$WASM_BENCHTIME" ./nn | tee "$out/wasm.txt" | grep -E '^(Benchmark|--- FAIL|FAIL|ok)' || true
	grep -q '^ok' "$out/wasm.txt" || { echo "wasm benchmark failed" >&2; exit 1; }
fi

if grep -qs 'func BenchmarkIteration(' trainer/train/*_test.go; then
	echo "## training iteration (trainer/train BenchmarkIteration; -cpu sets the threads)"
	$GO test -run '^$' -bench 'Iteration$' -benchtime 2x -cpu 1,2 ./trainer/train | tee "$out/train.txt" | grep -E '^(Benchmark|--- FAIL|FAIL|ok)' || true
fi

if [[ "${SKIP_PEER:-}" != 1 ]] && /usr/bin/python3 -c 'import torch' 2>/dev/null; then
	echo "## PyTorch peer (bench/pytorch_peer.py, median of $PEER_REPS)"
	/usr/bin/python3 bench/pytorch_peer.py --reps "$PEER_REPS" | tee "$out/peer.jsonl"
	echo "## ratios ours / PyTorch, time at the same thread count (< 1: ours is faster)"
	awk '
	FILENAME ~ /peer.jsonl$/ {
		if ($0 ~ /"bench": "generator_forward"/) {
			match($0, /"ngf": [0-9]+/); ngf = substr($0, RSTART + 7, RLENGTH - 7)
			match($0, /"n_blocks": [0-9]+/); nb = substr($0, RSTART + 12, RLENGTH - 12)
			match($0, /"threads": [0-9]+/); th = substr($0, RSTART + 11, RLENGTH - 11)
			match($0, /"median_ms": [0-9.]+/); peer["ngf" ngf "-b" nb "-256/threads=" th] = substr($0, RSTART + 13, RLENGTH - 13)
		}
		if ($0 ~ /"bench": "cyclegan_train_iteration"/) {
			match($0, /"threads": [0-9]+/); th = substr($0, RSTART + 11, RLENGTH - 11)
			match($0, /"median_ms": [0-9.]+/); peer["iteration/threads=" th] = substr($0, RSTART + 13, RLENGTH - 13)
		}
		next
	}
	/^BenchmarkGeneratorForward\// {
		split($1, p, "/"); key = p[2] "/" p[3]; sub(/-[0-9]+$/, "", key)
		for (i = 2; i < NF; i++) if ($(i + 1) == "ms/op") ours[key] = $i
		order[++n] = key
	}
	/^BenchmarkIteration/ {
		th = 1; if (match($1, /-[0-9]+$/)) th = substr($1, RSTART + 1)
		key = "iteration/threads=" th
		ours[key] = $3 / 1e6; order[++n] = key
	}
	END {
		for (i = 1; i <= n; i++) {
			k = order[i]
			if (k in peer) printf "%-28s ours %9.1f ms   PyTorch %9.1f ms   ratio %5.2f\n", k, ours[k], peer[k], ours[k] / peer[k]
		}
	}' "$out/peer.jsonl" "$out/native.txt" $( [[ -f "$out/train.txt" ]] && echo "$out/train.txt" )
else
	echo "## PyTorch peer skipped (needs /usr/bin/python3 with torch: apt-get install python3-torch libopenblas0)"
fi
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
