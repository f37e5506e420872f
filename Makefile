# Developer tasks. `make run` and `make test` bootstrap everything they need on a fresh machine.
SHELL := /bin/bash
PORT ?= 8000
UV_VERSION ?= 0.13.9
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
# The sandboxed .tools venv carries uv when it is not installed on the machine.
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PY := .venv/bin/python
MANAGE := $(PY) manage.py
PYTEST_ARGS ?=
DEV_ENV := DEBUG=1
export NTM_ALLOW_DEV_KEY := 1

.PHONY: help setup run serve test test-pg e2e api-fuzz docs-check lint format typecheck migrations-check deps messages bench clean

help:
	@grep -E '^[a-z-]+:.*## ' Makefile | sed 's/:.*## /\t/'

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked
	@touch $@

setup: .venv/.synced ## install the locked dependencies into .venv

run: setup ## set up, migrate, load the demo data and serve at http://127.0.0.1:$(PORT)
	$(DEV_ENV) $(MANAGE) migrate --no-input
	$(DEV_ENV) $(MANAGE) load_demo
	@# The worker builds long reports (a province's zipped documents) in the background.
	export NTM_BACKGROUND_TASKS=database; \
	$(DEV_ENV) $(MANAGE) db_worker --backend background --no-reload --queue-name '*' & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT; \
	$(DEV_ENV) $(MANAGE) runserver 127.0.0.1:$(PORT)

ENV_FILE ?=
serve: setup ## production: collectstatic, migrate, then gunicorn and the task worker (environment or ENV_FILE=/etc/ntm/ntm.env)
	@# Production settings come from the environment (or ENV_FILE): never the development key.
	@# The worker takes the long jobs, so the queue must be the database's.
	unset NTM_ALLOW_DEV_KEY; \
	if [ -n "$(ENV_FILE)" ]; then set -a; . "$(ENV_FILE)"; set +a; fi; \
	export NTM_BACKGROUND_TASKS=database; \
	$(MANAGE) collectstatic --no-input -v 0 && $(MANAGE) migrate --no-input || exit 1; \
	$(MANAGE) db_worker --backend background --no-reload --queue-name '*' & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT; \
	.venv/bin/gunicorn -c config/gunicorn.conf.py config.wsgi

test: setup ## the whole suite (without the browser tests), in parallel
	$(PY) -m pytest -n auto -m "not e2e" $(PYTEST_ARGS)

test-pg: setup ## the same suite on PostgreSQL (DATABASE_URL or the local server)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ntm} $(PY) -m pytest -n auto -m "not e2e" $(PYTEST_ARGS)

AXE := tests/e2e/axe/node_modules/axe-core/axe.min.js

$(AXE): tests/e2e/axe/package.json tests/e2e/axe/package-lock.json
	npm ci --prefix tests/e2e/axe --no-audit --no-fund
	@touch $@

e2e: setup $(AXE) ## browser tests in headless Chromium, with axe-core's accessibility checks (needs `make deps`)
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -m e2e -p no:xdist $(PYTEST_ARGS)

api-fuzz: setup ## schemathesis against /api/openapi.json: no server error, responses as documented
	$(PY) -m pytest ntm/api/tests/fuzz_openapi.py -n 2 -q -W ignore::DeprecationWarning $(PYTEST_ARGS)

DOCS_CHECK_DIR ?= build/docs-check
docs-check: setup ## every report in every format from the demo, DOCX/XLSX printed by LibreOffice, each PDF checked (needs `make deps`); pictures in $(DOCS_CHECK_DIR)/png
	rm -rf $(DOCS_CHECK_DIR) && mkdir -p $(DOCS_CHECK_DIR)
	@# A throwaway SQLite database with the demo, as `make run` loads it.
	export DATABASE_URL=sqlite:///$(abspath $(DOCS_CHECK_DIR))/demo.sqlite3; \
	$(DEV_ENV) $(MANAGE) migrate --no-input -v 0 && \
	$(DEV_ENV) $(MANAGE) load_demo && \
	$(DEV_ENV) $(MANAGE) docs_check --out $(DOCS_CHECK_DIR)

lint: setup ## ruff, mypy, the layers of the apps (import-linter) and the migrations check
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	@# The contracts are in pyproject.toml; no cache, the graph takes under a second.
	.venv/bin/lint-imports --no-cache --no-logo
	$(DEV_ENV) $(MANAGE) makemigrations --check --dry-run

format: setup
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

messages: setup ## refresh and compile the translations (needs GNU gettext)
	$(DEV_ENV) $(MANAGE) makemessages -l vi -l en --no-location --ignore=.venv --ignore=.tools --ignore=var
	$(DEV_ENV) $(MANAGE) compilemessages --ignore=.venv --ignore=.tools --ignore=var

deps: ## Debian packages for PDF rendering, browser tests, the office suite of docs-check, translations and backups (run as root)
	apt-get update
	@# LibreOffice without its GUI prints our DOCX/XLSX in `make docs-check` (no recommends: no Java).
	apt-get install -y --no-install-recommends libreoffice-writer-nogui libreoffice-calc-nogui
	@# npm comes with NodeSource's nodejs where that is installed (Debian's npm conflicts with it).
	command -v npm >/dev/null 2>&1 || apt-get install -y npm
	apt-get install -y chromium fonts-liberation2 fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils gettext postgresql-client

bench: setup ## benchmarks (print figures and ratios)
	$(DEV_ENV) $(PY) bench/import_units.py
	$(DEV_ENV) $(PY) bench/evaluate.py
	$(DEV_ENV) $(PY) bench/evaluate.py --database-url $${BENCH_PG:-postgres://postgres@127.0.0.1:5432}/ntm_bench_evaluate
	$(DEV_ENV) $(PY) bench/area_pages.py
	$(DEV_ENV) $(PY) bench/area_pages.py --database-url $${BENCH_PG:-postgres://postgres@127.0.0.1:5432}/ntm_bench_area
	$(DEV_ENV) $(PY) bench/reports.py
	$(DEV_ENV) $(PY) bench/load.py
	$(DEV_ENV) $(PY) bench/load.py --database-url $${BENCH_PG:-postgres://postgres@127.0.0.1:5432}/ntm_bench_load

clean:
	rm -rf .venv .tools var
