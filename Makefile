# triagedesk — every set-up step lives here; CI runs `make test` through .ci/run.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.synced
DEMO_DIR ?= demo
DEMO_DB ?= sqlite:///$(DEMO_DIR)/triagedesk.db
DEMO_ISSUES ?= 3000
PYTEST_ARGS ?=

.PHONY: help venv demo test lint typecheck bench browser services clean

help:
	@echo "make demo   set up and run the main job on the embedded default (SQLite, generated corpus)"
	@echo "make test   set up and run lint, type checks, import rules and the whole test suite"
	@echo "make bench  run the benchmarks under bench/ and print their figures"
	@echo "make lint   ruff and mypy only"

# The virtual environment, exactly from the lock file.
$(STAMP): pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
	uv sync --locked
	@touch $(STAMP)

venv: $(STAMP)

# Debian's Chromium for the dashboard and report tests (Playwright drives it; no browser download).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "installing Debian's chromium"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || { echo "could not install chromium: the browser tests will fail"; exit 1; }; \
	fi

# The PostgreSQL server the storage tests use (127.0.0.1:5432, trust auth, database test).
services:
	@if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
	  echo "starting PostgreSQL"; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start || true; \
	  for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	fi

# The main job on the embedded default: a SQLite file, a generated corpus, every
# pipeline in shadow mode (decisions are planned actions, nothing is sent), a report.
TD = $(BIN)/triagedesk
DEMO_ARGS = --db $(DEMO_DB) --config $(DEMO_DIR)/triagedesk.toml
DEMO_WEEK ?= 2026-W44

demo: $(STAMP)
	rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR)
	@echo "== configuration: the Docker Desktop profile"
	$(TD) init $(DEMO_DIR)/triagedesk.toml
	@echo "== a realistic corpus of $(DEMO_ISSUES) issues (gh JSON + label history)"
	$(TD) demo-data --issues $(DEMO_ISSUES) --seed 7 --out $(DEMO_DIR)/corpus.json
	@echo "== import, then import again: nothing changes the second time"
	$(TD) import $(DEMO_DIR)/corpus.json $(DEMO_ARGS)
	$(TD) import $(DEMO_DIR)/corpus.json $(DEMO_ARGS)
	$(TD) export --format json --out $(DEMO_DIR)/export.json $(DEMO_ARGS)
	@echo "== labels and duplicates: train on the history"
	$(TD) train $(DEMO_ARGS)
	@echo "== every open issue heard as just opened: triage, checklist, suggestions (shadow mode)"
	$(TD) replay $(DEMO_ARGS)
	$(TD) check docker/for-win#14281 --no-s3 --no-plan $(DEMO_ARGS)
	$(TD) suggest docker/for-win#14281 $(DEMO_ARGS)
	$(TD) actions --planned --limit 8 $(DEMO_ARGS)
	$(TD) labels sync --dry-run --no-areas $(DEMO_ARGS)
	@echo "== backtests against what the team really did"
	$(TD) eval quality $(DEMO_ARGS)
	$(TD) eval labels $(DEMO_ARGS)
	$(TD) eval duplicates $(DEMO_ARGS)
	@echo "== the rotation report for $(DEMO_WEEK)"
	$(TD) report --week $(DEMO_WEEK) --out $(DEMO_DIR)/report-$(DEMO_WEEK).md $(DEMO_ARGS)
	$(TD) report --week $(DEMO_WEEK) --format html --out $(DEMO_DIR)/report-$(DEMO_WEEK).html $(DEMO_ARGS)
	$(TD) report --week $(DEMO_WEEK) --format json --out $(DEMO_DIR)/report-$(DEMO_WEEK).json $(DEMO_ARGS)
	head -n 24 $(DEMO_DIR)/report-$(DEMO_WEEK).md
	@echo "== what the desk holds now"
	$(TD) summary $(DEMO_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test: $(STAMP) browser services lint
	@rc=0; $(BIN)/pytest $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing on purpose"; exit 1; fi; \
	exit $$rc

bench: $(STAMP) services
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache
