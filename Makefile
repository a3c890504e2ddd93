# `make run` and `make test` create .venv on first use (and again when pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
WAREHOUSE ?= warehouse

.PHONY: run test lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/newsetl run seeds --warehouse $(WAREHOUSE)
	$(BIN)/newsetl query "select title, authors, published_at, section, word_count from articles order by title" --warehouse $(WAREHOUSE)

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check flows tasks tests
	$(BIN)/ruff format --check flows tasks tests

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
