# Enterprise Scanner: the commands a developer needs. `make run` and `make test` work on a fresh
# machine with only Python 3.11+ (they create .venv and install requirements.txt first).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-requirements
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help venv run serve migrate test test-postgres lint format check clean bench soak soak-mixed smoke-prod parity parity-install

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

venv: $(STAMP) ## Create .venv and install the pinned requirements (only when they changed)

# A development .env (DEBUG=true), written once so that the README's `.venv/bin/python manage.py …`
# commands work outside make too; never overwritten (delete it to get it again). settings.py reads
# it; real environment variables win over it.
.env:
	printf '%s\n' '# Development settings, written once by `make run` (delete this file to get it again).' \
	  '# Read by enterprise_scanner/settings.py; real environment variables win. Never use it in production.' \
	  'DEBUG=true' > .env
	@echo "Wrote a development .env (DEBUG=true)."

run: export DEBUG ?= true
run: venv .env ## Set up (migrate, Fortune 500 list, demo data for this PORT, admin login) and serve http://127.0.0.1:8000 with a task worker
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py import_fortune500
	$(BIN)/python manage.py seed_demo --port $(PORT) --host $(HOST)
	$(BIN)/python manage.py ensure_admin
	@echo "Serving on http://$(HOST):$(PORT)/  (admin: /admin/, health: /healthz, API docs: /api/docs/). Ctrl-C stops everything."
	HOST=$(HOST) WEB_PORT=$(PORT) $(BIN)/honcho --no-prefix -f Procfile.dev start

test: venv ## Run the whole test suite (SQLite unless DATABASE_URL is set)
	$(BIN)/pytest $(PYTEST_ARGS)

test-postgres: venv ## Run the suite against the local PostgreSQL and Redis
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/enterprise_scanner} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/15} \
	$(BIN)/pytest $(PYTEST_ARGS)

lint: venv ## Ruff lint + format check, and no missing migrations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run

format: venv ## Apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: venv ## Django's deployment checklist with production settings (needs SECRET_KEY, ALLOWED_HOSTS)
	DEBUG=false $(BIN)/python manage.py check --deploy --fail-level WARNING

bench: venv ## Benchmarks vs references, reduced scale (BENCH_SCALE=1 for full; BENCH_POSTGRES / BENCH_REDIS URLs add those)
	$(BIN)/python bench/run.py

soak-mixed: venv ## 10 minutes of mixed load (locust) on two daphne + two workers, PostgreSQL, a private Redis, 100,000 leads: 0 errors, 0 lost, flat memory
	$(BIN)/python bench/soak_mixed.py --minutes 10 --leads 100000

PARITY_DIR ?= .parity
parity-install: ## Install the MDN HTTP Observatory (pinned in assessments/tests/parity/package-lock.json) into .parity/ for the parity tests
	mkdir -p $(PARITY_DIR)
	cp assessments/tests/parity/package.json assessments/tests/parity/package-lock.json $(PARITY_DIR)/
	cd $(PARITY_DIR) && npm ci --ignore-scripts --no-audit --no-fund
	# --ignore-scripts skips the HSTS preload download: an empty list (no loopback host is preloaded)
	echo '{}' > $(PARITY_DIR)/node_modules/@mdn/mdn-http-observatory/conf/hsts-preload.json

parity: venv ## Compare our scanner with the real Observatory on the loopback fixture sites (needs root: ports 80/443)
	PARITY_REQUIRED=1 $(BIN)/pytest -m parity -p no:cacheprovider $(PYTEST_ARGS)

soak: venv ## The slow fault tests (killed worker, concurrent PostgreSQL submissions): minutes, not seconds
	$(BIN)/pytest -m soak -p no:cacheprovider $(PYTEST_ARGS)

smoke-prod: venv ## The product as deployed (scratch PostgreSQL, private Redis, DEBUG=false, daphne over HTTPS, db_worker) checked from outside
	$(BIN)/pytest smoke -p no:cacheprovider $(PYTEST_ARGS)
	@echo "Schemathesis soak (200 examples per operation) on PostgreSQL + Redis:"
	DATABASE_URL=$${SMOKE_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/es_smoke_schema} \
	TEST_DATABASE_NAME=test_es_smoke_schema REDIS_URL=$${SMOKE_REDIS_URL:-redis://127.0.0.1:6379/14} \
	$(BIN)/pytest -m soak -p no:cacheprovider --create-db enterprise_scanner/tests/test_api_schemathesis.py

clean: ## Remove the virtualenv, the development database and caches
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* .pytest_cache .ruff_cache staticfiles
