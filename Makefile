# sandbank — the two commands a newcomer needs are `make run` and `make test`.

GO        ?= go
BIN       ?= bin/sandbank
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS   := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
RUN_FLAGS ?= --addr 127.0.0.1:8080 --seed 42
BENCHTIME ?= 2s
FUZZTIME  ?= 10s
DOCKER    ?= docker
IMAGE     ?= sandbank:dev
# The image's non-root user; Dockerfile writes the same passwd line.
IMAGE_PASSWD := sandbank:x:65532:65532:sandbank:/:/sbin/nologin
IMAGE_GROUP  := sandbank:x:65532:
# CA roots for the image (https webhook URLs): the host's bundle.
CA_CERTS  ?= $(firstword $(wildcard /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt /etc/ssl/cert.pem))
# Go files, tracked or new (not ignored), in every module of the repository.
GO_FILES   = $(shell git ls-files -co --exclude-standard '*.go' 2>/dev/null || find . -name '*.go' -not -path './bin/*')
# The nested module with the testcontainers-go module and the image's tests.
TC_DIR    := testcontainers
# testcontainers-go with a local daemon and no registry: no Ryuk reaper
# (its image cannot be pulled; the tests terminate their containers), and
# published ports reached on 127.0.0.1. Either can be overridden.
TC_ENV     = TESTCONTAINERS_RYUK_DISABLED=$${TESTCONTAINERS_RYUK_DISABLED:-true} \
             TESTCONTAINERS_HOST_OVERRIDE=$${TESTCONTAINERS_HOST_OVERRIDE:-127.0.0.1}

.PHONY: all build run test test-short test-conformance test-docker lint fmt generate bench bench-docker fuzz docker docker-context clean

all: lint test build

## build: the static binary, bin/sandbank
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/sandbank

## run: the simulator on http://127.0.0.1:8080 (seed 42)
run: build
	./$(BIN) serve $(RUN_FLAGS)

## test: every test, with the race detector: the main module's, then the
## image's and the testcontainers module's (test-docker)
test:
	$(GO) test -race -count=1 $$($(GO) list ./... | grep -v /conformance)
	$(MAKE) --no-print-directory test-conformance
	$(MAKE) --no-print-directory test-docker

## test-conformance: the conformance suite's own tests, on their own: they
## judge clients by their timing, so they run when nothing else loads the machine
test-conformance:
	$(GO) test -race -count=1 ./conformance/...

## test-docker: build the image (make docker) and test it, directly and
## through the testcontainers module; without Docker they skip, unless CI is set
test-docker:
	cd $(TC_DIR) && $(TC_ENV) $(GO) test -race -count=1 -timeout 10m ./...

## test-short: the tests without the race detector (faster)
test-short:
	$(GO) test -count=1 ./...

## lint: formatting, vet (both modules), and the generated contract being in sync
lint:
	@out=$$(gofmt -l $(GO_FILES)); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	cd $(TC_DIR) && $(GO) vet ./...
	$(GO) test -count=1 -run TestGeneratedDocumentIsInSync ./openapi

## fmt: format the code
fmt:
	gofmt -w $(GO_FILES)

## generate: merge openapi/src/*.yaml into openapi/sandbank.yaml and sandbank.json
generate:
	$(GO) generate ./openapi

## bench: the performance budgets (pipeline, statement page, provisioning,
## fault latency accuracy, start-up; with Docker, the image's size and
## docker run to /healthz)
bench:
	$(GO) test -run '^$$' -bench . -skip LatencyAccuracy -benchmem -benchtime $(BENCHTIME) ./simulator/... ./openapi/...
	$(GO) test -run '^$$' -bench LatencyAccuracy -benchtime 1x -count 3 ./simulator
	$(GO) test -run '^$$' -bench StartupToHealthz -benchtime 30x ./cmd/sandbank
	@if $(DOCKER) info >/dev/null 2>&1; then $(MAKE) --no-print-directory bench-docker; \
	  else echo "bench: Docker is not running; the image's size and start-up are not measured"; fi

## bench-docker: the image's size (budget 20 MB) and docker run to the first
## answered /healthz (budget 1 s)
bench-docker:
	cd $(TC_DIR) && $(TC_ENV) $(GO) test -run '^$$' -bench DockerRunToHealthz -benchtime 10x .

## fuzz: every Fuzz* target of the main module for FUZZTIME (10s) each,
## found by go test -list in the packages whose tests declare one
fuzz:
	@set -e; for pkg in $$(grep -rl --include='*_test.go' '^func Fuzz' . | grep -v '^./$(TC_DIR)/' | xargs -n1 dirname | sort -u); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; done

## docker-context: stage what Dockerfile.local copies, in bin/docker-context
docker-context:
	@test -n "$(CA_CERTS)" || { echo "no CA bundle found; set CA_CERTS=/path/to/ca-certificates.crt"; exit 1; }
	rm -rf bin/docker-context && mkdir -p bin/docker-context
	CGO_ENABLED=0 GOOS=linux $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/docker-context/sandbank ./cmd/sandbank
	cp $(CA_CERTS) bin/docker-context/ca-certificates.crt
	echo '$(IMAGE_PASSWD)' > bin/docker-context/passwd
	echo '$(IMAGE_GROUP)' > bin/docker-context/group

## docker: the image, IMAGE (sandbank:dev), from a host-built binary: no
## registry needed (Dockerfile.local); `docker build .` builds it from source
docker: docker-context
	@previous=$$($(DOCKER) image inspect -f '{{.Id}}' $(IMAGE) 2>/dev/null || true); \
	  $(DOCKER) build -q -f Dockerfile.local -t $(IMAGE) \
	    --build-arg VERSION=$(VERSION) --build-arg REVISION=$(COMMIT) bin/docker-context || exit 1; \
	  current=$$($(DOCKER) image inspect -f '{{.Id}}' $(IMAGE)); \
	  if [ -n "$$previous" ] && [ "$$previous" != "$$current" ]; then \
	    $(DOCKER) rmi "$$previous" >/dev/null 2>&1 || true; fi  # the image this tag replaced, unless in use

clean:
	rm -rf bin
