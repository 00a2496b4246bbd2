# commercectl: make demo, make test, make bench.
GO      ?= go
BIN     := bin/commercectl
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
# No cgo: one static binary, and no dynamic loader at start-up.
export CGO_ENABLED := 0
LDFLAGS := -s -w -X github.com/commercectl/commercectl/cmd.Version=$(VERSION)

.PHONY: build demo test bench clean

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) .

# A demo tenant in a local file, and a tour of the main job on it.
demo: build
	@./scripts/demo.sh $(BIN) .demo/tenant.db

test:
	$(GO) vet ./...
	$(GO) test -count=1 ./...

# Benchmarks: whole-process timings side by side with the sqlite3 shell.
bench: build
	@./scripts/bench.sh $(BIN)

clean:
	rm -rf bin .demo .bench
