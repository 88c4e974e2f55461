from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from pipelines.settings import Settings

# Build into a throwaway folder: tests never touch the developer's warehouse/, not even one a user exported in
# GOVDATA_WAREHOUSE_DIR (assigned, not setdefault).
os.environ["GOVDATA_WAREHOUSE_DIR"] = tempfile.mkdtemp(prefix="govdata-test-wh-")

PROJECT = Path(__file__).resolve().parents[1]
SETTINGS = Settings.from_env()
# The real scores, documents and reference tables beside the checkout (GOVDATA_SHARED_DATA, default ../shared/data)
SHARED = SETTINGS.shared_data
PLANS = PROJECT / "raw" / "plans"
HCMC_PAPI = PLANS / "000_fc9f8ecdecbcee10.txt"
QUANG_NGAI = PLANS / "001_5d5a89fb325a0d90.txt"
HCMC_PAR = PLANS / "002_a4935c26879af6ae.txt"
HANOI_PAPI = PLANS / "004_0f436dfa0397b1ae.txt"


def shared_missing(subpath: str = "", in_build: bool = False) -> str | None:
    """Why a test that needs `SHARED/subpath` cannot run here (None when it can). With in_build, the shared folder
    must also be one of the build's raw roots (GOVDATA_RAW_EXTRA, as `make test` and CI set it)."""
    from pipelines.sources.plans.ingest import raw_roots

    path = SHARED / subpath
    if not path.exists():
        return f"{path} is absent (GOVDATA_SHARED_DATA; CI has it, it is never committed)"
    if in_build and SHARED.resolve() not in [r.resolve() for r in raw_roots(SETTINGS)]:
        return f"{SHARED} is not among the raw roots (GOVDATA_RAW_EXTRA; `make test` and CI put it there)"
    return None


def require_shared(subpath: str = "", in_build: bool = False) -> None:
    """Skip the running test when the shared data it needs is not here; fail it instead when GOVDATA_REQUIRE_SHARED=1
    (CI: a missing ../shared is an error there, never a quiet skip)."""
    reason = shared_missing(subpath, in_build)
    if reason is None:
        return
    if SETTINGS.require_shared:
        pytest.fail(f"needs the shared data, and GOVDATA_REQUIRE_SHARED=1: {reason}", pytrace=False)
    pytest.skip(f"needs the shared data: {reason}")


@pytest.hookimpl(tryfirst=True)  # before any fixture is set up (the whole build of `built` for one)
def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers(name="needs_shared"):
        require_shared(*mark.args, **mark.kwargs)


# The slow tier (`make test` runs it, `make test-fast` leaves it out): every test on the whole Dagster graph (the
# session fixture `built`), and these modules and tests, each over 5 s in `make test` (a build in a child process,
# a pipeline run, Chromium, OCR, the real documents)
SLOW_FIXTURES = {"built"}
SLOW_MODULES = {
    "test_hostile_run.py",  # the whole graph in a child process
    "test_real_documents_run.py",  # the 307 real documents, built in a child process
    "test_reproducible.py",  # two builds in child processes
    "test_ui_browser.py",  # the Dagster UI in Chromium
    "test_bench_build.py",  # the benchmark's pipeline on a small synthetic corpus
}
SLOW_TESTS = {
    "test_raw_files.py::test_a_missing_raw_root_stops_the_run_before_publishing",  # a Dagster run
    "test_score_contracts.py::test_hostile_score_files_do_not_block_publishing",  # the whole graph, child process
    "test_report_payloads.py::test_a_report_of_payloads_runs_no_script_and_draws_every_chart",  # Chromium
    "test_bounded_inputs.py::test_a_zip_bomb_is_quarantined_from_its_directory_in_seconds_and_never_read_in_this_process",
    "test_bounded_inputs.py::test_ocr_stops_at_its_time_budget_per_file",  # OCR
    "test_formats.py::test_a_scanned_pdf_is_read_by_ocr_with_its_pages_and_lower_confidence",  # OCR
    "test_formats.py::test_warehouse_targets_and_findings_carry_their_place_and_ocr_findings_low_confidence",  # OCR
    "test_cluster.py::test_a_worker_killed_mid_document_loses_nothing",  # a Dask cluster on loopback, OCR
    "test_cluster.py::test_a_document_that_kills_every_worker_it_meets_is_quarantined_and_the_rest_read",  # Dask
    "test_bench_scanned.py::test_ocr_pages_per_worker_on_the_scanned_corpus",  # a Dask cluster on loopback, OCR
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        module = item.nodeid.split("::")[0].rsplit("/", 1)[-1]
        name = item.nodeid.split("::")[-1].split("[")[0]
        if fixtures & SLOW_FIXTURES or module in SLOW_MODULES or f"{module}::{name}" in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def parsed():
    from pipelines.sources.plans.decode import decode_document
    from pipelines.sources.plans.plan import parse_plan

    out = {}
    for p in (HCMC_PAPI, QUANG_NGAI, HCMC_PAR, HANOI_PAPI):
        text = decode_document(p.read_bytes()).text
        out[p.name[:3]] = (parse_plan(text), text)
    return out


def task_at(plan, line_start):
    hits = [t for t in plan.tasks if t.line_start == line_start]
    assert len(hits) == 1, f"expected one task starting at line {line_start}, got {len(hits)}"
    return hits[0]


def task_ref(plan, ref):
    hits = [t for t in plan.tasks if t.task_ref == ref]
    assert len(hits) == 1, f"expected one task {ref}, got {len(hits)}"
    return hits[0]


@pytest.fixture(scope="session")
def built():
    """The whole Dagster graph with every check, on raw/ (+ the shared data under make), into the test warehouse."""
    import dagster as dg

    from assets import definitions

    result = dg.materialize(
        [*definitions.PYTHON_ASSETS, *definitions.sql_assets, definitions.publish_asset, *definitions.all_checks],
        resources=definitions.defs.resources,
    )
    return result, definitions.settings.published_db


def stage_files(files, workdir: Path, db: str = "staging.duckdb"):
    """Stage plan files with the code the assets run (incremental.sync_plans + sync_normalised) into a DuckDB file
    of `workdir` and read the staging tables back. Returns (plans report, normalise report, staged, normalised):
    staged.documents / tasks / findings / quarantine and normalised.tasks / task_agency / targets / quoted_scores /
    findings are frames, normalised.alias_use the agency aliases used. Caches live in `workdir` too, so another
    call with the same workdir reuses them."""
    from types import SimpleNamespace

    import duckdb

    from pipelines.staging import incremental

    con = duckdb.connect(str(workdir / db))
    try:
        plans = incremental.sync_plans(con, files, workers=1, cache_dir=workdir / "parsed")
        norm = incremental.sync_normalised(
            con, workers=1, cache_dir=workdir / "normalised", parse_cache_dir=workdir / "parsed"
        )

        def read(table: str, order: str | None = None):
            # unordered: insertion order, in which a document's rows are written as they were found
            return con.sql(f'SELECT * FROM "{table}"' + (f" ORDER BY {order}" if order else "")).pl()

        staged = SimpleNamespace(
            documents=read("stg_documents", "source_path"),
            tasks=read("stg_plan_tasks", "document_id, task_seq"),
            findings=read("stg_findings"),
            quarantine=read("stg_quarantine", "source_path"),
        )
        normalised = SimpleNamespace(
            tasks=read("stg_task_normalised"),
            task_agency=read("stg_task_agency"),
            targets=read("stg_plan_targets"),
            quoted_scores=read("stg_plan_quoted_scores"),
            findings=read("stg_normalise_findings"),
            alias_use=incremental.used_aliases(con),
        )
    finally:
        con.close()
    return plans, norm, staged, normalised


# The whole graph in a child process (its own Dagster instance and settings); with "checks", every asset check too,
# and a failed one named in the error.
_BUILD = """
import sys
import dagster as dg
from assets import definitions
checks = list(definitions.all_checks) if "checks" in sys.argv else []
r = dg.materialize([*definitions.PYTHON_ASSETS, *definitions.sql_assets, definitions.publish_asset, *checks],
                   resources=definitions.defs.resources, raise_on_error=False)
assert r.success, [c.check_name for c in r.get_asset_check_evaluations() if not c.passed]
"""


def build_in_subprocess(wh: Path, *, checks: bool = True, timeout: int = 1200, **env: str) -> None:
    """Build and publish into the warehouse folder `wh` with these environment settings (GOVDATA_RAW_EXTRA …)."""
    r = subprocess.run(
        [sys.executable, "-c", _BUILD, *(["checks"] if checks else [])],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(PROJECT), "GOVDATA_WAREHOUSE_DIR": str(wh), **env},
    )
    assert r.returncode == 0, r.stderr[-4000:]


# The reasons a text that decodes yields no task (a document with 0 tasks, never a quarantine): nothing in it
# assigns work, or it is no official document at all (no type, number or issuer)
NO_WORK = ("no tasks found", "no document type, number or issuer")


@contextmanager
def chromium_browser():
    """Debian's Chromium through Playwright, with the flags this machine's closed network needs; closed after."""
    from playwright.sync_api import sync_playwright

    from tools.ui_check import CHROMIUM_ARGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=SETTINGS.chromium, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
