# Careverse: `make run` serves the platform with demo data; `make test` runs the whole suite.
# Each installs what it needs: the virtualenv, Python and npm packages, the client build,
# and (as root, when missing) Debian's Chromium for the browser tests.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := .make
CLIENT_SOURCES := $(shell find client/src -type f 2>/dev/null) client/index.html client/vite.config.ts client/tsconfig.json
SERVER_SOURCES := $(shell find src/careverse -name '*.py' -not -path '*/static/*' 2>/dev/null)
STATIC_INDEX := src/careverse/web/static/index.html
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# Test processes of the parallel pass (pytest-xdist, docs/testing.md); 0 runs it serially.
PYTEST_WORKERS ?= 2
PARALLEL := -n $(PYTEST_WORKERS) --dist loadfile

.PHONY: run test test-fast lint format mutate client chromium install clean

run: install client
	$(BIN)/careverse demo --host $(HOST) --port $(PORT)

# Two passes (docs/testing.md): everything but the browser tests on $(PYTEST_WORKERS) pytest-xdist
# workers, one test file at a time each; then the browser tests on the same workers, and any that
# failed there run again alone (two browsers and two servers contend for 2 cores): a test that
# fails alone fails the target. Both passes run even when the first fails.
test: install client chromium lint
	status=0; \
	$(BIN)/pytest $(PARALLEL) --browser-tests=without $(PYTEST_ARGS) || status=$$?; \
	$(BIN)/pytest $(PARALLEL) --browser-tests=only $(PYTEST_ARGS) \
	  || $(BIN)/pytest --browser-tests=only --last-failed $(PYTEST_ARGS) || status=$$?; \
	exit $$status

# Everything but the browser, load and fault tests: the quick loop while developing.
test-fast: install
	$(BIN)/pytest $(PARALLEL) --browser-tests=without -m "not e2e and not load and not faults" $(PYTEST_ARGS)

# The outages alone (tests/faults: private PostgreSQL, Redis, Mosquitto and nodes); `make test` runs them too.
.PHONY: test-faults
test-faults: install
	$(BIN)/pytest -m faults tests/faults $(PYTEST_ARGS)

# Mutation testing of the safety core ([tool.mutmut] in pyproject.toml, docs/testing.md): every
# module, or one (`make mutate MODULE=careverse.monitoring.news2`). Niced, one test process at a
# time; the surviving mutants are listed at the end: compare with tests/mutation-baseline.txt.
MODULE ?=
mutate: install
	nice -n 10 $(BIN)/mutmut run --max-children 1 $(if $(MODULE),"$(MODULE).*")
	$(BIN)/mutmut results

# Style, the import contracts (pyproject.toml) and types: any violation fails `make test`.
lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/lint-imports --no-cache
	$(BIN)/pyright

format: install
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

install: $(STAMP)/python

$(STAMP)/python: pyproject.toml
	@mkdir -p $(STAMP)
	@if [ ! -x $(BIN)/python ]; then \
	  $(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	    rm -rf $(VENV); \
	    if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq python3-venv; fi; \
	    $(PYTHON) -m venv $(VENV); }; \
	fi
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel
	$(BIN)/python -m pip install -q -e '.[dev]'
	# The crisis screen's Suicide Risk Lexicon is a CSV inside construct-tracker; its declared
	# dependencies clash with ours and are not needed to read the file (docs/moderation.md).
	$(BIN)/python -m pip install -q --no-deps 'construct-tracker==1.0.16'
	@touch $@

$(STAMP)/npm: client/package.json client/package-lock.json
	@mkdir -p $(STAMP)
	cd client && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

client: $(STATIC_INDEX)

# The build regenerates client/src/api/schema.generated.ts from the server's OpenAPI schema with
# the venv's Python (docs/client.md), so a change to the Python code rebuilds the client too.
$(STATIC_INDEX): $(STAMP)/python $(STAMP)/npm $(CLIENT_SOURCES) $(SERVER_SOURCES)
	cd client && VENV_PYTHON=$(abspath $(BIN)/python) npm run build --silent

chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "chromium is missing: run 'sudo apt-get install chromium' (browser tests will fail)"; \
	  fi; \
	fi

clean:
	rm -rf $(STAMP) $(VENV) client/node_modules src/careverse/web/static
