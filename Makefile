# Backline: `make run` to try it, `make test` to test it, `make check` to lint it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST := $(BIN)/python -m pytest

.PHONY: install messages run test test-sqlite test-postgres test-browser check bench clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Backline needs Python 3.11 or newer"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

install: $(INSTALLED)

# the compiled catalogues (.mo) are built from the .po, never committed (docs/adr/0033)
messages: install
	@$(BIN)/python scripts/compile_catalogues.py

run: messages
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	BACKLINE_DEMO=1 $(BIN)/python manage.py load_demo
	@echo
	@echo "Backline is starting on http://$(HOST):$(PORT)/ with its paging engine."
	@echo "Sign in with a demo login above (demo mode lets demo accounts skip MFA)."
	@echo "Signed in, your own e-mail from Backline is at http://$(HOST):$(PORT)/dev/mail/. Stop with Ctrl-C."
	BACKLINE_DEMO=1 BIN=$(BIN) HOST=$(HOST) PORT=$(PORT) sh scripts/run.sh

# the checks first: a type error or a lint fails the run before any test starts
test: check
	sh scripts/ensure_packages.sh
	$(MAKE) test-sqlite test-postgres test-browser

test-sqlite: install
	$(PYTEST) --ignore=tests/browser -n 2

test-postgres: install
	$(BIN)/python scripts/with_postgres.py $(PYTEST) --ignore=tests/browser -n 2

test-browser: install
	$(PYTEST) tests/browser

# the catalogues compile (msgfmt checks them), ruff, then mypy --strict
# (pyproject.toml's [tool.mypy]); silent but for what fails
check: messages
	@$(BIN)/ruff check --quiet conftest.py backline tests bench scripts
	@$(BIN)/ruff format --check --quiet conftest.py backline tests bench scripts
	@$(BIN)/mypy conftest.py backline tests bench

bench: install
	$(BIN)/python -m bench.pages --write
	$(BIN)/python -m bench.paging --write

clean:
	rm -rf $(VENV) data test-artifacts
