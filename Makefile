# CycleGAN in Go. `make demo` serves the translator page; `make test` runs every test.
# The fast kernels need Go 1.27 with the simd experiment; the Makefile sets both,
# so `make X` works in a plain shell (Go fetches the toolchain on first use).
export GOTOOLCHAIN := go1.27.3
export GOEXPERIMENT := simd

GO      ?= go
# (GNU make before 4.4 does not pass exported variables to $(shell): name the toolchain here)
GOROOT  := $(shell GOTOOLCHAIN=$(GOTOOLCHAIN) $(GO) env GOROOT)
WASMEXEC := $(GOROOT)/lib/wasm/go_js_wasm_exec

.PHONY: all build test test-deps test-native test-purego test-wasm test-race test-fuzz bench wasm site demo zoo models classifier evaluate gallery pictures bench-ort-web clean

all: build

## build: the native command bin/cyclegan (train, translate, import, export, info, eval, gallery, ...)
build:
	$(GO) build -o bin/cyclegan ./trainer

## test: native tests with the SIMD kernels, again with the portable kernels (purego),
## nn and weights under js/wasm in node, the race detector on the concurrent parts, and a short
## run of each fuzzer from its seed corpus;
## test-deps first installs node and Chromium if missing (scripts/test-deps.sh)
test: test-native test-purego test-wasm test-race test-fuzz

## test-deps: node and Chromium, installed with apt-get when run as root, or a stop with the command to run
test-deps:
	scripts/test-deps.sh

test-native: test-deps
	$(GO) test -count=1 ./...

test-purego: test-deps
	$(GO) test -count=1 -tags purego ./...

test-wasm: test-deps
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec=$(WASMEXEC) ./nn
	GOOS=js GOARCH=wasm $(GO) test -count=1 -short -exec=$(WASMEXEC) ./weights

## test-race: the race detector on what runs concurrently: one model serving several translations
## at once (translate) and the parallel kernels (nn)
test-race: test-deps
	$(GO) test -count=1 -race ./translate
	$(GO) test -count=1 -race -run 'Parallel|Concurrent|Threads' ./nn

## test-fuzz: the weight-file, checkpoint and translate fuzzers, briefly (FUZZTIME=10m for a long run)
FUZZTIME ?= 10s
test-fuzz:
	$(GO) test -run XXX -fuzz '^FuzzRead$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 100x ./weights
	$(GO) test -run XXX -fuzz '^FuzzReadBody$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 100x ./weights
	$(GO) test -run XXX -fuzz '^FuzzDecodeMeta$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 100x ./weights
	$(GO) test -run XXX -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 100x ./weights/pth
	$(GO) test -run XXX -fuzz '^FuzzTranslate$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 100x ./translate

## wasm: the browser program alone, as `make site` builds it (bin/cyclegan.wasm)
wasm:
	GOOS=js GOARCH=wasm GOEXPERIMENT=$(GOEXPERIMENT),nojsonv2 $(GO) build -trimpath -ldflags='-s -w' -o bin/cyclegan.wasm ./wasm

## site: the deployable folder dist/ (page, cyclegan.wasm, wasm_exec.js, the weight files in models/, models.json)
site: build
	bin/cyclegan site -o dist -models models

## demo: build dist/ and serve it on http://127.0.0.1:8080 (this machine only; ADDR=:8080 for every interface)
demo: site
	bin/cyclegan serve $(if $(ADDR),-addr $(ADDR)) dist

## bench: generator forward natively (1 and 2 threads) and in wasm, a training iteration,
## and the PyTorch peer with ratios when python3-torch is installed, and ONNX Runtime's
## native peer (onnxruntime-node, bench/ort_native) when node is (scripts/bench.sh)
bench:
	GO=$(GO) scripts/bench.sh

## zoo: download an official pretrained model and import it (needs the network): make zoo MODEL=horse2zebra
zoo: build
	@test -n "$(MODEL)" || { echo "usage: make zoo MODEL=horse2zebra   (bin/cyclegan zoo --help lists the models)"; exit 2; }
	bin/cyclegan zoo --dir models $(MODEL)

## models: train the shipped default models on the weather photos (docs/MODELS.md);
## resumable: run it again after an interruption (or `make models ARGS=--resume`) and it continues
## from the newest checkpoint; ARGS=--restart starts over. About two hours on 2 cores; each run keeps
## up to 40 checkpoints (about 4 GB) under .cache/models, whose generators the export averages
DATA ?= ../shared/datasets/weather
models: build
	DATA=$(DATA) scripts/models.sh $(ARGS)

## bench-ort-web: our translator vs ONNX Runtime Web 1.30 in headless Chromium, same weights, same run
## (needs npm and Debian python3-torch to prepare .cache/ort-web; a benchmark, not part of make test)
bench-ort-web:
	bench/ort_web/prepare.sh
	$(GO) test -run '^$$' -bench ORTWeb -benchtime $(or $(ORT_BENCHTIME),2x) -timeout 60m ./site/browsertest

## classifier: retrain models/classifier/weather.cgc, the domain classifier of `cyclegan eval`, on the
## weather photos minus the held-out ones (needs $(DATA); about 12 minutes on one core, one thread as
## the committed file was trained, so that the same binary gives the same file; docs/MODELS.md)
classifier: build
	@test -d "$(DATA)" || { echo "make classifier: the weather photos are not in $(DATA) (set DATA=...)"; exit 2; }
	GOMAXPROCS=1 bin/cyclegan classifier train --data $(DATA) --holdout models/holdout -o models/classifier/weather.cgc

## evaluate: the measures of docs/MODELS.md for the shipped models on the held-out photos (SWD ratio,
## the classifier's share against a colour transfer, cycle error) at SIZES="256 512", SCALE=model|full;
## outputs in .cache/eval (needs $(DATA); about 10 minutes on one core)
evaluate: build
	DATA=$(DATA) $(if $(SIZES),SIZES="$(SIZES)") $(if $(SCALE),SCALE=$(SCALE)) scripts/evaluate.sh

## gallery: before/after sheets of the held-out weather photos through the shipped models, in
## gallery/ (needs $(DATA); the sheets show dataset photos: never commit them, .gitignore has gallery/)
HOLDOUT := models/holdout
gallery: build
	@test -d "$(DATA)" || { echo "make gallery: the weather photos are not in $(DATA) (set DATA=... to where shine/, sunrise/ and cloudy/ are)"; exit 2; }
	bin/cyclegan gallery -w models/sunny-sunset.cgw -a $(DATA)/shine   --holdout $(HOLDOUT) --max 0 --direction AtoB -o gallery/sunny-sunset.png
	bin/cyclegan gallery -w models/sunny-sunset.cgw -a $(DATA)/sunrise --holdout $(HOLDOUT) --max 0 --direction BtoA -o gallery/sunset-sunny.png
	bin/cyclegan gallery -w models/sunny-cloudy.cgw -a $(DATA)/shine   --holdout $(HOLDOUT) --max 0 --direction AtoB -o gallery/sunny-cloudy.png
	bin/cyclegan gallery -w models/sunny-cloudy.cgw -a $(DATA)/cloudy  --holdout $(HOLDOUT) --max 0 --direction BtoA -o gallery/cloudy-sunny.png

## pictures: the README's picture docs/images/synthetic-sunny.png: three of the project's own
## synthetic sunny scenes through both shipped models (no dataset photo: it may be committed)
pictures: build
	bin/cyclegan gallery -w models/sunny-sunset.cgw -w models/sunny-cloudy.cgw --synthetic 3 --size 256 --colors 256 -o docs/images/synthetic-sunny.png

## clean: remove what the targets build (bin/, dist/, gallery/)
clean:
	rm -rf bin dist gallery
