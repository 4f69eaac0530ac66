# `make demo` serves the site with demo content on the embedded default
# (SQLite, database search, eager Celery, console email); `make test` runs
# every test. Both create their own virtual environment in .venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test install lint check chromium gettext messages compilemessages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP) compilemessages
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

check: $(STAMP)
	DJANGO_SETTINGS_MODULE=cms.settings.test $(BIN)/python manage.py check
	DJANGO_SETTINGS_MODULE=cms.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

# The browser tests (tests/browser) drive Debian's Chromium; installed when missing.
chromium:
	@command -v chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium; }

# The interface's translations: the committed catalogues (cms/locale/*/django.po)
# compiled into .mo files by Django's compilemessages, which needs GNU gettext's
# msgfmt (installed when missing). `make messages` extracts the strings again
# after a change to the code (then translate the new entries in each catalogue).
LOCALES := es fr it pt pl nl
gettext:
	@command -v msgfmt >/dev/null || { apt-get update -q && apt-get install -y -q gettext; }

compilemessages: $(STAMP) gettext
	$(BIN)/python manage.py compilemessages --ignore=.venv --verbosity 0

messages: $(STAMP) gettext
	$(BIN)/python manage.py makemessages $(addprefix -l ,$(LOCALES)) --no-obsolete --ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles --ignore=media

# The suite runs on PYTEST_WORKERS processes (pytest-xdist; 0 runs it in this process).
PYTEST_WORKERS ?= 2

test: lint check chromium compilemessages
	$(BIN)/pytest -n $(PYTEST_WORKERS)

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache .pytest_media
	find cms/locale -name '*.mo' -delete
