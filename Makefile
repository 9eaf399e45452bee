# The two commands: `make demo` and `make test`. Both create .venv when needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test lint bench clean chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Bytecode is compiled once at install, as pip does by default: where
# PYTHONDONTWRITEBYTECODE is set (as on the project's machines), every command
# would otherwise compile each module it imports from source, about 1 s per command.
# A third-party file that does not compile costs only its own speed-up, hence `|| true`.
COMPILE := $(BIN)/python -m compileall -qq -j 0 $(VENV)/lib sim || true
# The rules' compiled loops (numba, where installed) are compiled and cached once here,
# not by the first large ensemble (sim/engine/warm.py); without numba this does nothing.
WARM := $(BIN)/python -m sim.engine.warm

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(COMPILE)
	touch $(STAMP)

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	$(COMPILE)
	$(WARM)
	touch $(STAMP) $(TEST_STAMP)

demo: $(STAMP)
	$(BIN)/forcegen run scenarios/isf/res2803.yaml

lint: $(TEST_STAMP)
	$(BIN)/ruff check sim tests bench
	$(BIN)/ruff format --check sim tests bench

# tests/web drive Debian's chromium (Playwright's own browser download needs the internet)
chromium:
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# The loops are compiled again here if the rules changed since install (their cache
# is named for the rules' sources; about 1.5 s when nothing changed), not by each
# test worker at once.
test: lint chromium
	$(WARM)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/engines.py

clean:
	rm -rf $(VENV) results/*/ .pytest_cache .ruff_cache
