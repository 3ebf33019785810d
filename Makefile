# The two commands a newcomer needs: `make run` and `make test`.
# Both set up what is missing first (venv, packages, database) and do nothing
# more when everything is in place.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PGHOST := 127.0.0.1
PGPORT := 5432

.PHONY: setup run test test-all lint bench browser-deps db clean

setup: $(STAMP) db

# Reinstall when pyproject.toml changes.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

locales: $(STAMP)
	@$(PY) -m cccp.compile_locales

db: $(STAMP) locales
	@$(PY) -m cccp db upgrade

run: setup
	$(PY) -m cccp $(if $(BOT_TOKEN),run,$(shell grep -qs '^BOT_TOKEN=.\+' .env && echo run || echo sandbox))

# Chromium for the browser tests (never needed by `make run`).
browser-deps:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  echo "installing chromium and chromium-driver for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

# The whole suite, short versions of the soak and benchmark runs included.
# PostgreSQL joins in when it answers on 127.0.0.1:5432.
test: setup browser-deps
	@if [ -z "$$TEST_POSTGRES_URL" ] && $(PY) -c "import socket; socket.create_connection(('$(PGHOST)', $(PGPORT)), 1)" 2>/dev/null; then \
	  export TEST_POSTGRES_URL=postgres://postgres@$(PGHOST):$(PGPORT)/postgres; \
	  echo "PostgreSQL answers: tests run on SQLite and PostgreSQL"; \
	fi; \
	$(PY) -m pytest -q -m "not slow" $(PYTEST_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .

# Benchmarks at full size; figures go to docs/PERFORMANCE.md.
bench: setup
	$(PY) -m pytest -q -m slow -s tests

clean:
	rm -rf $(VENV) data/*.sqlite3*
