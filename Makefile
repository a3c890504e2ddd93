# `make run` and `make test` create .venv on first use (and again when pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
WAREHOUSE ?= warehouse

.PHONY: run test bench eval lint clean browser

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/newsetl run seeds --warehouse $(WAREHOUSE)
	$(BIN)/newsetl query "select title, authors, published_at, section, word_count from articles order by title" --warehouse $(WAREHOUSE)
	$(BIN)/newsetl query "select speaker, verb, left(quote, 70) as quote from quotes where speaker is not null order by doc_id, start_char" --warehouse $(WAREHOUSE)
	$(BIN)/newsetl query "select count_type, qualifier, number, object from event_counts order by doc_id, start_char" --warehouse $(WAREHOUSE)
	$(BIN)/newsetl report --warehouse $(WAREHOUSE) --runs 1

test: $(STAMP) browser
	$(BIN)/python -m pytest

# newsetl vs the NER floor and a naive peer on ../shared/corpora/bbc at 1x and 5x (tens of minutes on
# 2 cores; `BENCH_ARGS=--quick` for a one-minute check). Prints the figures, writes bench/results.json.
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

# Extraction quality on ../shared/corpora (pages/, wire/) against gold: prints the figures, writes
# bench/eval.json. A few minutes on 2 cores.
eval: $(STAMP)
	$(BIN)/python -m bench.evaluate $(EVAL_ARGS)

# The Data Docs test opens the site in a real headless browser: Debian's chromium, installed as root.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "chromium is missing: run 'sudo apt-get install -y chromium' (the browser test needs it)"; fi; }

lint: $(STAMP)
	$(BIN)/ruff check bench flows tasks tests
	$(BIN)/ruff format --check bench flows tasks tests

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
