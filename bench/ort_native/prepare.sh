#!/usr/bin/env bash
# prepare.sh fills the cache that the ONNX Runtime native CPU peer of
# `make bench` (bench/ort_native/run.js, scripts/bench.sh) needs:
#
#   CACHE/node_modules/onnxruntime-node/  npm onnxruntime-node 1.30.x, which ships its
#                                         native libonnxruntime.so for linux x64 in the package
#   CACHE/ORT_VERSION                     the exact version installed
#   CACHE/torch/NAME.pth, NAME.onnx       random-initialised official ResNet generators, made by
#                                         bench/ort_web/export_onnx.py (its CONFIGS):
#                                         NAME is ngf16_b6, ngf64_b9, ngf32_b9
#   CACHE/cgw/NAME.cgw                    the same .pth imported by `cyclegan import --dtype f32`
#   CACHE/input-256.f32                   the fixed 1×3×256×256 input both engines run on
#                                         (little-endian float32 in [-1, 1), made by run.js)
#
# Usage (from anywhere in the repository):
#
#   bench/ort_native/prepare.sh [CACHE]
#
# CACHE defaults to $ORT_NATIVE_CACHE, else .cache/ort-native in the repository root
# (gitignored). Needs node and npm (and the npm registry), /usr/bin/python3 with torch
# (Debian: apt-get install python3-torch; override with PYTHON=...) and Go. Nothing else
# in the project needs them. Running it again reinstalls and re-exports (the same seeds
# give the same weights).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache=${1:-${ORT_NATIVE_CACHE:-$root/.cache/ort-native}}
python=${PYTHON:-/usr/bin/python3}
ort_spec='onnxruntime-node@~1.30.0' # the newest 1.30.x patch release (1.30.0 is the newest 1.x on 2026-12-03)

# The same Go settings as the Makefile.
export GOTOOLCHAIN=${GOTOOLCHAIN:-go1.27.3} GOEXPERIMENT=${GOEXPERIMENT:-simd}

for tool in node npm; do
	command -v "$tool" >/dev/null || { echo "prepare.sh: $tool not found (Debian: apt-get install nodejs npm)" >&2; exit 1; }
done
if ! "$python" -c 'import torch' 2>/dev/null; then
	echo "prepare.sh: $python cannot import torch (Debian: apt-get install python3-torch, or set PYTHON)" >&2
	exit 1
fi

mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

echo "== npm install $ort_spec into $cache"
# The CPU binaries are in the package (bin/napi-v6/<os>/<arch>/). Its postinstall script
# (script/install.js) only fetches what is not bundled, the CUDA / TensorRT providers, from
# NuGet: --ignore-scripts skips it (as would ONNXRUNTIME_NODE_INSTALL=skip), so nothing but
# the npm registry is contacted.
ONNXRUNTIME_NODE_INSTALL=skip npm install --prefix "$cache" --no-audit --no-fund --ignore-scripts --save-exact "$ort_spec"
version=$(node -p "require(process.argv[1]).version" "$cache/node_modules/onnxruntime-node/package.json")
echo "== check that onnxruntime-node $version loads under node $(node --version)"
node -e '
const ort = require(process.argv[1]);
const backends = ort.listSupportedBackends().map((b) => b.name);
if (!backends.includes("cpu")) throw new Error("no cpu backend: " + backends.join(","));
console.log("backends:", backends.join(", "));
' "$cache/node_modules/onnxruntime-node"
echo "$version" >"$cache/ORT_VERSION"

echo "== PyTorch checkpoints and ONNX export (bench/ort_web/export_onnx.py, $python)"
# The very weights of .cache/ort-web (the same script and seeds).
"$python" "$root/bench/ort_web/export_onnx.py" --out "$cache/torch"

"$root/bench/import_pth.sh" "$cache"

echo "== fixed input"
node "$root/bench/ort_native/run.js" --cache "$cache" --write-input

echo "== ready: $cache (onnxruntime-node $version)"
