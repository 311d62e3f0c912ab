# Duet: `make run` to try it, `make test` to check it. Needs only Python 3.11.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install system-deps catalogs messages run test test-deps lint format migrate seed bench screenshots clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

# Shared libraries WeasyPrint (signed intake documents as PDF) loads at run time, from
# Debian's packages; installed only when missing.
system-deps:
	@missing=""; \
	ldconfig -p | grep -q 'libpango-1.0.so.0' || missing="$$missing libpango-1.0-0"; \
	ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || missing="$$missing libpangoft2-1.0-0"; \
	ldconfig -p | grep -q 'libharfbuzz-subset.so.0' || missing="$$missing libharfbuzz-subset0"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing fonts-dejavu-core >/dev/null; \
	  else \
	    echo "Duet needs these Debian packages:$$missing. Run: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

install: system-deps $(STAMP)

# Translation catalogs: locale/<lang>/LC_MESSAGES/*.po are committed; the .mo files are
# built here with Babel (pure Python: no gettext binaries on a fresh machine).
catalogs: install
	$(BIN)/python manage.py compile_catalogs

# Developers: pull every marked string into the catalogs (needs GNU gettext's xgettext).
messages: install
	$(BIN)/python manage.py makemessages --no-obsolete --no-location -l en -l es -l ja -l pl -l hi -l pt_BR -i '.venv/*' -i 'var/*' -i 'tests/*' -i 'bench/*'
	$(BIN)/python manage.py makemessages -d djangojs --no-obsolete --no-location -l en -l es -l ja -l pl -l hi -l pt_BR -i '.venv/*' -i 'var/*' -i 'static/vendor/*' -i 'tests/*'

migrate: catalogs
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo --quiet-logins

# Daphne (HTTP + websockets), a Celery worker and Celery beat in one process
# group; Ctrl-C, SIGTERM (or any of them exiting) stops all three. The worker's warm
# shutdown waits for a running task (the reminder dispatcher may run for a while), so
# after 10 s it gets SIGQUIT (cold shutdown; the task is redelivered and idempotent),
# and SIGKILL as a last resort. Nothing runs in the foreground while they serve (a
# foreground command would hold the trap back until it finished).
# Links in emails and .ics files point where this server listens, unless SITE_URL says otherwise.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: seed
	@echo "Starting Duet on http://$(HOST):$(PORT) (Ctrl-C stops everything; links use $(SITE_URL))"
	@pids=""; \
	alive() { out=""; for p in $$pids; do kill -0 $$p 2>/dev/null && out="$$out $$p"; done; echo $$out; }; \
	stop() { trap - INT TERM EXIT; kill -TERM $$pids 2>/dev/null; \
	  for _ in $$(seq 1 40); do [ -z "$$(alive)" ] && break; sleep 0.25; done; \
	  left="$$(alive)"; [ -n "$$left" ] && kill -QUIT $$left 2>/dev/null; \
	  for _ in $$(seq 1 20); do [ -z "$$(alive)" ] && break; sleep 0.25; done; \
	  left="$$(alive)"; [ -n "$$left" ] && kill -KILL $$left 2>/dev/null; wait; }; \
	trap stop INT TERM EXIT; \
	logins="$$($(BIN)/python manage.py seed_demo | sed -n '/:/p')"; \
	$(BIN)/celery -A config worker --loglevel=INFO --concurrency=2 & pids="$$pids $$!"; \
	$(BIN)/celery -A config beat --loglevel=INFO & pids="$$pids $$!"; \
	$(BIN)/daphne -b $(HOST) -p $(PORT) config.asgi:application & pids="$$pids $$!"; \
	echo; echo "Duet is running at http://$(HOST):$(PORT)"; echo "$$logins"; echo; \
	wait -n; exit 0

# Debian packages the test suite drives for real: Chromium (browser tests), coturn (TURN
# relay tests), nginx (the two-node failover test starts its own, never the system
# service), iproute2 (`ip`, `tc`: the bad-network tests' namespaces), gettext (xgettext:
# the i18n tests extract every marked string afresh) and the Noto fonts (Japanese and
# Devanagari in screenshots and browser tests). Installed only when missing.
test-deps:
	@missing=""; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	test -x /usr/bin/turnserver || missing="$$missing coturn"; \
	test -x /usr/sbin/nginx || missing="$$missing nginx"; \
	command -v ip >/dev/null && command -v tc >/dev/null || missing="$$missing iproute2"; \
	command -v xgettext >/dev/null || missing="$$missing gettext"; \
	test -d /usr/share/fonts/opentype/noto || missing="$$missing fonts-noto-cjk"; \
	test -f /usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf || missing="$$missing fonts-noto-core"; \
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
test: install test-deps lint catalogs
	$(BIN)/python manage.py compile_catalogs --check
	$(BIN)/python manage.py makemigrations --check --dry-run >/dev/null || \
	  (echo "Models changed without a migration: run manage.py makemigrations"; exit 1)
	$(BIN)/pytest $(PYTEST_ARGS)

# Full-size benchmarks (PostgreSQL + Redis: set DATABASE_URL and REDIS_URL), each writing
# var/bench/<name>.json; then docs/benchmarks.md is rewritten from those files. A bench
# that misses an outcome (lost reminders, 5xx answers) fails the target after the report.
# CI's second lane runs every bench at --smoke size (tests/bench/test_smoke.py).
BENCHES := pool reminders slots signaling directory_bench
bench: install
	@mkdir -p var/bench; failed=""; \
	for b in $(BENCHES); do echo "== bench/$$b.py"; \
	  $(BIN)/python bench/$$b.py --out var/bench/$$b.json || failed="$$failed $$b"; done; \
	$(BIN)/python bench/report.py; \
	if [ -n "$$failed" ]; then echo "benches that failed:$$failed"; exit 1; fi

# Every page x role x size as PNGs in var/screenshots/ (open index.html there), each with
# the problems the browser tests look for. Look before committing a template change.
# `make screenshots LANGUAGE=ja ONLY=book SIZES=phone`: one language, some pages, one size.
screenshots: install test-deps
	$(BIN)/python -m tests.look.screenshots --port $(or $(SCREENSHOT_PORT),8150) \
	  $(if $(LANGUAGE),--language $(LANGUAGE)) $(if $(ONLY),--only $(ONLY)) $(if $(SIZES),--sizes $(SIZES))

clean:
	rm -rf $(VENV) var
