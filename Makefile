# commercectl: make demo, make test, make bench.
GO      ?= go
BIN     := bin/commercectl
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
# No cgo: one static binary, and no dynamic loader at start-up.
export CGO_ENABLED := 0
# make stress reads PIPESTATUS.
SHELL := /bin/bash
LDFLAGS := -s -w -X github.com/commercectl/commercectl/cmd.Version=$(VERSION)

.PHONY: build demo test stress bench fuzz clean

# Mailpit, the SMTP server the delivery tests send to, built from the Go
# module proxy (no package to install).
MAILPIT_VERSION := v1.33.1
MAILPIT := bin/mailpit

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) .

# A demo tenant in a local file, and a tour of the main job on it.
demo: build
	@./scripts/demo.sh $(BIN) .demo/tenant.db

# Every test, on both engines: scripts/with-postgres.sh starts a throwaway
# PostgreSQL server (installing Debian's package when missing) and stops it.
# The store's unit tests run a second time with their tenants on it.
# LibreOffice Calc (the spreadsheet test), zsh and bash-completion (the
# completion test) are installed when missing: scripts/need-packages.sh.
test: $(MAILPIT)
	./scripts/need-packages.sh
	$(GO) vet ./...
	MAILPIT=$(CURDIR)/$(MAILPIT) ./scripts/with-postgres.sh sh -c '$(GO) test -count=1 -timeout 30m ./... && \
		COMMERCECTL_TEST_ENGINE=postgres $(GO) test -count=1 -timeout 30m ./store/sqlstore/'

$(MAILPIT):
	GOBIN=$(CURDIR)/bin $(GO) install github.com/axllent/mailpit@$(MAILPIT_VERSION)

# The long variants of the reliability tests (docs/RELIABILITY.md): more
# processes and rounds under load, more kill points on bigger tenants, then
# every fuzz target for STRESS_FUZZTIME. The log is kept in .stress/.
STRESS_FUZZTIME ?= 2m
stress:
	@mkdir -p .stress
	COMMERCECTL_STRESS=1 $(GO) test -count=1 -timeout 90m -v . 2>&1 | tee .stress/test.log; \
		exit $${PIPESTATUS[0]}
	$(MAKE) fuzz FUZZTIME=$(STRESS_FUZZTIME) 2>&1 | tee .stress/fuzz.log; exit $${PIPESTATUS[0]}

# Fuzzing: each target for FUZZTIME (make test runs only their seeds).
FUZZTIME ?= 30s
FUZZ_TARGETS := \
	./internal/csvcell:FuzzAppend \
	./store:FuzzValidateUPN \
	./store:FuzzQuoteShortCheckName \
	./store/sqlstore:FuzzParseCatalog \
	./store/sqlstore:FuzzParseUserRow \
	./store/sqlstore:FuzzParseUsers \
	./store/sqlstore:FuzzValidateLink \
	./commands/policy:FuzzParsePolicySet

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "$(GO) test -run '^$$' -fuzz '^$$fn$$' -fuzztime $(FUZZTIME) $$pkg"; \
		$(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

# Benchmarks: whole-process timings side by side with the sqlite3 shell.
bench: build $(MAILPIT)
	@./scripts/bench.sh $(BIN)

clean:
	rm -rf bin .demo .bench .stress
