# timebank: the two commands of the Quick start are `make run` and `make test`.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# Parallel test workers (pytest-xdist); "auto" = one per core.
WORKERS ?= auto

.PHONY: run test test-sqlite test-postgres install install-test browser lint translations bench clean

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

## make test: install what the tests need and run the whole suite (SQLite; PostgreSQL too when
## TIMEBANK_TEST_POSTGRES_URL is set, as .ci/run does).
test: install-test browser
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$TIMEBANK_TEST_POSTGRES_URL" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL run skipped: set TIMEBANK_TEST_POSTGRES_URL (see .ci/run)."; fi

test-sqlite:
	@echo "== Test suite on SQLite =="
	$(BIN)/ruff check --quiet .
	TIMEBANK_TEST_DATABASE_URL= $(BIN)/pytest -n $(WORKERS) -q

test-postgres:
	@echo "== Test suite on PostgreSQL =="
	TIMEBANK_TEST_DATABASE_URL="$$TIMEBANK_TEST_POSTGRES_URL" $(BIN)/pytest -n $(WORKERS) -q -m "not slow"

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

## Extract new strings into the catalogues, then compile them (translate the new entries in between).
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -o timebank/translations/messages.pot --no-location --sort-output --omit-header . >/dev/null
	$(BIN)/pybabel update -i timebank/translations/messages.pot -d timebank/translations --no-fuzzy-matching --omit-header
	$(BIN)/pybabel compile -d timebank/translations --statistics

bench: install-test
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
