# Docket: the two commands a newcomer needs are `make run` and `make test`.
#
# Everything runs through the project's own virtualenv (.venv), installed from the ranges in
# pyproject.toml pinned by constraints.txt. The install is redone only when one of those changes.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
BENCH_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help venv run test lint format migrate demo bench lock

help:
	@echo "make run      install, migrate, load demo data, start web + Celery worker + beat (Ctrl-C stops all)"
	@echo "make test     ruff check, import contracts, makemigrations --check, pytest (PYTEST_ARGS='...' passes options)"
	@echo "make lint     ruff check and ruff format --check"
	@echo "make format   ruff format and ruff check --fix"
	@echo "make migrate  apply migrations (SQLite under var/ unless DATABASE_URL is set)"
	@echo "make demo     migrate and load the demo programme, people and schools"
	@echo "make bench    run the benchmarks in bench/ (BENCH_ARGS='...')"
	@echo "make venv     create .venv and install the pinned dependencies"
	@echo "make lock     rewrite constraints.txt from what is installed in .venv"

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt scripts/pyproject_deps.py
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Docket needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1)." \
		  "Run e.g. 'make run PYTHON=python3.11'." >&2; exit 1; }
	@$(PY) -c '' 2>/dev/null || { echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv --clear $(VENV); }
	@echo "Installing pinned dependencies into $(VENV) (constraints.txt)"
	$(PY) scripts/pyproject_deps.py dev > $(VENV)/requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -r $(VENV)/requirements.txt
	$(PY) -m pip check --disable-pip-version-check
	@touch $@

run: demo
	$(PY) scripts/run.py --host $(HOST) --port $(PORT)

migrate: venv
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

test: venv
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) manage.py makemigrations --check --dry-run
	@rc=0; echo "$(PY) -m pytest $(PYTEST_ARGS)"; $(PY) -m pytest $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest ran no test (exit code 5); that counts as a failure" >&2; fi; \
	exit $$rc

lint: venv
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m ruff format --check .

format: venv
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: venv
	@test -f bench/run.py || { echo "make bench: bench/run.py does not exist yet" >&2; exit 1; }
	$(PY) bench/run.py $(BENCH_ARGS)

lock: venv
	@{ echo "# Pinned versions of every package in the virtualenv (pip freeze), used by every install:"; \
	   echo "#   make venv / .ci/run / Dockerfile: pip install -c constraints.txt -r <ranges from pyproject.toml>"; \
	   echo "# pyproject.toml holds the ranges; regenerate this file with 'make lock' after changing them."; \
	   $(PY) -m pip freeze --exclude-editable --disable-pip-version-check | grep -viE '^docket(==| @)'; \
	 } > constraints.txt.new && mv constraints.txt.new constraints.txt
	@touch $(STAMP)
	@echo "constraints.txt rewritten from $(VENV)"
