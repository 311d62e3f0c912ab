# Duet: `make run` to try it, `make test` to check it. Needs only Python 3.11.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-deps lint format migrate seed bench screenshots clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo --quiet-logins

# Daphne (HTTP + websockets), a Celery worker and Celery beat in one process
# group; Ctrl-C (or any of them exiting) stops all three.
# Links in emails and .ics files point where this server listens, unless SITE_URL says otherwise.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: seed
	@echo "Starting Duet on http://$(HOST):$(PORT) (Ctrl-C stops everything; links use $(SITE_URL))"
	@pids=""; \
	stop() { trap - INT TERM EXIT; kill $$pids 2>/dev/null; wait; }; \
	trap stop INT TERM EXIT; \
	$(BIN)/celery -A config worker --loglevel=INFO --concurrency=2 & pids="$$pids $$!"; \
	$(BIN)/celery -A config beat --loglevel=INFO & pids="$$pids $$!"; \
	$(BIN)/daphne -b $(HOST) -p $(PORT) config.asgi:application & pids="$$pids $$!"; \
	sleep 1; echo; echo "Duet is running at http://$(HOST):$(PORT)"; \
	$(BIN)/python manage.py seed_demo | sed -n '/:/p'; echo; \
	wait -n; exit 0

# Debian packages the test suite drives for real: Chromium (browser tests) and
# coturn (TURN relay tests). Installed only when missing.
test-deps:
	@missing=""; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	test -x /usr/bin/turnserver || missing="$$missing coturn"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "The tests need these Debian packages:$$missing. Run: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Tests marked `services` need PostgreSQL and Redis; without DATABASE_URL and
# REDIS_URL they are deselected (pytest reports the count).
test: install test-deps lint
	$(BIN)/python manage.py makemigrations --check --dry-run >/dev/null || \
	  (echo "Models changed without a migration: run manage.py makemigrations"; exit 1)
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# Every page x role x size as PNGs in var/screenshots/ (open index.html there), each with
# the problems the browser tests look for. Look before committing a template change.
screenshots: install test-deps
	$(BIN)/python -m tests.look.screenshots --port $(or $(SCREENSHOT_PORT),8150)

clean:
	rm -rf $(VENV) var
