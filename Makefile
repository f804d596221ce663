# The two commands of the README: `make site` (or `make serve`) and `make test`.
# Each creates .venv by itself on a fresh clone.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1

.PHONY: site serve test lint check clean bench

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

site: $(VENV)/.installed  ## build the reference site from the sample data into site/
	$(BIN)/incident-loop check
	$(BIN)/mkdocs build --strict

serve: $(VENV)/.installed  ## serve the site on http://127.0.0.1:8000; a save rebuilds the pages it changes
	$(BIN)/mkdocs serve --livereload --dirty

check: $(VENV)/.installed  ## validate the sample incidents
	$(BIN)/incident-loop check --strict

lint: $(VENV)/.installed
	$(BIN)/ruff check plugins tests benchmarks
	$(BIN)/ruff format --check plugins tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint  ## lint, type-check and run the whole test suite
	$(BIN)/python -m pytest

bench: $(VENV)/.installed  ## build time and memory against plain MkDocs and the Material blog (long; `make bench BENCH_ARGS=--quick` for a smoke run)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf site .pytest_cache .mypy_cache .ruff_cache
