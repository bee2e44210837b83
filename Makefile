# Two commands: `make run` starts the app on its embedded defaults; `make test` runs every check.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# The first Python 3.12 or newer on the PATH (pyenv picks 3.13 through .python-version).
PYTHON ?= $(shell for p in python3.13 python3.12 python3 python; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; \
	then echo $$p; break; fi; done)
HOST ?= 127.0.0.1
PORT ?= 8000
# gunicorn workers for `make serve`: 2 × cores + 1.
WORKERS ?= $(shell echo $$((2 * $$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1) + 1)))

# This site's address (the sandbox's URLs, links in e-mails) follows HOST and PORT, unless SITE_URL is set in the
# environment or in .env.
SITE = if [ -z "$$SITE_URL" ] && ! grep -qs '^SITE_URL=' .env; then export SITE_URL=http://$(HOST):$(PORT); fi;

.PHONY: run serve test lint format bench load clean dotenv messages

run: $(VENV)/.runtime dotenv messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Open http://$(HOST):$(PORT)/ and sign in with one of the users above."
	@$(SITE) $(PY) manage.py runserver $(HOST):$(PORT)

# Production-like: gunicorn (gunicorn.conf.py) with several workers on the configured database, static files by
# WhiteNoise. A fresh clone gets the development .env as with `make run`; with SECRET_KEY in the environment (a
# deployment), no .env is written, so none can turn DEBUG on beside the deployment's own settings.
serve: $(VENV)/.runtime messages $(if $(SECRET_KEY),,dotenv)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput
	@$(SITE) $(VENV)/bin/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) --workers $(WORKERS)

test: $(VENV)/.dev dotenv messages
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(VENV)/.dev dotenv messages
	$(PY) -m bench

# The load run (bench/load.py): gunicorn as `make serve` starts it, on a scratch PostgreSQL database with Redis and
# the sandbox, driven by locust; `make load LOAD_ARGS=--ci` is CI's short form.
load: $(VENV)/.dev dotenv messages
	$(PY) -m bench.load $(LOAD_ARGS)

$(VENV)/bin/python:
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed on the PATH."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet .
	touch $@

$(VENV)/.dev: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet ".[dev]"
	touch $@ $(VENV)/.runtime

# Compiles the translations (locale/*/LC_MESSAGES/django.po) into the .mo files Django reads.
messages: | $(VENV)/.runtime
	@$(PY) scripts/compile_messages.py

# Writes .env when missing, and adds a development token key to an older one.
dotenv: | $(VENV)/bin/python
	@$(PY) scripts/make_env.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
