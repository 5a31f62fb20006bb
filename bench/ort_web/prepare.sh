#!/usr/bin/env bash
# prepare.sh fills the cache that BenchmarkORTWeb (site/browsertest) needs to
# compare our translator with ONNX Runtime Web in Chromium on the same weights:
#
#   CACHE/node_modules/onnxruntime-web/   npm onnxruntime-web 1.30.x (its dist/ is served to the page)
#   CACHE/ORT_VERSION                     the exact version installed
#   CACHE/torch/NAME.pth, NAME.onnx       random-initialised official ResNet generators
#                                         (export_onnx.py; NAME is ngf16_b6, ngf64_b9, ngf32_b9)
#   CACHE/cgw/NAME.cgw                    the same .pth imported by `cyclegan import --dtype f32`
#
# Usage (from anywhere in the repository):
#
#   bench/ort_web/prepare.sh [CACHE]
#
# CACHE defaults to $ORT_WEB_CACHE, else .cache/ort-web in the repository root
# (gitignored). Needs npm (and the npm registry), /usr/bin/python3 with torch
# (Debian: apt-get install python3-torch; override with PYTHON=...) and Go.
# Nothing else in the project needs npm or Python.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache=${1:-${ORT_WEB_CACHE:-$root/.cache/ort-web}}
python=${PYTHON:-/usr/bin/python3}
ort_spec='onnxruntime-web@~1.30.0' # the newest 1.30.x patch release

# The same Go settings as the Makefile.
export GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd

mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

echo "== npm install $ort_spec into $cache"
# --ignore-scripts: the browser files need no install script (protobufjs has one).
npm install --prefix "$cache" --no-audit --no-fund --ignore-scripts --save-exact "$ort_spec"
version=$(node -p "require(process.argv[1]).version" "$cache/node_modules/onnxruntime-web/package.json")
echo "$version" >"$cache/ORT_VERSION"
echo "onnxruntime-web $version"

echo "== PyTorch checkpoints and ONNX export ($python)"
if ! "$python" -c 'import torch' 2>/dev/null; then
	echo "prepare.sh: $python cannot import torch (Debian: apt-get install python3-torch, or set PYTHON)" >&2
	exit 1
fi
"$python" "$root/bench/ort_web/export_onnx.py" --out "$cache/torch"

"$root/bench/import_pth.sh" "$cache"

echo "== ready: $cache (onnxruntime-web $version)"
