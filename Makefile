# SupportOps: `make demo` brings up a working demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: install demo test lint format bench bench-metrics bench-web clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

demo: install
	PORT=$(PORT) $(BIN)/python scripts/demo.py

test: install
	scripts/test-services up
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache --no-logo
	set -a && eval "$$(scripts/test-services env)" && set +a && $(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache --no-logo

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python bench/sync_zendesk.py

# BENCH_ARGS="--scale 0.1" for a quick run; see bench/metrics.py
bench-metrics: install
	scripts/test-services up
	$(BIN)/python bench/metrics.py $(BENCH_ARGS)

# p50/p95/max of 200 requests per page through gunicorn; BENCH_ARGS as above (bench/web_latency.py)
bench-web: install
	scripts/test-services up
	$(BIN)/python bench/web_latency.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
