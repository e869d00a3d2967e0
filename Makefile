# Two commands for a fresh machine: `make run` (demo on SQLite, no broker) and `make test`.
SHELL := /bin/bash
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
# Django 6.1 needs Python 3.12+: take python3.12 (pyenv shim or system), else pyenv's 3.12.x, else 3.13.
PYTHON ?= $(shell command -v python3.12 2>/dev/null || ls -d $$HOME/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null | tail -1 || command -v python3.13)

.PHONY: run test setup fixtures messages clean

$(VENV)/.installed: requirements.lock
	@test -n "$(PYTHON)" || { echo "Python 3.12 is needed (pyenv install 3.12 or apt-get install python3.12)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	@touch $@

setup: $(VENV)/.installed

# Migrate a SQLite database, load the real seed data and the demo accounts, run the compliance sweep once in-process, serve.
run: setup
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py load_seed_data
	DEBUG=true $(PY) manage.py create_demo_accounts
	DEBUG=true $(PY) manage.py compliance_sweep
	DEBUG=true $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The whole suite. DATABASE_URL and REDIS_URL select PostgreSQL and Redis (see .ci/run).
test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

# Rebuild fixtures/*.json from the seed documents in fixtures/seeds (repeatable).
fixtures: setup
	DEBUG=true $(PY) manage.py build_seed_fixtures

# Refresh and compile the English, Russian and Kyrgyz catalogs (needs GNU gettext).
messages: setup
	DEBUG=true $(PY) manage.py makemessages -l en -l ru -l ky --ignore=.venv --ignore=staticfiles --ignore=.ci-tmp
	$(PY) locale/apply_pending.py
	DEBUG=true $(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3* .test-db.sqlite3* staticfiles
