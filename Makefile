# The two commands: `make run` (the whole product, embedded defaults + HubSpot simulator + demo data, on
# http://localhost:8080) and `make test` (every test). Both set up what a fresh machine lacks.
SHELL := /bin/bash
export CGO_ENABLED := 0
BIN := bin/convrs
GO_SOURCES := $(shell find . -name '*.go' -not -path './node_modules/*') go.mod go.sum
FRONTEND_SOURCES := $(shell find frontend -type f -not -path '*/node_modules/*') schema.graphqls vite.config.ts tsconfig.json

.PHONY: run build test test-go test-frontend test-e2e test-env generate check-generated lint bench soak fuzz clean hubspot-app

run: build
	APP_ENV=development ./$(BIN) serve

build: $(BIN)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The HubSpot app card is its own npm project (HubSpot builds each card from its package.json).
CARD_DIR := hubspot-app/src/app/cards
$(CARD_DIR)/node_modules/.installed: $(CARD_DIR)/package.json $(CARD_DIR)/package-lock.json
	cd $(CARD_DIR) && npm ci --no-audit --no-fund
	touch $@

server/dist/index.html: node_modules/.installed $(FRONTEND_SOURCES)
	npm run build

$(BIN): server/dist/index.html $(GO_SOURCES)
	go build -o $(BIN) ./server

# Every test: Go (store on SQLite and PostgreSQL, cache/pub-sub on Redis and in-process, GraphQL, HubSpot
# client and simulator, the official Node client contract), frontend unit tests, real-browser end to end.
test: test-env
	set -a; source .test-env; set +a; $(MAKE) --no-print-directory test-go test-frontend test-e2e

test-env:
	./scripts/test-env.sh > .test-env

# The server's tests serve the built SPA, so the frontend is built first.
test-go: node_modules/.installed server/dist/index.html
	go test -count=1 ./...

test-frontend: node_modules/.installed $(CARD_DIR)/node_modules/.installed
	npm run --silent typecheck
	npm test --silent
	npm run --silent test:hubspot-app
	npm run --silent test:hubspot-card

# Regenerates the HubSpot app's project (hubspot-app/) from the gateway's scopes and webhook subscriptions, for
# `make run`'s address; a deployment writes its own with --public-url https://… (see hubspot-app/README.md).
hubspot-app:
	go run ./server hubspot-app --public-url http://localhost:8080 --out hubspot-app

test-e2e: $(BIN)
	npm run --silent e2e

# Regenerates the GraphQL executor and models (gqlgen) and the TypeScript types (graphql-codegen).
generate: node_modules/.installed
	go tool gqlgen generate
	npm run --silent generate

# Fails if regenerating changes any generated file (compared by content before and after, so it works on a
# fresh clone in CI and on a working tree with uncommitted changes alike).
GENERATED = find graph frontend/src/gql -type f \( -name '*.go' -o -name '*.ts' \) | sort | xargs sha256sum
check-generated: node_modules/.installed
	@$(GENERATED) > .generated.before
	@$(MAKE) --no-print-directory generate > /dev/null
	@$(GENERATED) > .generated.after
	@if ! diff -u .generated.before .generated.after; then rm -f .generated.*; \
		echo "generated code is out of date: run 'make generate' and commit"; exit 1; fi
	@rm -f .generated.before .generated.after; echo "generated code is up to date"

lint: node_modules/.installed $(CARD_DIR)/node_modules/.installed
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	go vet ./...
	npm run --silent typecheck
	npm --prefix $(CARD_DIR) run --silent typecheck

# The Go benchmarks, then the HTTP load benchmark against the built gateway on both engines (bench/), about
# 10 minutes; the table goes to bench/results/latest.md.
bench: test-env $(BIN)
	set -a; source .test-env; set +a; ./scripts/bench.sh

# Issue 19's proof, outside `make test`: two gateways on a private PostgreSQL and Redis (started and stopped by
# the driver, never the machine's shared ones), the HubSpot simulator as its own process, conversations closed
# while gateways are SIGKILLed, HubSpot misbehaves and Redis/PostgreSQL go down (soak/, under 20 minutes); the
# table goes to soak/results/latest.md and the README. SOAK_FLAGS passes flags to the driver (go run ./soak -h).
soak: $(BIN)
	go build -o bin/soak ./soak
	./bin/soak $(SOAK_FLAGS)

# The fuzz targets, each for FUZZTIME (their seeds also run in every `go test`): CI runs them briefly.
FUZZTIME ?= 10s
fuzz:
	go test -run '^$$' -fuzz '^FuzzSplit$$' -fuzztime $(FUZZTIME) ./transcript/
	go test -run '^$$' -fuzz '^FuzzParseWebhookEvents$$' -fuzztime $(FUZZTIME) ./hubspot/
	go test -run '^$$' -fuzz '^FuzzVerifyWebhookV3URI$$' -fuzztime $(FUZZTIME) ./hubspot/
	go test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./phone/

clean:
	rm -rf bin server/dist/assets server/dist/index.html .test-env test-output
