# CycleGAN in Go. `make demo` serves the translator page; `make test` runs every test.
# The fast kernels need Go 1.27 with the simd experiment; the Makefile sets both,
# so `make X` works in a plain shell (Go fetches the toolchain on first use).
export GOTOOLCHAIN := go1.27.3
export GOEXPERIMENT := simd

GO      ?= go
GOROOT  := $(shell $(GO) env GOROOT)
WASMEXEC := $(GOROOT)/lib/wasm/go_js_wasm_exec

.PHONY: all build test test-native test-purego test-wasm test-fuzz bench wasm site demo zoo models clean

all: build

## build: the native command bin/cyclegan (train, translate, import, export, info)
build:
	$(GO) build -o bin/cyclegan ./trainer

## test: native tests with the SIMD kernels, again with the portable kernels (purego),
## nn and weights under js/wasm in node, and a short run of each fuzzer from its seed corpus
test: test-native test-purego test-wasm test-fuzz

test-native:
	$(GO) test -count=1 ./...

test-purego:
	$(GO) test -count=1 -tags purego ./...

test-wasm:
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec=$(WASMEXEC) ./nn
	GOOS=js GOARCH=wasm $(GO) test -count=1 -short -exec=$(WASMEXEC) ./weights

## test-fuzz: the weight-file and checkpoint fuzzers, briefly (FUZZTIME=10m for a long run)
FUZZTIME ?= 10s
test-fuzz:
	$(GO) test -run XXX -fuzz '^FuzzRead$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 100x ./weights
	$(GO) test -run XXX -fuzz '^FuzzReadBody$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 100x ./weights
	$(GO) test -run XXX -fuzz '^FuzzDecodeMeta$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 100x ./weights
	$(GO) test -run XXX -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 100x ./weights/pth

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

## zoo: download an official pretrained model and import it (needs the network): make zoo MODEL=horse2zebra
zoo: build
	@test -n "$(MODEL)" || { echo "usage: make zoo MODEL=horse2zebra   (bin/cyclegan zoo --help lists the models)"; exit 2; }
	bin/cyclegan zoo --dir models $(MODEL)

## models: train the shipped default models on the weather photos (docs/MODELS.md);
## resumable: run it again (or with RESUME=1) after an interruption and it continues
DATA ?= ../shared/datasets/weather
models: build
	DATA=$(DATA) scripts/models.sh

clean:
	rm -rf bin dist
