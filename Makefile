# Quick start: `make run` (build everything on raw/) and `make test`. Each target builds .venv if needed.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export DAGSTER_HOME := $(CURDIR)/.dagster_home
export PYTHONPATH := $(CURDIR)
# The real PAPI panel is read in place from ../shared/data when it is there (never copied into the repo).
export GOVDATA_RAW_EXTRA ?= $(abspath $(wildcard ../shared/data))

.PHONY: run test ui ui-check bench lint sql venv clean

$(BIN)/.installed: pyproject.toml
	@$(PY) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version' 
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

venv: $(BIN)/.installed

run: $(BIN)/.installed
	@mkdir -p $(DAGSTER_HOME)
	@# the full Dagster log goes to a file; a failed run must fail `make run`, not print an old summary
	@$(BIN)/dagster job execute -m pipelines.definitions -j full_rebuild > $(DAGSTER_HOME)/last_run.log 2>&1 \
		&& grep -E "documents read|new or changed|normalised \(|RUN_SUCCESS" $(DAGSTER_HOME)/last_run.log | sed 's/.* - //' \
		|| { grep -E "STEP_FAILURE|RUN_FAILURE|Error" $(DAGSTER_HOME)/last_run.log | tail -20; \
		     grep -A 25 "BLOCKING CHECK FAILED" $(DAGSTER_HOME)/last_run.log | sed 's/.* - BLOCKING CHECK/BLOCKING CHECK/' | head -60; \
		     echo "make run FAILED: full log in $(DAGSTER_HOME)/last_run.log"; exit 1; }
	$(BIN)/python -m pipelines.summary

test: $(BIN)/.installed
	$(BIN)/pytest -q

ui: $(BIN)/.installed
	@mkdir -p $(DAGSTER_HOME)
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

# Real-browser check: the UI on 127.0.0.1 in headless Chromium (Debian package); screenshot warehouse/docs/ui.png
ui-check: $(BIN)/.installed
	@test -x /usr/bin/chromium || { echo "installing Debian's chromium"; apt-get install -y -q chromium >/dev/null \
		|| { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }; }
	$(BIN)/python -m pipelines.ui_check

# SYNTHETIC corpora of 1,000 / 5,000 / 20,000 plans under warehouse/bench/; figures in warehouse/bench/results.json
bench: $(BIN)/.installed
	$(BIN)/python -m pipelines.bench.run

lint: $(BIN)/.installed
	$(BIN)/python -m pyflakes pipelines assets tests

# One query: make sql Q="SELECT * FROM dim_document"; without Q, an interactive read-only shell.
sql: $(BIN)/.installed
	$(BIN)/python -m pipelines.sql "$(Q)"

clean:
	rm -rf $(VENV) warehouse/build warehouse/*.duckdb warehouse/marts
