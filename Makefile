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

run: $(RUN_STAMP) assets
	$(BIN)/backrehab demo

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: $(DEV_STAMP)
	$(BIN)/mypy
	$(BIN)/mypy --strict scripts

unit: $(DEV_STAMP) assets
	$(BIN)/pytest

# Debian packages the tests use (pdftoppm to check rendered PDF reports as images; PostgreSQL's
# initdb/pg_ctl for a throwaway server in the storage tests). Installed when
# missing and we are root (CI, containers); otherwise the tests that need them say so and skip.
system-deps:
	@if command -v pdftoppm >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; \
	else echo "note: install poppler-utils (pdftoppm) to run the PDF rendering checks"; fi
	@if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	else echo "note: install postgresql (initdb, pg_ctl) to run the storage tests on PostgreSQL"; fi

test: system-deps assets lint typecheck unit

bench: $(RUN_STAMP)
	$(BIN)/python bench/pose_throughput.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
