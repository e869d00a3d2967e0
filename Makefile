# Two commands for a fresh machine: `make run` (demo on SQLite, no broker) and `make test`.
SHELL := /bin/bash
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
# Django 6.1 needs Python 3.12+: take python3.12 (pyenv shim or system), else pyenv's 3.12.x, else 3.13.
PYTHON ?= $(shell command -v python3.12 2>/dev/null || ls -d $$HOME/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null | tail -1 || command -v python3.13)

.PHONY: run test test-all lint setup fixtures messages clean

$(VENV)/.installed: requirements.lock
	@test -n "$(PYTHON)" || { echo "Python 3.12 is needed (pyenv install 3.12 or apt-get install python3.12)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	@touch $@

setup: $(VENV)/.installed

# The demo as production runs it (DEBUG off, static files collected and served by WhiteNoise, gunicorn),
# on SQLite and without a broker (DEMO=true runs tasks in-process). The secret key is generated on the first
# run into .secret_key (git-ignored). Developers who want debug pages: `DEBUG=true make run`.
SECRET_KEY_FILE := .secret_key
DEMO_ENV = DEMO=true DATABASE_URL=sqlite:///db.sqlite3 REDIS_URL=memory:// EMAIL_URL=consolemail:// \
	SECRET_KEY="$$(cat $(SECRET_KEY_FILE))" ALLOWED_HOSTS=127.0.0.1,localhost SITE_URL=http://127.0.0.1:$(PORT) \
	SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false SECURE_HSTS_SECONDS=0 \
	SECURE_HSTS_PRELOAD=false

$(SECRET_KEY_FILE):
	umask 077 && $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

# Migrate a SQLite database, load the real seed data and the demo accounts, run the compliance sweep once in-process, serve.
run: setup $(SECRET_KEY_FILE)
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	@# The loader writes plans, forums and meetings one by one: no sweep on half-loaded data, one sweep after.
	$(DEMO_ENV) COMPLIANCE_SWEEP_ON_CHANGE=false $(PY) manage.py load_seed_data
	$(DEMO_ENV) $(PY) manage.py create_demo_accounts
	$(DEMO_ENV) $(PY) manage.py compliance_sweep
	$(DEMO_ENV) $(PY) manage.py collectstatic --noinput -v0
	@# The two workers share one file cache (.demo-cache/, emptied here); the daily jobs run beside them
	@# on schedule (run_schedule, stopped with the server), and each change that affects a member's status sweeps it.
	rm -rf .demo-cache
	@echo "Serving the demo on http://127.0.0.1:$(PORT)/"
	$(DEMO_ENV) $(PY) manage.py run_schedule & schedule=$$!; trap 'kill $$schedule 2>/dev/null' EXIT; \
	if [ "$${DEBUG:-false}" = "true" ]; then $(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT); \
	else $(DEMO_ENV) $(VENV)/bin/gunicorn ogp_portal.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --access-logfile -; fi

# The quick suite: every test but those marked slow (real browsers, real Celery worker and beat, fuzzing,
# scale data, load). `make test-all` (the same as `make test SUITE=all`) runs the whole suite.
# DATABASE_URL and REDIS_URL select PostgreSQL and Redis (see .ci/run).
SUITE ?= quick
test: setup
	$(PY) -m pytest $(if $(filter all,$(SUITE)),,-m "not slow") $(PYTEST_ARGS)

test-all:
	$(MAKE) test SUITE=all

# Ruff (pyproject.toml's [tool.ruff]) and the layers contract of import-linter (.importlinter).
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

# Rebuild fixtures/*.json from the seed documents in fixtures/seeds (repeatable).
fixtures: setup
	DEBUG=true $(PY) manage.py build_seed_fixtures

# Refresh and compile the English, Russian and Kyrgyz catalogs (needs GNU gettext).
messages: setup
	DEBUG=true $(PY) manage.py makemessages -l en -l ru -l ky --ignore=.venv --ignore=staticfiles --ignore=.ci-tmp
	$(PY) locale/apply_pending.py
	@# Again, so that the catalogs are wrapped as gettext wraps them (what CI's catalog check compares).
	DEBUG=true $(PY) manage.py makemessages -l en -l ru -l ky --ignore=.venv --ignore=staticfiles --ignore=.ci-tmp -v0
	DEBUG=true $(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3* .test-db.sqlite3* staticfiles .demo-cache $(SECRET_KEY_FILE)
