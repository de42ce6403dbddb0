# Every target works on a fresh machine of the project's kind: Go lives in /usr/local/go.
export PATH := /usr/local/go/bin:$(PATH)
GO ?= go
# The image is built with these too: with the same flags the Dockerfile's builder stage, which
# mounts this machine's build cache, reuses what the unit suites compiled instead of compiling
# everything again.
export CGO_ENABLED := 0
export GOFLAGS := -trimpath

IMAGE := localhost/cf-bluegreen-resource:dev
BUILDAH := buildah --storage-driver vfs
PROCS ?= 6

.PHONY: test unit integration image image-test tools demo cfsim bench vet fmt-check fuzz

## test: the README's test command: formatting, vet, unit suites, fuzzing, then the image is built and
## the integration suites run inside it, against the binaries it ships
test: tools fmt-check vet unit fuzz image image-test

## unit: every suite but the integration one. The engine's flows and core, the prober, resource
## and the mains run under the race detector (it needs cgo); the suites that mostly drive the
## simulator or parse (the port on cfsim, manifests, cfsim itself, the image check, the test app)
## run without it, where it would triple their time and test no concurrency of ours.
RACE_FREE := /bluegreen/cf$$|/bluegreen/manifest$$|/test/|/ci$$
unit:
	CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 12m $$($(GO) list ./... | grep -v -E '$(RACE_FREE)')
	$(GO) test -count=1 -timeout 12m $$($(GO) list ./... | grep -E '$(RACE_FREE)' | grep -v '/test/integration$$')

## integration: the integration suites on binaries built here (faster to iterate than image-test)
integration:
	$(GO) run github.com/onsi/ginkgo/v2/ginkgo --procs=$(PROCS) --timeout=20m ./test/integration

## image: build the Dockerfile with buildah (no Docker engine, no registry) into build/image.tar
## (OCI) and build/image-docker.tar (docker load), then check its layout and size
image: tools
	ci/scripts/bud.sh $(IMAGE)
	mkdir -p build && rm -f build/image.tar build/image-docker.tar
	$(BUILDAH) push --quiet --signature-policy /etc/containers/policy.json $(IMAGE) oci-archive:build/image.tar:dev
	$(BUILDAH) push --quiet --signature-policy /etc/containers/policy.json $(IMAGE) docker-archive:build/image-docker.tar:cf-bluegreen-resource:dev
	$(GO) run ./test/imagecheck build/image.tar

## image-test: run the integration suites inside the image (buildah run --isolation chroot)
image-test: tools
	PROCS=$(PROCS) ci/scripts/image-test.sh

## tools: install buildah and a static busybox if missing (apt-get, as root)
tools:
	ci/scripts/install-tools.sh

## demo: start a simulated foundation and show a naive cutover dropping requests
demo:
	$(GO) run ./test/demo

## bench: downtime, deploy time, verification lag and memory of out's strategies next to the
## peers' algorithms, on cfsim; writes test/bench/results/latest.md (quick: make bench ARGS=--quick)
bench:
	$(GO) run ./test/bench $(ARGS)

## cfsim: run the simulated foundation until Ctrl-C (flags: make cfsim ARGS="--route-lag 200ms-2s")
cfsim:
	$(GO) run ./test/cfsim/cmd/cfsim --info-file cfsim-info.json $(ARGS)

## fuzz: every fuzz target for FUZZTIME (15s) each, two at a time; a finding is written to the
## package's testdata/fuzz and fails the run (longer: make fuzz FUZZTIME=10m)
FUZZTIME ?= 15s
fuzz:
	FUZZTIME=$(FUZZTIME) ci/scripts/fuzz.sh

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
