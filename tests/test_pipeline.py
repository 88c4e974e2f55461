"""The whole Dagster graph on raw/, in process, into a throwaway warehouse folder."""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb
import pytest

from tests.conftest import SHARED, shared_missing


def test_run_succeeds_and_publishes(built):
    result, published = built
    assert result.success
    checks = result.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks)
    con = duckdb.connect(str(published), read_only=True)
    counts = dict(con.execute("SELECT source_path, n_tasks FROM dim_document").fetchall())
    assert counts == {
        "plans/000_fc9f8ecdecbcee10.txt": 50,
        "plans/001_5d5a89fb325a0d90.txt": 67,
        "plans/002_a4935c26879af6ae.txt": 85,
        "plans/004_0f436dfa0397b1ae.txt": 51,
        "plans/003_c0cd988506191886.txt": 71,
    }
    assert con.execute("SELECT count(*) FROM fct_plan_task").fetchall()[0][0] == 324
    # nothing from the plans, the PAPI scores or the PCI workbooks and Wikipedia table is quarantined (issue 17)
    q = con.execute("SELECT source_path, source_ref, reason FROM quarantine").fetchall()
    assert q == [], q[:10]
    assert con.execute(
        "SELECT successor_key, valid_to::VARCHAR FROM dim_province WHERE province_key = '2004-28'"
    ).fetchall() == [("2004-01", "2008-07-31")]
    if (SHARED / "scores" / "pci").is_dir():  # the real PCI data (CI has it)
        # 42 provinces in 2005, 64 in 2006-2008 (with Hà Tây, 2004-28), 63 from 2009; the workbook is preferred
        n = dict(
            con.execute(
                "SELECT year, count(*) FROM fct_indicator_score WHERE indicator_code = 'PCI.TOTAL' "
                "AND is_preferred GROUP BY year"
            ).fetchall()
        )
        assert n == {2005: 42, 2006: 64, 2007: 64, 2008: 64, **{y: 63 for y in range(2009, 2017)}}
        assert (
            con.execute(
                "SELECT count(*) FROM dq_finding WHERE rule = 'score_layouts_disagree' AND message LIKE 'PCI.%'"
            ).fetchall()[0][0]
            == 35
        )
    # every fact key resolves; grains are unique
    assert (
        con.execute("SELECT count(*) FROM fct_plan_task t ANTI JOIN dim_document d USING (document_id)").fetchall()[0][
            0
        ]
        == 0
    )
    assert con.execute("SELECT count(*) - count(DISTINCT task_id) FROM fct_plan_task").fetchall()[0][0] == 0
    assert con.execute("SELECT count(*) - count(DISTINCT finding_id) FROM dq_finding").fetchall()[0][0] == 0
    row = con.execute(
        "SELECT province_key, doc_numbers, issue_date::VARCHAR, n_findings_warning FROM dim_document "
        "WHERE source_path = 'plans/001_5d5a89fb325a0d90.txt'"
    ).fetchall()[0]
    assert row == ("2004-51", ["881/QĐ-UBND"], "2017-05-12", 5)
    t = con.execute(
        "SELECT task_ref, timeline_text, line_start, line_end FROM fct_plan_task WHERE task_ref = '3.4.b'"
    ).fetchall()
    assert t == [("3.4.b", "Trong năm 2020", 337, 340)]
    comment = con.execute(
        "SELECT comment FROM duckdb_columns() WHERE table_name = 'fct_plan_task' AND column_name = 'task_ref'"
    ).fetchall()[0][0]
    assert comment.startswith("The row's own number")
    con.close()


def test_sql_model_dependencies_come_from_the_sql():
    from pipelines.warehouse.sql_models import load_models

    deps = {m.name: m.deps for m in load_models()}
    assert deps["dim_document"] == ("dq_finding", "stg_documents")
    assert deps["fct_plan_task"] == ("stg_plan_tasks", "stg_task_normalised")
    assert deps["mart_target_vs_actual"] == ("dim_document", "dq_finding", "fct_indicator_score", "fct_plan_target")


def test_reader_holding_published_file_does_not_block_rebuild(built, tmp_path):
    from assets import definitions
    from pipelines.publish.release import publish_release, release_is_consistent
    from pipelines.settings import Settings

    s = Settings.from_env()
    BUILD_DB, WAREHOUSE_DIR = s.build_db, s.warehouse_dir

    _, published = built
    reader = duckdb.connect(str(published), read_only=True)
    before = reader.execute("SELECT count(*) FROM fct_plan_task").fetchall()[0][0]
    tables = definitions.PYTHON_TABLES | {a.key.path[-1] for a in definitions.sql_assets}
    new_id, _ = publish_release(
        BUILD_DB, WAREHOUSE_DIR, keep_tables=tables
    )  # a new release while the reader holds the old
    assert release_is_consistent(WAREHOUSE_DIR) == new_id
    assert reader.execute("SELECT count(*) FROM fct_plan_task").fetchall()[0][0] == before == 324
    reader.close()
    again = duckdb.connect(str(published), read_only=True)
    assert again.execute("SELECT count(*) FROM fct_plan_task").fetchall()[0][0] == 324
    again.close()


def panel_in_build() -> bool:
    """The real PAPI panel is in this build (the shared data among the raw roots)."""
    return shared_missing("scores/papi", in_build=True) is None


@pytest.mark.needs_shared("scores/papi", in_build=True)
def test_warehouse_scores_ranks_and_reconciliation(built):
    _, published = built
    con = duckdb.connect(str(published), read_only=True)
    rows = con.execute("""SELECT indicator_code, year, round(score, 2), rank, n_ranked FROM mart_province_scores
                          WHERE province_key = '2004-79' AND year = 2017 AND level <> 'subdimension'
                          ORDER BY indicator_code""").fetchall()
    assert rows == [
        ("PAPI.D1", 2017, 4.7, 60, 63),
        ("PAPI.D2", 2017, 5.93, 16, 63),
        ("PAPI.D3", 2017, 5.15, 26, 63),
        ("PAPI.D4", 2017, 5.46, 55, 63),
        ("PAPI.D5", 2017, 7.04, 43, 63),
        ("PAPI.D6", 2017, 7.6, 6, 63),
        ("PAPI.TOTAL", 2017, 35.88, 39, 63),
    ]
    # a province with a missing dimension has no total, and ranks count only provinces with a value
    assert (
        con.execute("""SELECT score, rank, n_ranked FROM mart_province_scores
                          WHERE province_key = '2004-22' AND year = 2018 AND indicator_code = 'PAPI.TOTAL'""").fetchall()
        == [(None, None, 61)]
    )
    assert con.execute("""SELECT n_provinces FROM mart_province_scores WHERE year = 2021 AND indicator_code = 'PAPI.D1'
                          LIMIT 1""").fetchall() == [(60,)]
    verdicts = con.execute("""SELECT line, indicator_code, year, verdict FROM int_plan_quote_reconciliation
                              ORDER BY line, indicator_code, year""").fetchall()
    assert verdicts == [
        (65, "PAPI.D1", 2017, "matches"),
        (66, "PAPI.D2", 2016, "matches"),
        (66, "PAPI.D2", 2017, "matches"),
        (67, "PAPI.D3", 2016, "matches"),
        (67, "PAPI.D3", 2017, "contradicts"),
        (68, "PAPI.D4", 2016, "matches"),
        (68, "PAPI.D4", 2017, "matches"),
        (69, "PAPI.D5", 2016, "matches"),
        (69, "PAPI.D5", 2017, "matches"),
        (70, "PAPI.D6", 2016, "matches"),
        (70, "PAPI.D6", 2017, "matches"),
        (72, "PAPI.TOTAL", 2016, "matches"),
        (72, "PAPI.TOTAL", 2017, "matches"),
        (100, "PAPI.D1", 2017, "contradicts"),
        (130, "PAPI.D2", 2017, "matches"),
        (154, "PAPI.D3", 2017, "matches"),
        (168, "PAPI.D4", 2017, "matches"),
        (188, "PAPI.D5", 2017, "matches"),
        (202, "PAPI.D6", 2017, "matches"),
    ]
    status = dict(
        con.execute(
            "SELECT province_key || ' ' || indicator_code || ' ' || year || ' ' || unit, status "
            "FROM mart_target_vs_actual WHERE unit <> 'points'"
        ).fetchall()
    )
    # Hà Nội PAPI 2021: "tăng ít nhất 05 bậc" -> met; Quảng Ngãi "nhóm 20/63" by 2020 -> not met
    assert status["2004-01 PAPI.TOTAL 2021 rank_change"] == "met"
    assert status["2004-51 PAPI.TOTAL 2020 rank"] == "not_met"
    assert status["2004-79 PAPI.TOTAL 2018 rank"] == "not_met"
    con.close()


def test_marts_read_the_same_in_duckdb_polars_pyarrow_pandas(built):
    import pandas as pd
    import polars as pl
    import pyarrow.dataset as ds

    from pipelines.settings import Settings

    MARTS_DIR = Settings.from_env().marts_dir

    _, published = built
    con = duckdb.connect(str(published), read_only=True)
    for mart in ("mart_plan_coverage", "mart_agency_workload", "mart_province_scores", "mart_target_vs_actual"):
        folder = MARTS_DIR / mart
        n = con.execute(f"SELECT count(*) FROM {mart}").fetchall()[0][0]
        files = list(folder.rglob("*.parquet"))
        assert files, mart
        d = duckdb.sql(
            f"SELECT count(*) FROM read_parquet('{folder}/**/*.parquet', hive_partitioning=true)"
        ).fetchall()[0][0]
        p = pl.scan_parquet(f"{folder}/**/*.parquet", hive_partitioning=True).select(pl.len()).collect().item()
        a = ds.dataset(str(folder), format="parquet", partitioning="hive").count_rows()
        f = len(pd.read_parquet(folder))
        assert d == p == a == f == n, (mart, n, d, p, a, f)
    # values, not only counts: the plan coverage mart sums to the task total in every reader
    folder = MARTS_DIR / "mart_plan_coverage"
    assert (
        pl.scan_parquet(f"{folder}/**/*.parquet", hive_partitioning=True)
        .select(pl.col("n_tasks").sum())
        .collect()
        .item()
        == int(pd.read_parquet(folder)["n_tasks"].sum())
        == 324
    )
    con.close()


def test_agencies_and_coverage_in_the_warehouse(built):
    _, published = built
    con = duckdb.connect(str(published), read_only=True)
    # Sở Nội vụ of Hà Nội, Quảng Ngãi and HCMC: three rows of one sector
    rows = con.execute(
        "SELECT agency_id, name_vi, sector, level FROM dim_agency WHERE agency_code = 'SO_NOI_VU' ORDER BY 1"
    ).fetchall()
    assert rows == [
        ("2004-01:SO_NOI_VU", "Sở Nội vụ", "home_affairs", "province"),
        ("2004-51:SO_NOI_VU", "Sở Nội vụ", "home_affairs", "province"),
        ("2004-79:SO_NOI_VU", "Sở Nội vụ", "home_affairs", "province"),
    ]
    assert con.execute(
        "SELECT name_vi, province_key FROM dim_agency WHERE agency_id = '2004-51:CONG_AN'"
    ).fetchall() == [("Công an tỉnh", "2004-51")]
    cov = con.execute("""SELECT indicator_code, n_tasks, n_tasks_with_deadline FROM mart_plan_coverage
                         WHERE document_id = 'b87cb0caa1fc84d8' ORDER BY 1""").fetchall()
    assert [(c, n) for c, n, _ in cov] == [
        ("PAR.CIVIL_SERVICE", 11),
        ("PAR.DIRECTION", 12),
        ("PAR.FINANCE", 8),
        ("PAR.IMPACT", 6),
        ("PAR.INSTITUTIONS", 4),
        ("PAR.MODERNISATION", 12),
        ("PAR.ORGANISATION", 8),
        ("PAR.PROCEDURES", 24),
        ("PAR.TOTAL", 0),  # "Par Index năm 2020 … trong 05 địa phương dẫn đầu"
        (None, 0),
    ]  # objectives-section targets attached to no indicator
    # dim_province: both vintages, and HCMC's successor is the merged 2025 unit
    # the 63 provinces of 2004-2025 plus Hà Tây (2004-28, dissolved 1 August 2008), and the 34 units of 2025
    assert con.execute("SELECT vintage, count(*) FROM dim_province GROUP BY 1 ORDER BY 1").fetchall() == [
        (2004, 64),
        (2025, 34),
    ]
    assert con.execute(
        "SELECT count(*) FROM dim_province WHERE vintage = 2004 AND valid_to >= DATE '2025-06-30'"
    ).fetchall() == [(63,)]
    assert con.execute("SELECT successor_key FROM dim_province WHERE province_key = '2004-74'").fetchall() == [
        ("2025-79",)
    ]
    con.close()


def test_full_par_table_wins_over_press_figures(built, tmp_path):
    """A user's full PAR table (here one SYNTHETIC row written by this test) and the press figure for the same cell
    (Đà Nẵng 2016, raw/reference) both stay in fct_indicator_score; the mart keeps one row, from the full table."""
    from pipelines.settings import Settings
    from pipelines.warehouse.sql_models import load_models, run_model

    BUILD_DB = Settings.from_env().build_db

    # its own copy of the build: the synthetic row must never reach the build the other tests share
    copy = tmp_path / "build.duckdb"
    shutil.copy(BUILD_DB, copy)
    con = duckdb.connect(str(copy))
    con.execute("""INSERT INTO stg_index_scores VALUES ('2004-48', '48', 2016, 'PAR.TOTAL', 'total', 90.0, 'par_tidy',
                   'scores/par_synthetic.csv:2', 'score', 'scores/par_synthetic.csv', 'synthetic')""").fetchall()
    models = {m.name: m for m in load_models()}
    for name in (
        "int_official_scores",
        "int_official_ranked",
        "int_plan_quote_reconciliation",
        "fct_indicator_score",
        "mart_province_scores",
    ):
        run_model(con, models[name])
    fct = con.execute("""SELECT source, score, is_preferred, is_partial FROM fct_indicator_score
                         WHERE province_key = '2004-48' AND year = 2016 AND indicator_code = 'PAR.TOTAL'
                         ORDER BY source""").fetchall()
    assert fct == [("par_published", 90.32, False, True), ("par_tidy", 90.0, True, False)]
    mart = con.execute("""SELECT source, score FROM mart_province_scores
                          WHERE province_key = '2004-48' AND year = 2016 AND indicator_code = 'PAR.TOTAL'""").fetchall()
    assert mart == [("par_tidy", 90.0)]
    con.close()


def test_failed_build_leaves_published_files_byte_identical(built, tmp_path):
    """A duplicated task key in the build stops the blocking key check; nothing is published."""
    import hashlib

    from assets import definitions
    from assets.checks import CORE_KEYS, key_check
    from pipelines.settings import Settings

    s = Settings.from_env()
    BUILD_DB, MARTS_DIR = s.build_db, s.marts_dir

    _, published = built

    def fingerprint():
        files = [published, *sorted(MARTS_DIR.rglob("*.parquet"))]
        return {str(f): hashlib.sha256(f.read_bytes()).hexdigest() for f in files}

    before = fingerprint()
    # the graph reads the shared build: corrupt it and put the saved copy back whatever happens
    saved = tmp_path / "build.duckdb"
    shutil.copy(BUILD_DB, saved)
    try:
        con = duckdb.connect(str(BUILD_DB))
        con.execute("INSERT INTO stg_plan_tasks SELECT * FROM stg_plan_tasks WHERE task_ref = '3.4.b'").fetchall()
        con.close()
        result = dg.materialize(
            [*definitions.sql_assets, definitions.publish_asset, *[key_check(*c) for c in CORE_KEYS]],
            resources=definitions.defs.resources,
            raise_on_error=False,
        )
    finally:
        shutil.copy(saved, BUILD_DB)
    assert not result.success
    failed = [c.check_name for c in result.get_asset_check_evaluations() if not c.passed]
    assert "keys_fct_plan_task" in failed
    assert dg.AssetKey("warehouse_published") not in {m.asset_key for m in result.get_asset_materialization_events()}
    assert fingerprint() == before


def test_docs_warehouse_md_is_up_to_date():
    from pipelines.warehouse.docs import DOC, render

    assert DOC.read_text(encoding="utf-8") == render(), (
        "run `python -m pipelines.warehouse.docs` and commit docs/warehouse.md"
    )


def test_summary_prints_a_quarantine_count_and_the_query_not_a_line_per_file(built, capsys):
    from pipelines.cli import summary

    summary.main()
    out = capsys.readouterr().out
    lines = [
        ln
        for ln in out.splitlines()
        if "quarantin" in ln.lower() and not ln.strip().startswith(("quarantine ", "stg_"))
    ]
    assert lines == [
        "Quarantine: 0 rejected files, rows or cells from 0 files, each with its reason: "
        'make sql Q="SELECT source_path, source_ref, reason FROM quarantine"'
    ], lines
