# The two commands: `make run` and `make test`. Each sets up .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test lint check bench clean postgres

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/trivia-bot run

test: $(STAMP) postgres
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/trivia-bot check facts/
	$(BIN)/pytest

# The store's tests start a real PostgreSQL server (tests/postgres_server.py) from Debian's
# package: installed here when its binaries are missing.
postgres:
	@command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || { \
	  echo "installing PostgreSQL (Debian's postgresql package) for the tests"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q postgresql; }

bench: $(STAMP)
	$(BIN)/python -m bench.matcher_latency
	$(BIN)/python -m bench.interaction_load
	$(BIN)/python -m bench.store_writes

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
