# The two commands of the README: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# one test worker per core; PYTEST_ARGS= (empty) runs the suite in one process
PYTEST_ARGS ?= -n auto
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint typecheck unit browser sandbox clean

# The sandbox is installed editable after the extra brought it, so the tests run its code
# as it is in the checkout.
$(STAMP): pyproject.toml sandbox/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e ./sandbox
	touch $(STAMP)

## demo: a full weekly triage against the bundled sandbox, and its result
demo: $(STAMP)
	$(BIN)/triage demo

## test: lint, type checks and the whole test suite
test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) browser
	$(BIN)/pytest $(PYTEST_ARGS)

## browser: Debian's chromium for the plan report's browser test, installed when absent
## (CHROMIUM=/path/to/chrome names another browser instead)
browser:
	@if [ -z "$$CHROMIUM" ] && ! command -v chromium >/dev/null 2>&1; then \
	  echo "Installing Debian's chromium for the browser test"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
