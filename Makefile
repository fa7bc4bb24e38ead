# PyQueue: `make run` and `make test` set up everything they need on a fresh machine.
PYTHON ?= python3
BACKEND := PyQueue-Backend
FRONTEND := PyQueue-Frontend
VENV := $(BACKEND)/.venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
NPM_STAMP := $(FRONTEND)/node_modules/.installed
HAS_FRONTEND := $(wildcard $(FRONTEND)/package.json)
# The store of `make run` when PYQUEUE_DATABASE_URL is set neither in the environment nor in a .env
# file (`make run` reads PyQueue-Backend/.env, then .env here: the later file wins).
RUN_DEFAULT_DATABASE_URL ?= sqlite:///$(CURDIR)/data/pyqueue.db
RUN_ENV_FILES := $(wildcard $(BACKEND)/.env .env)
# The built dashboard and what it is built from: `npm run build` runs only when one of them changed.
DIST := $(FRONTEND)/dist/index.html
DIST_SOURCES := $(shell find $(FRONTEND)/src $(FRONTEND)/public -type f 2>/dev/null) \
	$(wildcard $(FRONTEND)/index.html $(FRONTEND)/package.json $(FRONTEND)/package-lock.json \
		$(FRONTEND)/vite.config.* $(FRONTEND)/tsconfig*.json)

.PHONY: screenshot run test test-fast venv lint typecheck pytest pytest-fast frontend-deps frontend-build frontend-test frontend-unit bench clean

venv: $(STAMP)

$(STAMP): $(BACKEND)/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '$(BACKEND)[dev]'
	touch $@

frontend-deps: $(if $(HAS_FRONTEND),$(NPM_STAMP))

$(NPM_STAMP): $(FRONTEND)/package-lock.json
	cd $(FRONTEND) && npm ci --no-audit --no-fund
	touch $@

frontend-build: $(if $(HAS_FRONTEND),$(DIST))

$(DIST): $(NPM_STAMP) $(DIST_SOURCES)
	cd $(FRONTEND) && npm run build
	touch $@

run: venv frontend-build
	mkdir -p data
	PYQUEUE_DEFAULT_DATABASE_URL='$(RUN_DEFAULT_DATABASE_URL)' \
		$(BIN)/pyqueue$(if $(RUN_ENV_FILES), $(addprefix --env-file=,$(RUN_ENV_FILES))) serve

# ruff, then the import contracts of pyproject.toml (imports point down the layers only).
lint: venv
	cd $(BACKEND) && $(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports

typecheck: venv
	cd $(BACKEND) && $(BIN)/mypy

frontend-test: venv frontend-build
ifneq ($(HAS_FRONTEND),)
	cd $(FRONTEND) && npm run check:api && npm run typecheck && npm run lint && npm test && npm run e2e
endif

# Rewrites additional_docs/dashboard.png (the README's screenshot) from the e2e suite.
screenshot: venv frontend-build
	cd $(FRONTEND) && UPDATE_SCREENSHOT=1 npx playwright test e2e/screenshot.spec.ts

pytest: venv
	cd $(BACKEND) && $(BIN)/pytest

# The edit-run loop: no PostgreSQL, no SQLite files, no browser, no killed processes.
pytest-fast: venv
	cd $(BACKEND) && $(BIN)/pytest tests/unit tests/api tests/stores tests/system \
		-m "not postgres and not sqlite and not slow"

frontend-unit: frontend-deps
ifneq ($(HAS_FRONTEND),)
	cd $(FRONTEND) && npm run typecheck && npm test
endif

# Lint, types, unit, API, memory-store and system tests and vitest, two at a time: well under a
# minute. `make test` stays the full suite that CI runs.
test-fast: venv frontend-deps
	$(MAKE) --no-print-directory -j2 --output-sync=target lint typecheck frontend-unit pytest-fast

# pytest runs last: its closing line is the suite's summary.
test: lint typecheck frontend-test pytest

clean:
	rm -rf $(VENV) $(FRONTEND)/node_modules $(FRONTEND)/dist

# The benchmark harness in its own virtualenv (peers never enter the product's dependencies);
# JSON goes to PyQueue-Backend/bench/results/, the markdown report to stdout. BENCH_ARGS adds options.
bench:
	test -x $(BACKEND)/bench/.venv/bin/python || $(PYTHON) -m venv $(BACKEND)/bench/.venv
	$(BACKEND)/bench/.venv/bin/pip install --quiet --disable-pip-version-check \
		-e '$(BACKEND)' -r $(BACKEND)/bench/requirements.txt
	cd $(BACKEND) && PYTHONPATH=. bench/.venv/bin/python -m bench $(BENCH_ARGS)
