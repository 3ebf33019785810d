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

# With a token: upgrade the bot's database, then run. Without: the sandbox, which
# upgrades (and names) its own database, data/sandbox.sqlite3.
RUN_MODE = $(if $(BOT_TOKEN),run,$(shell grep -qs '^BOT_TOKEN=.\+' .env && echo run || echo sandbox))
run: $(STAMP) locales
	@if [ "$(RUN_MODE)" = run ]; then $(PY) -m cccp db upgrade; fi
	$(PY) -m cccp $(RUN_MODE)

# Chromium and axe-core for the browser tests (never needed by `make run`), and the
# colour emoji font certificates draw names with (without it they draw a fallback glyph).
AXE_VERSION := 4.10.3
AXE := .browser-deps/node_modules/axe-core/axe.min.js
browser-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null || missing="$$missing chromium-driver"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	[ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || missing="$$missing fonts-noto-color-emoji"; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null \
	    || echo "WARNING: could not install$$missing; the browser tests will say they are skipped"; \
	fi
	@if [ ! -f $(AXE) ] && command -v npm >/dev/null; then \
	  echo "installing axe-core $(AXE_VERSION) from npm for the accessibility checks"; \
	  npm install --silent --no-audit --no-fund --prefix .browser-deps axe-core@$(AXE_VERSION) >/dev/null; \
	fi

# The whole suite, short versions of the soak and benchmark runs included, on two pytest-xdist
# workers (this machine has two cores; 9 min against 18 in one process). Each worker has its own
# SQLite template and PostgreSQL database. TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 2
# PostgreSQL joins in when it answers on 127.0.0.1:5432.
test: setup browser-deps
	@if [ -z "$$TEST_POSTGRES_URL" ] && $(PY) -c "import socket; socket.create_connection(('$(PGHOST)', $(PGPORT)), 1)" 2>/dev/null; then \
	  export TEST_POSTGRES_URL=postgres://postgres@$(PGHOST):$(PGPORT)/postgres; \
	  echo "PostgreSQL answers: tests run on SQLite and PostgreSQL"; \
	fi; \
	$(PY) -m pytest -q -m "not slow" -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .

# Benchmarks at full size; figures go to docs/PERFORMANCE.md.
bench: setup
	$(PY) -m pytest -q -m slow -s tests

clean:
	rm -rf $(VENV) data/*.sqlite3*
