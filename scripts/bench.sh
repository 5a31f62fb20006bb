#!/usr/bin/env bash
# make bench: the speed figures of docs/PERF.md, in one run.
#
#   1. generator forward (inference, frozen weights) natively, 1 and 2 threads:
#      ngf 64 / 9 blocks, ngf 32 / 9 blocks, ngf 16 / 6 blocks, 256×256
#      (go test -bench GeneratorForward ./nn: ms/op, GFLOP/s, GFLOP/cpu-s);
#   1b. `cyclegan translate` on a folder of 4 photos of 256×256, ms per photo, 1 and
#      2 threads (go test -bench TranslateFolder ./trainer: each run loads the weight
#      file once, so a quarter of a load is in each photo's time);
#   2. the same under GOOS=js GOARCH=wasm (one thread), in headless Chromium
#      through bench/chromewasm when Chromium is installed, else in node
#      (WASM_IN=node forces node);
#   3. one CycleGAN training iteration (ngf 32, 6 blocks, 128², ndf 64),
#      1 and 2 threads, if trainer/train has BenchmarkIteration;
#   4. the PyTorch CPU peer (bench/pytorch_peer.py) when Debian's python3 has
#      torch, and the ratios ours / PyTorch at the same thread count
#      (below 1: we are faster);
#   5. ONNX Runtime's native CPU runner (npm onnxruntime-node, bench/ort_native)
#      when node is installed and bench/ort_native/prepare.sh has run (or can:
#      npm and python3-torch), on the same weights as ours: ours on that input
#      (bench/ort_native/goforward), ORT's output checked against it, and the
#      ratios ours / ORT (forward, same input, translate per photo).
#
# Environment: GO (go), BENCHTIME (3x native), WASM_BENCHTIME (2x), WASM_IN,
# PEER_REPS (5), SKIP_WASM=1, SKIP_PEER=1, SKIP_ORT=1, ORT_REPS (PEER_REPS),
# ORT_NATIVE_CACHE (.cache/ort-native). About 3–5 minutes on 2 cores.
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
$GO test -run '^$' -bench 'GeneratorForward$' -benchtime "$BENCHTIME" ./nn | tee "$out/native.txt" | grep -E '^(Benchmark|cpu:|--- FAIL|FAIL|ok)' || true
grep -q '^ok' "$out/native.txt" || { echo "native benchmark failed" >&2; exit 1; }

echo "## cyclegan translate on a folder of 4 photos, per photo (one load per run of 4, I/O overlapped)"
$GO test -run '^$' -bench 'TranslateFolder' -benchtime 2x ./trainer | tee "$out/translate.txt" | grep -E '^(Benchmark|--- FAIL|FAIL|ok)' || true
grep -q '^ok' "$out/translate.txt" || { echo "translate benchmark failed" >&2; exit 1; }

if [[ "${SKIP_WASM:-}" != 1 ]]; then
	# In Chromium (V8 as in the page) when it is installed, else in node.
	wasm_exec="$($GO env GOROOT)/lib/wasm/go_js_wasm_exec" where="node"
	if [[ "${WASM_IN:-chromium}" == chromium ]] && { command -v chromium || command -v chromium-browser || [[ -n "${CHROME:-}" ]]; } >/dev/null 2>&1; then
		$GO build -o "$out/chromewasm" ./bench/chromewasm
		wasm_exec="$out/chromewasm" where="headless Chromium (bench/chromewasm)"
	fi
	echo "## generator forward, js/wasm in $where (1 thread)"
	GOOS=js GOARCH=wasm $GO test -exec="$wasm_exec" \
		-run '^$' -bench 'GeneratorForward$' -benchtime "$WASM_BENCHTIME" ./nn | tee "$out/wasm.txt" | grep -E '^(Benchmark|--- FAIL|FAIL|ok)' || true
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
# 5. ONNX Runtime's native CPU runner (npm onnxruntime-node) on the same weights as ours.
if [[ "${SKIP_ORT:-}" == 1 ]]; then
	echo "## ONNX Runtime peer skipped (SKIP_ORT=1)"
elif ! command -v node >/dev/null 2>&1; then
	echo "## ONNX Runtime peer skipped (needs node and npm, and python3-torch to prepare: bench/README.md)"
else
	ort_cache=${ORT_NATIVE_CACHE:-$PWD/.cache/ort-native}
	ort_ready() { [[ -f "$ort_cache/ORT_VERSION" && -f "$ort_cache/input-256.f32" && -f "$ort_cache/torch/models.json" && -d "$ort_cache/cgw" ]]; }
	if ! ort_ready; then
		if command -v npm >/dev/null 2>&1 && /usr/bin/python3 -c 'import torch' 2>/dev/null; then
			echo "## preparing $ort_cache (bench/ort_native/prepare.sh: npm onnxruntime-node, ONNX export, cyclegan import)"
			bench/ort_native/prepare.sh "$ort_cache" >"$out/ort_prepare.log" 2>&1 || { tail -n 5 "$out/ort_prepare.log"; echo "## bench/ort_native/prepare.sh failed (above)"; }
		fi
	fi
	if ! ort_ready; then
		echo "## ONNX Runtime peer skipped (no prepared $ort_cache; bench/ort_native/prepare.sh needs npm and /usr/bin/python3 with torch)"
	else
		ORT_REPS=${ORT_REPS:-$PEER_REPS}
		ort_threads=1 # 1 and 2 threads (the figures of docs/PERF.md), and all cores when there are more
		if (( $(nproc) > 1 )); then ort_threads=1,2; fi
		if (( $(nproc) > 2 )); then ort_threads=1,2,$(nproc); fi
		echo "## ONNX Runtime peer: onnxruntime-node $(cat "$ort_cache/ORT_VERSION"), CPU EP, intra-op threads $ort_threads, inter-op 1, graph optimisation all, sequential; median of $ORT_REPS"
		echo "# ours on the very weights and input ORT runs (bench/ort_native/goforward: translate.Translator.Tensor), then ORT (bench/ort_native/run.js)"
		$GO run ./bench/ort_native/goforward -cache "$ort_cache" -threads "$ort_threads" -reps "$ORT_REPS" -out "$out/ours-out" | tee "$out/ours_same.jsonl"
		# run.js checks ORT's output against ours (max |Δ| <= 1e-3) before timing; a mismatch fails make bench.
		node bench/ort_native/run.js --cache "$ort_cache" --ref "$out/ours-out" --threads "$ort_threads" --reps "$ORT_REPS" | tee "$out/ort.jsonl"
		echo "## ratios ours / ONNX Runtime, time at the same thread count (< 1: ours is faster)"
		echo "#   forward: go test GeneratorForward (other random weights, same architecture); same input: goforward above;"
		echo "#   translate: TranslateFolder ms per 256² photo (load the f32 file once, 4 PNGs decoded, translated, encoded). ORT: run.js's session.run;"
		echo "#   translate / ORT folder: the same against ORT's (session creation + 4 session.run) / 4 (no image decoding or encoding on ORT's side)"
		awk '
		function num(s, k,   t) { if (!match(s, "\"" k "\": ?[0-9.]+")) return ""; t = substr(s, RSTART, RLENGTH); sub(/^[^:]*: ?/, "", t); return t }
		function key(s) { return "ngf" num(s, "ngf") "-b" num(s, "n_blocks") "/threads=" num(s, "threads") }
		FILENAME ~ /ort.jsonl$/ && /"bench":"generator_forward"/ { k = key($0); ort[k] = num($0, "median_ms"); folder[k] = (num($0, "session_ms") + 4 * ort[k]) / 4; order[++n] = k; next }
		FILENAME ~ /ours_same.jsonl$/ && /"bench":"generator_forward"/ { same[key($0)] = num($0, "median_ms"); next }
		/^BenchmarkGeneratorForward\// {
			split($1, p, "/"); m = p[2]; th = p[3]; sub(/-[0-9]+$/, "", th)
			for (i = 2; i < NF; i++) if ($(i + 1) == "ms/op") fwd[m "/" th] = $i
		}
		/^BenchmarkTranslateFolder\// {
			split($1, p, "/"); m = p[2]; th = p[3]; sub(/-[0-9]+$/, "", th)
			for (i = 2; i < NF; i++) if ($(i + 1) == "ms/photo") tr[m "-256/" th] = $i
		}
		function cell(ours, peer) { return ours == "" ? sprintf("%-20s", "       -") : sprintf("%8.1f ms (%5.2f)", ours, ours / peer) }
		END {
			printf "%-24s %10s   %-20s   %-20s   %-20s   %10s   %s\n", "model/threads", "ORT", "forward (ratio)", "same input (ratio)", "translate (ratio)", "ORT folder", "translate / ORT folder"
			for (i = 1; i <= n; i++) {
				k = order[i]; gk = k; sub(/\//, "-256/", gk)
				t = sprintf("%-24s %7.1f ms   %s   %s   %s   %7.1f ms   %s", k, ort[k], cell(fwd[gk], ort[k]), cell(same[k], ort[k]), cell(tr[gk], ort[k]), folder[k], tr[gk] == "" ? "" : sprintf("%5.2f", tr[gk] / folder[k])); sub(/ +$/, "", t); print t
			}
		}' "$out/ort.jsonl" "$out/ours_same.jsonl" "$out/native.txt" "$out/translate.txt"
	fi
fi
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
