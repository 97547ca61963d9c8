# The two commands of the quick start: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
FLASK := $(BIN)/flask --app app
PYTEST := $(BIN)/pytest
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run serve bench bench-quick test lint install test-sqlite test-postgres test-browser test-any-day postgres chromium graphviz migrate seed clean

run: install graphviz
	@mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) seed demo
	@# The worker sends email off the request (and the reminders); it stops when the server stops.
	$(FLASK) worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	  $(FLASK) run --host 127.0.0.1 --port 5000

# As production runs the web processes: gunicorn with gunicorn.conf.py (GUNICORN_BIND, WEB_CONCURRENCY).
# The schema must be current (`make migrate`, once per deploy, not per host); the worker runs apart.
serve: install graphviz
	$(BIN)/gunicorn --config gunicorn.conf.py

# The benchmark of issue 16 (bench/): a synthetic ICB seeded afresh on PostgreSQL and SQLite, every
# figure beside its bare baseline; it reports and never fails on a missed target. Sizes are options:
# `make bench EVENTS=200000`, `make bench DATABASES=postgres`. Writes bench/results.json.
EVENTS ?= 1000000
SERVICES ?= 1000
PCNS ?= 50
DATABASES ?= postgres,sqlite
BENCH_ARGS ?=
bench: install postgres
	$(BIN)/python -m bench --events $(EVENTS) --services $(SERVICES) --pcns $(PCNS) \
	  --databases $(DATABASES) $(BENCH_ARGS)

# A smoke run of a few minutes: 20,000 events, 100 services, short load phases, both databases.
bench-quick: install postgres
	$(BIN)/python -m bench --events 20000 --services 100 --pcns 10 --databases $(DATABASES) \
	  --load-seconds 4 --samples 20 --slow-budget 4 --dashboards 200 --memory-budget 20 \
	  --burst 1000 --import-rows 5000 --import-sizes 5000,20000 $(BENCH_ARGS)

test: install postgres chromium graphviz
	$(MAKE) --no-print-directory lint
	@# The three runs share nothing (each has its own database files or database, and queue names),
	@# and none keeps both cores busy alone: run them together, each printing when it is done.
	$(MAKE) --no-print-directory -j3 --output-sync=target test-sqlite test-postgres test-browser

lint: install
	@echo "==> ruff"
	$(BIN)/ruff check psirf tests bench app.py gunicorn.conf.py
	$(BIN)/ruff format --check psirf tests bench app.py gunicorn.conf.py
	@echo "==> import contracts (pyproject.toml: engine and ledger below features, features below web)"
	PYTHONPATH=$(CURDIR) $(BIN)/lint-imports --no-cache

test-sqlite: install
	@echo "==> Tests on SQLite"
	PSIRF_TEST_DB=sqlite $(PYTEST) -q -p no:cacheprovider --ignore=tests/browser

test-postgres: install
	@echo "==> Tests on PostgreSQL"
	PSIRF_TEST_DB=postgres $(PYTEST) -q -p no:cacheprovider --ignore=tests/browser

test-browser: install
	@echo "==> Browser tests in Chromium, with axe-core on every page"
	$(PYTEST) -q -p no:cacheprovider tests/browser

# No test may depend on the day it runs: the SQLite run on the 1st, the 15th and the 31st of a month,
# the clock set by Debian's faketime (the monotonic clock stays real, or Python's timed waits hang).
test-any-day: install
	@command -v faketime >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime)
	@for day in 2027-03-01 2027-06-15 2027-01-31; do \
	  echo "==> Tests on SQLite, the clock at $$day"; \
	  FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "@$$day 09:00:00" $(MAKE) --no-print-directory test-sqlite || exit 1; \
	done

install: $(STAMP)

$(STAMP):
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || (apt-get update -qq && apt-get install -y -qq python3-venv)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	@# The app runs from this folder (app.py), so the project itself is not installed into the venv.
	@rm -f $(VENV)/.installed-*
	@touch $@

# The suite needs PostgreSQL on 127.0.0.1:5432: start the cluster if it does not answer.
postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || { \
	  command -v pg_ctlcluster >/dev/null || (apt-get update -qq && apt-get install -y -qq postgresql); \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | tail -n 1) main start; \
	  for i in 1 2 3 4 5 6 7 8 9 10; do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; }

# Debian's Chromium for the browser tests (Playwright never downloads a browser here).
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# Debian's Graphviz: `dot` draws the workflow diagrams on the response pages as SVG.
graphviz:
	@command -v dot >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz)

migrate: install
	$(FLASK) db upgrade

seed: install
	$(FLASK) seed demo

clean:
	rm -rf $(VENV) instance
