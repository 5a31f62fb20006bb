#!/usr/bin/env bash
# import_pth.sh CACHE imports every CACHE/torch/NAME.pth into CACHE/cgw/NAME.cgw
# with `cyclegan import --dtype f32`, so that a benchmark peer and ours run the
# very same weights. Used by bench/ort_web/prepare.sh and bench/ort_native/prepare.sh.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=$(cd "$1" && pwd)
export GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd

echo "== cyclegan import (float32 storage)"
(cd "$root" && go build -o "$cache/bin/cyclegan" ./trainer)
rm -rf "$cache/cgw"
mkdir -p "$cache/cgw"
for pth in "$cache"/torch/*.pth; do
	name=$(basename "$pth" .pth)
	"$cache/bin/cyclegan" import --dtype f32 --name "$name" -o "$cache/cgw/$name.cgw" "$pth"
done
