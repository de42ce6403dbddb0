# Every target works on a fresh machine of the project's kind: Go lives in /usr/local/go.
export PATH := /usr/local/go/bin:$(PATH)
GO ?= go

.PHONY: test demo cfsim vet fmt-check

## test: formatting, vet, then every suite (unit, cfsim, integration)
test: fmt-check vet
	$(GO) test -count=1 -timeout 14m ./...

## demo: start a simulated foundation and show a naive cutover dropping requests
demo:
	$(GO) run ./test/demo

## cfsim: run the simulated foundation until Ctrl-C (flags: make cfsim ARGS="--route-lag 200ms-2s")
cfsim:
	$(GO) run ./test/cfsim/cmd/cfsim --info-file cfsim-info.json $(ARGS)

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
