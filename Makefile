# sandbank — the two commands a newcomer needs are `make run` and `make test`.

GO        ?= go
BIN       ?= bin/sandbank
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS   := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
RUN_FLAGS ?= --addr 127.0.0.1:8080 --seed 42
BENCHTIME ?= 2s

.PHONY: all build run test test-short lint fmt generate bench fuzz clean

all: lint test build

## build: the static binary, bin/sandbank
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/sandbank

## run: the simulator on http://127.0.0.1:8080 (seed 42)
run: build
	./$(BIN) serve $(RUN_FLAGS)

## test: every test, with the race detector
test:
	$(GO) test -race -count=1 ./...

## test-short: the tests without the race detector (faster)
test-short:
	$(GO) test -count=1 ./...

## lint: formatting, vet, and the generated contract being in sync
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) test -count=1 -run TestGeneratedDocumentIsInSync ./openapi

## fmt: format the code
fmt:
	gofmt -w $$(git ls-files '*.go')

## generate: merge openapi/src/*.yaml into openapi/sandbank.yaml and sandbank.json
generate:
	$(GO) generate ./openapi

## bench: the performance budgets (pipeline, statement page, provisioning, fault latency accuracy, start-up)
bench:
	$(GO) test -run '^$$' -bench . -skip LatencyAccuracy -benchmem -benchtime $(BENCHTIME) ./simulator/... ./openapi/...
	$(GO) test -run '^$$' -bench LatencyAccuracy -benchtime 1x -count 3 ./simulator
	$(GO) test -run '^$$' -bench StartupToHealthz -benchtime 30x ./cmd/sandbank

## fuzz: each fuzz target for a short while
fuzz:
	@for t in FuzzCPF FuzzCNPJ FuzzIBAN FuzzLuhn FuzzABA; do \
	  $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime 10s ./simulator/checkdigit || exit 1; done
	$(GO) test -run '^$$' -fuzz '^FuzzFormatParseRoundTrip$$' -fuzztime 10s ./simulator/money

clean:
	rm -rf bin
