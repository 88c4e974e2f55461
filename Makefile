# Quick start: `make run` (build everything on raw/) and `make test`. Each target builds .venv if needed.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export DAGSTER_HOME := $(CURDIR)/.dagster_home
export PYTHONPATH := $(CURDIR)
# The real PAPI panel is read in place from the shared data when it is there (never copied into the repo):
# GOVDATA_SHARED_DATA, by default ../shared/data (Settings.shared_data)
export GOVDATA_RAW_EXTRA ?= $(abspath $(wildcard $(or $(GOVDATA_SHARED_DATA),../shared/data)))

.PHONY: run run-cluster test test-fast ui ui-check bench bench-compare lint lock sql export venv clean accuracy format-tools compare-builds

# Installs exactly requirements.lock (every package pinned, with hashes), then the project itself without resolving
$(BIN)/.installed: pyproject.toml requirements.lock
	@$(PY) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version' 
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

venv: $(BIN)/.installed

# pipelines/cli/run.py: one run at a time (a lock), a missing raw root stops it, a log per run under
# .dagster_home/logs/ (last_run.log links to the newest); a failed run fails `make run`
run: $(BIN)/.installed format-tools
	@mkdir -p $(DAGSTER_HOME)
	@$(BIN)/python -m pipelines.cli.run
	$(BIN)/python -m pipelines.cli.summary

# The same build with parsing on a Dask cluster: a scheduler and WORKERS worker processes started on loopback
# (pipelines/staging/cluster.py, Dask's own command lines), each document chunk and each scanned page a task, stopped at the
# end. The same settings run it on several machines (docs/scaling.md). Logs: .dagster_home/dask/
WORKERS ?= 2
run-cluster: $(BIN)/.installed format-tools
	@mkdir -p $(DAGSTER_HOME)
	@$(BIN)/python -m pipelines.staging.cluster --workers $(WORKERS) --log-dir $(DAGSTER_HOME)/dask -- $(BIN)/python -m pipelines.cli.run
	$(BIN)/python -m pipelines.cli.summary

# Every test. Those that need the shared data skip where it is absent, and fail with GOVDATA_REQUIRE_SHARED=1 (CI)
test: $(BIN)/.installed format-tools
	$(BIN)/pytest -q

# The unit tier: every test but the slow ones (marked in tests/conftest.py: the whole Dagster graph, builds in a
# child process, pipeline runs, Chromium, OCR, the real documents)
test-fast: $(BIN)/.installed format-tools
	$(BIN)/pytest -q -m "not slow"

# Converters for plans as published (Debian packages, about 8 MB to download): antiword reads Word 97-2003 .doc; tesseract-ocr with
# its Vietnamese data reads scanned PDFs. Installed when missing and this is root with apt-get; otherwise such files
# are quarantined with the reason and their tests skip.
FORMAT_PKGS := antiword tesseract-ocr tesseract-ocr-vie
format-tools:
	@if ! command -v antiword >/dev/null || ! tesseract --list-langs 2>/dev/null | grep -qx vie; then \
		if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then echo "installing Debian's $(FORMAT_PKGS)"; \
			apt-get install -y -q --no-install-recommends $(FORMAT_PKGS) >/dev/null 2>&1 \
			|| { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends $(FORMAT_PKGS) >/dev/null 2>&1; } \
			|| echo "$(FORMAT_PKGS) could not be installed: .doc and scanned PDF plans will be quarantined with the reason"; \
		else echo "not installed: $(FORMAT_PKGS) (apt-get install them as root to read .doc and scanned PDF plans)"; fi; \
	fi

ui: $(BIN)/.installed
	@mkdir -p $(DAGSTER_HOME)
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

# Real-browser check: the UI on 127.0.0.1 in headless Chromium (Debian package); screenshot warehouse/docs/ui.png
ui-check: $(BIN)/.installed
	@test -x /usr/bin/chromium || { echo "installing Debian's chromium"; apt-get install -y -q chromium >/dev/null \
		|| { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }; }
	$(BIN)/python -m tools.ui_check

# SYNTHETIC corpora of 1,000 / 5,000 / 20,000 plans under warehouse/bench/; figures in warehouse/bench/results.json
bench: $(BIN)/.installed
	$(BIN)/python -m tools.bench.run

# Precision/recall per file and field on plans the readers were not written against; writes docs/accuracy.md
accuracy: $(BIN)/.installed
	$(BIN)/python -m tools.accuracy

# ruff (lint and format check), mypy, all configured in pyproject.toml, then the architecture rules (no import
# cycle, no module over 600 lines, no function over 80: tools/check_architecture.py); CI runs it before the tests
LINT_DIRS := pipelines assets dbt_like_sql tools tests
lint: $(BIN)/.installed
	$(BIN)/ruff check $(LINT_DIRS)
	$(BIN)/ruff format --check $(LINT_DIRS)
	$(BIN)/mypy
	$(BIN)/python -m tools.check_architecture

# After a change of the pins in pyproject.toml: resolve them again into requirements.lock (with hashes)
lock: $(BIN)/.installed
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --no-emit-index-url --no-emit-find-links --no-strip-extras --extra test -o requirements.lock pyproject.toml

# Read-only, no file access: make sql (tables, then a prompt); make sql Q="SELECT * FROM dim_document" [LIMIT=20]
sql: $(BIN)/.installed
	@$(BIN)/python -m pipelines.cli.sql $(if $(LIMIT),--limit $(LIMIT)) "$(Q)"

# The one way to write a result: make export Q="SELECT ..." OUT=name.parquet|name.csv [DIR=folder, default warehouse/exports]
export: $(BIN)/.installed
	@$(BIN)/python -m pipelines.cli.sql --export "$(OUT)" $(if $(DIR),--dir "$(DIR)") "$(Q)"

clean:
	rm -rf $(VENV) warehouse/build warehouse/*.duckdb warehouse/marts warehouse/releases warehouse/current

# Behaviour unchanged: documents read and the whole warehouse built at BASE (a commit) and at the working tree,
# compared row for row; exits non-zero on any difference (CORPUS: a synthetic corpus of `make bench`)
compare-builds: $(BIN)/.installed
	@test -n "$(BASE)" || { echo "usage: make compare-builds BASE=<commit> [CORPUS=warehouse/bench/corpus_1000_seed7]"; exit 2; }
	$(BIN)/python -m tools.bench.compare_builds "$(BASE)" $(if $(CORPUS),--corpus "$(CORPUS)")

# Reading speed at BASE and now, in turns in one run on this machine (CPU seconds on one core, load average beside)
bench-compare: $(BIN)/.installed
	@test -n "$(BASE)" || { echo "usage: make bench-compare BASE=<commit> [CORPUS=warehouse/bench/corpus_1000_seed7]"; exit 2; }
	$(BIN)/python -m tools.bench.compare_speed "$(BASE)" $(if $(CORPUS),--corpus "$(CORPUS)")
