# SupportOps: `make demo` brings up a working demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: install demo demo-prod test lint format bench bench-metrics bench-web bench-load clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

demo: install
	PORT=$(PORT) $(BIN)/python scripts/demo.py

# The same demo served by gunicorn with the production settings, on PostgreSQL (scripts/demo.py)
demo-prod: install
	scripts/test-services up
	PORT=$(PORT) $(BIN)/python scripts/demo.py --production

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

# Zendesk and Stripe ingest side by side (bench/ingest.py); BENCH_ARGS="--zendesk 100000 --stripe 100000"
bench: install
	scripts/test-services up
	$(BIN)/python bench/ingest.py $(BENCH_ARGS)

# BENCH_ARGS="--scale 0.1" for a quick run; see bench/metrics.py
bench-metrics: install
	scripts/test-services up
	$(BIN)/python bench/metrics.py $(BENCH_ARGS)

# p50/p95/max of 200 requests per page through gunicorn; BENCH_ARGS as above (bench/web_latency.py)
bench-web: install
	scripts/test-services up
	$(BIN)/python bench/web_latency.py $(BENCH_ARGS)

# locust: 20 signed-in users at once through gunicorn (2 workers), p50/p95/p99 per page;
# BENCH_ARGS as above, e.g. "--users 5 --run-time 30" (bench/load_test.py)
bench-load: install
	scripts/test-services up
	$(BIN)/python bench/load_test.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
