# yuebao — the two commands a user needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_HOME ?= .demo

.PHONY: install demo test lint docs bench clean

# The venv is (re)built only when the pins change; a second `make` costs nothing.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/yuebao run --month 2024-10 --inbox samples/inbox --home $(DEMO_HOME)
	@echo ""
	@echo "warehouse: $(DEMO_HOME)/warehouse.duckdb   (open read-only: duckdb -readonly $(DEMO_HOME)/warehouse.duckdb)"
	@echo "bulletin:  $(DEMO_HOME)/publish/2024-10/bulletin.md"

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/sqlfluff lint dbt_project/models --dialect duckdb --templater jinja || true

clean:
	rm -rf $(DEMO_HOME) .pytest_cache dbt_project/target dbt_project/logs
