# Two entry points (README quick start): `make run` and `make test`.
# Each creates .venv with python3 -m venv if missing and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.stamp-run
DEV_STAMP := $(VENV)/.stamp-dev

.PHONY: run test lint typecheck unit bench clean system-deps assets

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=23.2"

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(RUN_STAMP)

# Browser pose assets (MediaPipe wasm and .task models) built offline from pinned, integrity-checked
# npm tarballs into src/backrehab/web/static/vendor/mediapipe/ (docs/browser-assets.md). Does
# nothing when they match src/backrehab/web/assets-manifest.sha256; needs npm only to (re)build.
assets: $(RUN_STAMP)
	$(BIN)/python scripts/vendor_pose_assets.py

# The clinic web app on http://127.0.0.1:8000 with SQLite and the demo clinic (logins printed).
run: $(RUN_STAMP) assets
	$(BIN)/backrehab serve --demo

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: $(DEV_STAMP)
	$(BIN)/mypy
	$(BIN)/mypy --strict scripts

unit: $(DEV_STAMP) assets
	$(BIN)/pytest

# Debian packages the tests use: pdftoppm (PDF reports checked as images), PostgreSQL's
# initdb/pg_ctl (a throwaway server for the storage and API tests), Chromium (the browser
# tests, driven by Playwright; never a downloaded browser), and Node.js with npm (`npm pack`
# for `make assets`, which `make test` builds next). Installed when missing and we are root (CI,
# containers); otherwise the tests that need them say so (and fail in CI).
SYSTEM_DEPS := pdftoppm:poppler-utils pg_ctl:postgresql chromium:chromium node:nodejs npm:npm
system-deps:
	@missing=""; for dep in $(SYSTEM_DEPS); do cmd=$${dep%%:*}; pkg=$${dep##*:}; \
		if command -v $$cmd >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/$$cmd >/dev/null 2>&1; \
		then :; else missing="$$missing $$pkg"; fi; done; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else echo "note: install these Debian packages to run every test:$$missing"; fi

test: system-deps assets lint typecheck unit

bench: $(DEV_STAMP) assets
	$(BIN)/python bench/pose_throughput.py
	$(BIN)/python bench/coach_latency.py
	$(BIN)/python bench/api_load.py
	$(BIN)/python bench/live_coach.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
