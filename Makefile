# One-command set-up: `make demo` runs the study on the embedded demo, `make test` runs lint + tests.
# Both create .venv and install the pinned package on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CORES ?= all

.PHONY: install demo test lint unit clean-results

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[torch,imaging,workflow,dev]'
	touch $(STAMP)

## the whole study on the embedded demo (results/)
demo: $(STAMP)
	$(BIN)/snakemake --cores $(CORES)

## formatting + lint of the workflow, then the test suite (CI runs exactly this)
test: $(STAMP) lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/snakefmt --check Snakefile rules
	$(BIN)/snakemake --lint

## fast unit tests only (no snakemake runs)
unit: $(STAMP)
	$(BIN)/python -m pytest -m "not workflow"

clean-results:
	rm -rf results .snakemake
