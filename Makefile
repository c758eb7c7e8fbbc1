# Partnerhub. `make run` serves the demo; `make test` runs every test. `make help` lists all.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run serve test test-fast topology lint format bench bench-quick migrate demo messages browser clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-11s %s\n", $$1, $$2}'

$(STAMP): requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the locked dependencies (and pango for WeasyPrint when missing)
	@bash scripts/ensure-pango

migrate: install ## Apply database migrations (and create the cache table)
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py createcachetable

demo: migrate ## Load the demo data (idempotent)
	SITE_URL=http://$(HOST):$(PORT) $(BIN)/python manage.py load_demo

run: demo ## Serve the product on SQLite with demo data at http://$(HOST):$(PORT)/
	@echo "Partnerhub is at http://$(HOST):$(PORT)/  (API docs: http://$(HOST):$(PORT)/api/v1/docs)"
	SITE_URL=http://$(HOST):$(PORT) DJANGO_RUNSERVER_HIDE_WARNING=true PARTNERHUB_INPROCESS_SCHEDULER=1 $(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

browser: ## Install Debian's chromium for the browser tests (needs root or sudo)
	@bash scripts/ensure-chromium

test: install browser ## Run the whole test suite (SQLite, or DATABASE_URL when set)
	$(BIN)/python -m pytest -n 2 --dist loadfile

test-fast: install ## Run the suite without the browser tests
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not browser"

topology: install ## Run the production topology pass (gunicorn, Celery worker and beat; needs PostgreSQL, Redis)
	$(BIN)/python scripts/topology_check.py

lint: install ## ruff check, ruff format --check, import layers and cycles, migrations check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install ## Apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install ## Rebuild the translation catalogue (ru) after changing texts
	$(BIN)/python manage.py makemessages -l ru --ignore=.venv --ignore=data
	$(BIN)/python manage.py compilemessages --ignore=.venv

bench: install ## Run the benchmarks on PostgreSQL (they build their own data; `bench:` lines give figure, baseline, ratio)
	$(BIN)/python -m benchmarks

bench-quick: install ## The benchmarks at a tenth of the scale (a few minutes), for development
	BENCH_SCALE=0.1 $(BIN)/python -m benchmarks

clean: ## Remove the virtual environment and local data
	rm -rf $(VENV) data staticfiles
