# timebank: the two commands of the Quick start are `make run` and `make test`.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# Parallel test workers (pytest-xdist); "auto" = one per core.
WORKERS ?= auto
# How make test runs pytest: the workers, with the tests that share set-up work kept in one worker (xdist_group:
# the browser, the security tests' world, the install's virtualenv).
PYTEST_ARGS ?= -n $(WORKERS) --dist loadgroup -q
# The tests' temporary files (a database per test, uploads, a virtualenv) go to a directory of the run's own in
# /dev/shm when it has room (in memory: no waiting on the disk), removed afterwards. A prefix of the pytest command.
TEST_TMP_PARENT ?= $(shell free=$$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 {print $$4}'); \
	if [ -w /dev/shm ] && [ "$${free:-0}" -gt 2000000 ]; then echo /dev/shm; else echo "$${TMPDIR:-/tmp}"; fi)
# Compiled Python files are written (__pycache__, git-ignored) even when PYTHONDONTWRITEBYTECODE is set: otherwise
# every test process compiles the app, the plugins and the tests again (some 7 s each).
IN_TEST_TMP = tmp=$$(mktemp -d "$(TEST_TMP_PARENT)/timebank-tests.XXXXXX") && trap 'rm -rf "$$tmp"' EXIT && \
	trap 'exit 130' INT TERM && TMPDIR="$$tmp" PYTHONDONTWRITEBYTECODE=

.PHONY: run test lint-check test-sqlite test-postgres install install-test browser lint translations clean bench bench-pages bench-anatomy phone-fit audit stress

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml setup.py
	$(BIN)/pip install --quiet -e ".[postgres]"
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test,postgres]"
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## make run: set everything up, load the demo on first start, serve http://$(HOST):$(PORT)
run: install
	$(BIN)/timebank db upgrade
	TIMEBANK_DEMO_MODE=1 $(BIN)/timebank demo --if-empty
	@echo ""
	@echo "  Neighborhood Time Bank (邻里时间银行) is running at http://$(HOST):$(PORT)/"
	@echo "  Demo accounts (password: demo-password): admin, coordinator, volunteer, resident, elder"
	@echo ""
	TIMEBANK_DEMO_MODE=1 $(BIN)/timebank run --host $(HOST) --port $(PORT)

## make test: install what the tests need and run the whole suite: lint, SQLite, and PostgreSQL too when
## TIMEBANK_TEST_POSTGRES_URL is set (as .ci/run does). Every part runs even when an earlier one failed, so that
## one run shows every problem; the exit status is non-zero when any part failed.
test: install-test browser
	@status=0; \
	$(MAKE) --no-print-directory lint-check || status=1; \
	$(MAKE) --no-print-directory test-sqlite || status=1; \
	if [ -n "$$TIMEBANK_TEST_POSTGRES_URL" ]; then $(MAKE) --no-print-directory test-postgres || status=1; \
	else echo "PostgreSQL run skipped: set TIMEBANK_TEST_POSTGRES_URL (see .ci/run)."; fi; \
	if [ $$status != 0 ]; then echo "make test: FAILED (see above)"; fi; \
	exit $$status

lint-check:
	@echo "== Lint (ruff, bandit) =="
	$(BIN)/ruff check --quiet .
	$(BIN)/bandit --quiet --recursive timebank plugins --exclude '*/tests/*' --severity-level medium

test-sqlite:
	@echo "== Test suite on SQLite =="
	$(IN_TEST_TMP) TIMEBANK_TEST_DATABASE_URL= $(BIN)/pytest $(PYTEST_ARGS)

# The PostgreSQL pass leaves out the slow tests and the database_independent ones (the SQLite pass ran them, and
# they do exactly the same whatever the database).
test-postgres:
	@echo "== Test suite on PostgreSQL =="
	$(IN_TEST_TMP) TIMEBANK_TEST_DATABASE_URL="$$TIMEBANK_TEST_POSTGRES_URL" $(BIN)/pytest $(PYTEST_ARGS) \
	  -m "not slow and not database_independent"

## Debian's Chromium and a CJK font for the browser tests (needs root or sudo; skipped otherwise).
browser:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qiE 'wqy|noto.*cjk'; then exit 0; fi; \
	if command -v apt-get >/dev/null 2>&1; then \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo -n"; \
	  if $$SUDO true 2>/dev/null; then \
	    echo "Installing Debian's chromium and a CJK font for the browser tests..."; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	  else echo "Browser tests will be skipped: cannot install chromium without root."; fi; \
	fi

lint: install-test
	$(BIN)/ruff check .

## Extract new strings into the catalogues (core and each plugins/<name>/) and compile them. It lists the entries
## still to translate: translate them in the .po file, then run it again. `tools/translations.py check` verifies.
translations: install
	$(BIN)/python tools/translations.py update
	$(BIN)/python tools/translations.py compile

## make bench: timebank under gunicorn (2 sync workers, production settings, SQLite WAL) driven by wrk on 127.0.0.1,
## against a minimal Flask app measured in the same run; PostgreSQL too when TIMEBANK_BENCH_POSTGRES_URL is set
## (postgresql+psycopg://user@host:port). Generates the district once (bench/out/data/), writes
## bench/out/results.json and prints a table. BENCH_ARGS passes options (e.g. --workers 4, --only postgresql).
bench: install
	$(BIN)/pip install --quiet -e ".[server,postgres]"
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install wrk"; exit 1; }
	$(BIN)/python bench/run.py $(BENCH_ARGS)

## make bench-pages: every page of the bench community for a volunteer, a coordinator and an admin, at 1M and 10k
## postings, in process: CPU, statements, SQL time, compressed size; flags pages over budget or growing with history
## (bench/out/pages.json). make bench runs it too.
bench-pages: install
	$(BIN)/python bench/sweep.py $(BENCH_ARGS)

## make bench-anatomy: what a page's time is made of, in process on the 1M district: the baseline's requests, a
## community page's floor (session, login, community), the shared layout, and the load test's pages. make bench runs
## it too. PostgreSQL instead of SQLite with BENCH_ARGS="--postgres postgresql+psycopg://user@host:port".
bench-anatomy: install
	$(BIN)/python bench/anatomy.py $(BENCH_ARGS)

## make phone-fit: every page of the bench community as a volunteer, a coordinator and an admin in Chromium on a
## 360 px phone, in Chinese, English and elder mode: pages wider than the phone, squeezed rows, script errors,
## other hosts (bench/out/phone-fit.json). BENCH_ARGS: --scale large, --width 320, --modes en.
phone-fit: install
	$(BIN)/python bench/phone_fit.py $(BENCH_ARGS)

## make audit: Lighthouse (mobile) on the main pages of the demo community; scores to bench/out/audit.json.
audit: install
	$(BIN)/pip install --quiet -e ".[server]"
	@command -v node >/dev/null || { echo "make audit needs Node.js and npm: apt-get install nodejs npm"; exit 1; }
	@[ -d bench/node_modules/lighthouse ] || npm ci --prefix bench --no-audit --no-fund
	CHROME_PATH=$${CHROME_PATH:-/usr/bin/chromium} $(BIN)/python bench/audit.py

## make stress: the long security runs. The hostile-input fuzzer with FUZZ_EXAMPLES random examples per form and
## route (make test runs 2, fixed), then the fault run (stress/fault_run.py): concurrent QR check-ins and
## confirmations against gunicorn on 127.0.0.1, SIGKILL mid-run, restart, then the checks and `timebank ledger
## verify`. On SQLite, and on PostgreSQL too when TIMEBANK_TEST_POSTGRES_URL is set (a scratch database is made).
FUZZ_EXAMPLES ?= 40
stress: install-test
	$(BIN)/pip install --quiet -e ".[server,postgres]"
	TIMEBANK_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) TIMEBANK_TEST_DATABASE_URL= $(BIN)/pytest -q -s tests/security/test_hostile_input.py
	$(BIN)/python stress/fault_run.py
	@if [ -n "$$TIMEBANK_TEST_POSTGRES_URL" ]; then \
	  $(BIN)/python stress/fault_run.py --postgres "$$TIMEBANK_TEST_POSTGRES_URL"; \
	else echo "PostgreSQL fault run skipped: set TIMEBANK_TEST_POSTGRES_URL"; fi

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
