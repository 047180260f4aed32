# yuebao — the two commands a user needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_HOME ?= .demo
# The demo keeps its inbox inside its home: mark the folder a yuebao home before the inbox goes in
# (yuebao refuses a non-empty folder it did not make).
MARK_DEMO_HOME = $(BIN)/python -c 'import sys; from yuebao.home import ensure_home; ensure_home(sys.argv[1])' $(DEMO_HOME)

.PHONY: install demo test lint docs bench bench-upload clean airflow fonts chromium portal

# The venv is (re)built only when the pins change; a second `make` costs nothing.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

# CJK fonts for the charts, the HTML and the DOCX (Noto Serif/Sans CJK stand in for 仿宋_GB2312/黑体)
# and the official faces the DOCX names mapped to them (deploy/fontconfig, for LibreOffice and the charts)
FONTCONFIG_DIR := $(if $(filter 0,$(shell id -u)),/etc/fonts/conf.d,$(HOME)/.config/fontconfig/conf.d)
fonts:
	@fc-list :lang=zh family | grep -q "Noto Serif CJK" || (apt-get update -qq && apt-get install -y -qq fonts-noto-cjk fonts-noto-cjk-extra)
	@cmp -s deploy/fontconfig/60-yuebao-cjk.conf $(FONTCONFIG_DIR)/60-yuebao-cjk.conf || \
		(mkdir -p $(FONTCONFIG_DIR) && cp deploy/fontconfig/60-yuebao-cjk.conf $(FONTCONFIG_DIR)/ && fc-cache -f >/dev/null)

# The demo inbox is a copy of the samples, dated when the seed's departments would have sent them
# (a file's modification time is its submission time; a fresh clone's would make every one late).
demo: $(STAMP) fonts
	$(MARK_DEMO_HOME)
	rm -rf $(DEMO_HOME)/inbox && mkdir -p $(DEMO_HOME)/inbox && cp -R samples/inbox/2024-10 $(DEMO_HOME)/inbox/
	touch -d 2024-11-01T01:30:00Z $(DEMO_HOME)/inbox/2024-10/*  # 09:30 Beijing time
	$(BIN)/yuebao run --month 2024-10 --inbox $(DEMO_HOME)/inbox --home $(DEMO_HOME)
	@echo ""
	@echo "warehouse: $(DEMO_HOME)/warehouse.duckdb   (open read-only: duckdb -readonly $(DEMO_HOME)/warehouse.duckdb)"
	@echo "bulletin:  $(DEMO_HOME)/publish/2024-10/bulletin.html  (.md, .docx beside it)"
	@echo "quality:   $(DEMO_HOME)/publish/2024-10/dq/index.html  (one report per department)"

# The submission portal on the demo home, with a demo reviewer and a 市住建局 reporter whose
# passwords are generated now and printed once (no account or password is built in).
portal: $(STAMP)
	$(MARK_DEMO_HOME)
	mkdir -p $(DEMO_HOME)/inbox
	$(BIN)/yuebao portal --home $(DEMO_HOME) --inbox $(DEMO_HOME)/inbox --demo

# The data-quality report tests render the HTML in headless Chromium; installed once when missing.
chromium:
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

# The suite on TEST_WORKERS processes (pytest-xdist; how they share the work: tests/conftest.py).
TEST_WORKERS ?= 2
test: $(STAMP) fonts chromium lint
	$(BIN)/pytest -n $(TEST_WORKERS)

docs: $(STAMP)  # dbt docs of the published demo warehouse (run `make demo` first)
	cd dbt_project && YUEBAO_REPORT_MONTH=2024-10-01 YUEBAO_DUCKDB_PATH=$(abspath $(DEMO_HOME))/warehouse.duckdb ../$(BIN)/dbt docs generate --profiles-dir . --target-path $(abspath $(DEMO_HOME))/dbt_docs
	cd dbt_project && YUEBAO_DUCKDB_PATH=$(abspath $(DEMO_HOME))/warehouse.duckdb ../$(BIN)/dbt docs serve --profiles-dir . --target-path $(abspath $(DEMO_HOME))/dbt_docs

# Production mode on this machine: PostgreSQL metadata, separate scheduler/DAG processor/triggerer/
# API server (LocalExecutor); stop with `.venv/bin/python -m deploy.stack stop`. See docs/deploy.md.
airflow: $(STAMP)
	$(BIN)/python -m deploy.stack start

# Benchmarks → bench/results/latest.json and docs/benchmarks.md (country takes many minutes).
SCALES ?= city,province,country
BENCH_ARGS ?= --backfill-months 12 --per-process-months 2
API_BENCH_ARGS ?= --scale province --months 120 --clients 20
bench: bench-upload
	$(BIN)/python bench/run_bench.py --scales $(SCALES) $(BENCH_ARGS)
	$(BIN)/python bench/bench_api.py $(API_BENCH_ARGS)

# Tier-1 upload check latency (p50/p95, seconds) → bench/results/upload.json; a few seconds.
bench-upload: $(STAMP)
	$(BIN)/python bench/bench_upload.py

# Python style, the layers of docs/design.md (import-linter, pyproject.toml) and the dbt SQL's house
# style (.sqlfluff); any finding fails.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/tests

clean:
	rm -rf $(DEMO_HOME) .pytest_cache dbt_project/target dbt_project/logs
