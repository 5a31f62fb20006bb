# CycleGAN in Go. `make demo` serves the translator page; `make test` runs every test.
# The fast kernels need Go 1.27 with the simd experiment; the Makefile sets both,
# so `make X` works in a plain shell (Go fetches the toolchain on first use).
export GOTOOLCHAIN := go1.27.3
export GOEXPERIMENT := simd

GO      ?= go
GOROOT  := $(shell $(GO) env GOROOT)
WASMEXEC := $(GOROOT)/lib/wasm/go_js_wasm_exec

.PHONY: all build test test-native test-purego test-wasm bench wasm site demo clean

all: build

## build: the native command bin/cyclegan (train, translate, import, export, info)
build:
	$(GO) build -o bin/cyclegan ./trainer

## test: native tests with the SIMD kernels, again with the portable kernels, and nn under js/wasm
test: test-native test-purego test-wasm

test-native:
	$(GO) test -count=1 ./...

test-purego:
	$(GO) test -count=1 -tags purego ./...

test-wasm:
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec=$(WASMEXEC) ./nn

## wasm: the browser program alone, as `make site` builds it (bin/cyclegan.wasm)
wasm:
	GOOS=js GOARCH=wasm GOEXPERIMENT=$(GOEXPERIMENT),nojsonv2 $(GO) build -trimpath -ldflags='-s -w' -o bin/cyclegan.wasm ./wasm

## site: the deployable folder dist/ (page, cyclegan.wasm, wasm_exec.js, the weight files in models/, models.json)
site: build
	bin/cyclegan site -o dist -models models

## demo: build dist/ and serve it on http://localhost:8080
demo: site
	bin/cyclegan serve -addr :8080 dist

## bench: generator forward natively (1 and 2 threads) and in wasm, a training iteration,
## and the PyTorch peer with ratios when python3-torch is installed (scripts/bench.sh)
bench:
	GO=$(GO) scripts/bench.sh

clean:
	rm -rf bin dist
