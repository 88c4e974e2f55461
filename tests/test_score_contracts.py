"""One contract per index and scale, checked at the row level (issue 18, item 2): a bad score row or file goes to
quarantine with its file, cell, column, value and reason, and everything else publishes. The score files here are
SYNTHETIC (written by the tests into temporary roots); no real data is copied."""

from __future__ import annotations

import csv
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.sources.plans.ingest import discover

PROJECT = Path(__file__).resolve().parents[1]


def _panel(path: Path, year: int, bad: tuple[str, str, str] | None = None) -> None:
    """A SYNTHETIC PAPI panel file: every province, every column of the year at the middle of its range."""
    from pipelines.sources.scores.scores import columns_for_year

    cols = sorted(columns_for_year(year).values(), key=lambda c: c.column)
    with open(PROJECT / "raw" / "reference" / "provinces_63.csv", encoding="utf-8") as fh:
        pcodes = [r["hnks_province_code"] for r in csv.DictReader(fh)]
    lines = ["Province," + ",".join(c.column for c in cols)]
    for p in pcodes:
        cells = [f"{sum(c.scale) / 2:.6f}" for c in cols]
        if bad and bad[0] == p:
            cells[[c.column for c in cols].index(bad[1])] = bad[2]
        lines.append(p + "," + ",".join(cells))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def roots(tmp_path_factory):
    a = tmp_path_factory.mktemp("root_a")
    b = tmp_path_factory.mktemp("root_b")
    _panel(a / "scores" / "panel" / "2015.csv", 2015, bad=("P05", "SC11", "n/a?"))
    _panel(a / "scores" / "panel" / "2099.csv", 2015)  # a year that has not happened
    (a / "scores" / "par").mkdir(parents=True)
    (a / "scores" / "par" / "par_index.csv").write_text(
        "year,province_code,indicator_code,score\n2019,79,PAR.TOTAL,85.5\n1999,79,PAR.TOTAL,70.1\n"
        "2019,01,PAR.TOTAL,101.2\n",
        encoding="utf-8",
    )
    _panel(b / "scores" / "2015.csv", 2015)  # the same panel year in a second root
    return a, b


@pytest.fixture(scope="module")
def staged(roots):
    from pipelines.staging.frames import stage_scores

    return stage_scores(discover("scores", list(roots)))


def test_a_valid_par_table_with_85_5_loads(staged):
    par = staged.scores.filter(pl.col("indicator_code") == "PAR.TOTAL")
    assert par.select("province_code", "year", "score").rows() == [("79", 2019, 85.5)]


def test_bad_rows_and_files_are_quarantined_with_file_cell_column_value_and_reason(staged, roots):
    a, b = roots
    with open(PROJECT / "raw" / "reference" / "provinces_63.csv", encoding="utf-8") as fh:
        line = [r["hnks_province_code"] for r in csv.DictReader(fh)].index("P05") + 2
    from pipelines.sources.plans.ingest import root_label_for

    # published rows name a root by its label (its position in GOVDATA_RAW_EXTRA, else its folder name), never a path
    la, lb = root_label_for(a), root_label_for(b)
    q = {
        (r["raw_root"], r["source_path"], r["source_ref"]): r["reason"] for r in staged.quarantine.iter_rows(named=True)
    }
    assert q == {
        # one non-numeric cell of a panel: that cell only
        (
            la,
            "scores/panel/2015.csv",
            f"scores/panel/2015.csv:{line}:SC11",
        ): "PAPI.D1.CIVIC_KNOWLEDGE (SC11): non-numeric value 'n/a?'",
        # a panel file named for a future year
        (la, "scores/panel/2099.csv", None): "file name says PAPI year 2099, which has not happened yet",
        # PAR: a year before the index existed, and a value above 100 %
        (
            la,
            "scores/par/par_index.csv",
            "scores/par/par_index.csv:3:score",
        ): f"PAR.TOTAL has no value in 1999 (its years: 2012-{dt.date.today().year}) (column score, value 70.1)",
        (
            la,
            "scores/par/par_index.csv",
            "scores/par/par_index.csv:4",
        ): "PAR.TOTAL: value 101.2 outside its range 0-100",
        # the same panel year in a second root: the whole file, naming the one kept
        (lb, "scores/2015.csv", None): f"papi_panel 2015 is already loaded from {la}/scores/panel/2015.csv (the first "
        f"file in root order is kept); {22 * 63} cells not loaded",
    }
    # everything else loads: 63 provinces x 22 sub-dimensions of 2015, one cell short
    panel = staged.scores.filter(pl.col("source") == "papi_panel")
    assert panel.height == 22 * 63 - 1 and set(panel["year"]) == {2015}


def test_a_failing_contract_names_table_check_rows_and_their_source():
    from pipelines.quality.schemas import StgIndexScores
    from pipelines.quality.validation import failure_summary, validate_table

    df = pl.DataFrame(
        [
            {
                "province_key": "2004-79",
                "province_code": "79",
                "year": 2015,
                "indicator_code": "PAPI.TOTAL",
                "level": "total",
                "score": 85.5,
                "source": "par_tidy",
                "source_ref": "scores/x.csv:7",
                "source_column": "score",
                "source_path": "scores/x.csv",
                "raw_root": "raw",
            }
        ]
    )
    con = duckdb.connect()
    con.register("df", df.to_arrow())
    con.execute("CREATE TABLE stg_index_scores AS SELECT * FROM df")
    v = validate_table(con, "stg_index_scores", StgIndexScores, incremental=False)
    assert not v.passed
    text = failure_summary(v)
    assert text.startswith("BLOCKING CHECK FAILED: table stg_index_scores, contract StgIndexScores@")
    assert "within_index_scale" in text
    assert "[source_path=scores/x.csv, source_ref=scores/x.csv:7]" in text and "score=85.5" in text


def test_hostile_score_files_do_not_block_publishing(roots, tmp_path):
    """The whole graph in a child process (its own warehouse, Dagster home and raw roots): it publishes, the bad
    rows and files are in `quarantine`, and the good rows are in the published facts."""
    a, b = roots
    env = {
        **os.environ,
        "GOVDATA_RAW_EXTRA": os.pathsep.join([str(a), str(b)]),
        "GOVDATA_WAREHOUSE_DIR": str(tmp_path / "wh"),
        "DAGSTER_HOME": str(tmp_path / "dh"),
        "PYTHONPATH": str(PROJECT),
    }
    (tmp_path / "dh").mkdir()
    code = (
        "import dagster as dg\nfrom assets import definitions\n"
        "r = dg.materialize([*definitions.PYTHON_ASSETS, *definitions.sql_assets, definitions.publish_asset, "
        "*definitions.all_checks], resources=definitions.defs.resources, raise_on_error=False)\n"
        "print('SUCCESS' if r.success else 'FAILED')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=600
    )
    assert "SUCCESS" in out.stdout, (out.stdout + out.stderr)[-4000:]
    con = duckdb.connect(str(tmp_path / "wh" / "governance.duckdb"), read_only=True)
    try:
        assert con.execute(
            "SELECT score FROM fct_indicator_score WHERE indicator_code = 'PAR.TOTAL' AND source = 'par_tidy'"
        ).fetchall() == [(85.5,)]
        assert con.execute("SELECT count(*) FROM quarantine WHERE stage = 'score_load'").fetchall() == [(5,)]
        n = con.execute(
            "SELECT count(*) FROM fct_indicator_score WHERE source = 'papi_panel' AND year = 2015 "
            "AND level = 'subdimension'"
        ).fetchall()[0][0]
        assert n == 22 * 63 - 1
        # the province with the quarantined cell has a NULL D1 (a sum needs every part), the others a value
        assert con.execute(
            "SELECT count(*) FROM mart_province_scores WHERE year = 2015 AND indicator_code = 'PAPI.D1' "
            "AND score IS NULL"
        ).fetchall() == [(1,)]
    finally:
        con.close()


def test_targets_on_pci_sipas_par_evaluated_when_the_year_is_held_else_not_evaluable_with_the_reason():
    """mart_target_vs_actual's SQL on SYNTHETIC minimal inputs: one target per case."""
    sql = (PROJECT / "dbt_like_sql" / "marts" / "mart_target_vs_actual.sql").read_text(encoding="utf-8")
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE dim_document AS SELECT 'd1' AS document_id, 'province' AS issuer_level, "
        "'Ủy ban nhân dân Tỉnh Quảng Nam' AS issuer_name, ['12/KH-UBND'] AS doc_numbers, "
        "2016 AS plan_year_start, 2020 AS plan_year_end"
    )
    con.execute("CREATE TABLE dq_finding (document_id VARCHAR, rule VARCHAR)")  # no near-duplicate plan here
    # t5 states t1 again further down the plan: evaluated once, at t1, which lists line 40
    con.execute("""CREATE TABLE fct_plan_target AS SELECT * FROM (VALUES
        ('t1', 'd1', '2004-48', 'PCI.TOTAL', 2016, '>=', 65.0, 'points', 'PCI đạt 65 điểm', 10, 'plans/p.txt', true, NULL),
        ('t2', 'd1', '2004-48', 'PCI.TOTAL', 2020, '<=', 5.0, 'rank', 'top 5 PCI', 11, 'plans/p.txt', true, NULL),
        ('t3', 'd1', '2004-22', 'SIPAS.TOTAL', 2023, '>=', 90.0, 'percent', 'SIPAS trên 90%', 12, 'plans/p.txt', true, NULL),
        ('t4', 'd1', '2004-48', 'SIPAS.TOTAL', 2023, '>=', 85.0, 'percent', 'SIPAS trên 85%', 13, 'plans/p.txt', true, NULL),
        ('t5', 'd1', '2004-48', 'PCI.TOTAL', 2016, '>=', 65.0, 'points', 'PCI đạt 65 điểm', 40, 'plans/p.txt', true, 't1'),
        ('t6', 'd1', '2004-48', 'PCI.TOTAL', 2016, '=', 100.0, 'percent', '100% hồ sơ', 41, 'plans/p.txt', false, NULL))
        AS t(target_id, document_id, province_key, indicator_code, target_year, comparator, value, unit, quote, line,
             source_path, is_index_target, restates_target_id)""")
    con.execute("""CREATE TABLE fct_indicator_score AS SELECT * FROM (VALUES
        ('2004-48', 2016, 'PCI.TOTAL', 'pci_workbook', 'x#S!W2', 70.0, 1, 63, false, true),
        ('2004-22', 2023, 'SIPAS.TOTAL', 'sipas_published', 'r:4', 90.61, 1, 63, true, true))
        AS s(province_key, year, indicator_code, source, source_ref, score, rank, n_ranked, is_partial, is_preferred)""")
    rows = con.execute(f"SELECT target_id, actual_value, status, status_reason FROM ({sql}) ORDER BY 1").fetchall()
    assert con.execute(
        f"SELECT restated_at_lines, plan_number, issuer_name, plan_year_end FROM ({sql}) WHERE target_id = 't1'"
    ).fetchall() == [([40], "12/KH-UBND", "Ủy ban nhân dân Tỉnh Quảng Nam", 2020)]
    assert rows == [
        ("t1", 70.0, "met", None),
        ("t2", None, "not_evaluable", "PCI 2020 not held (latest held 2016)"),
        ("t3", 90.61, "met", None),
        (
            "t4",
            None,
            "not_evaluable",
            "no SIPAS value held for this province in 2023: only press figures (partial) are held",
        ),
    ]


def test_the_file_kept_for_a_year_given_twice_follows_the_root_order(roots, monkeypatch):
    """GOVDATA_RAW_EXTRA=b:a keeps b's 2015 panel (whatever the roots' names) and quarantines a's whole."""
    from pipelines.staging.frames import stage_scores

    a, b = roots
    monkeypatch.setenv("GOVDATA_RAW_EXTRA", os.pathsep.join([str(b), str(a)]))
    staged = stage_scores(discover("scores", [a, b]))
    panel = staged.scores.filter(pl.col("source") == "papi_panel")
    assert set(panel["raw_root"]) == {"extra1"} and panel.height == 22 * 63  # b is the first extra root
    whole = staged.quarantine.filter(pl.col("source_ref").is_null() & (pl.col("raw_root") == "extra2"))
    assert sorted(whole["source_path"]) == ["scores/panel/2015.csv", "scores/panel/2099.csv"]
    assert whole.filter(pl.col("source_path") == "scores/panel/2015.csv")["reason"][0].startswith(
        "papi_panel 2015 is already loaded from extra1/scores/2015.csv"
    )


def test_a_broken_or_foreign_pci_workbook_is_quarantined_with_the_reason(tmp_path):
    from pipelines.staging.frames import stage_scores

    (tmp_path / "scores").mkdir()
    (tmp_path / "scores" / "PCI_2017.xlsx").write_bytes(b"not a workbook")
    (tmp_path / "scores" / "other.xls").write_bytes(b"\xd0\xcf\x11\xe0 not really")
    staged = stage_scores(discover("scores", [tmp_path]))
    reasons = dict(zip(staged.quarantine["source_path"], staged.quarantine["reason"]))
    assert reasons["scores/PCI_2017.xlsx"].startswith("unreadable workbook: ")
    assert reasons["scores/other.xls"].startswith("not a known score layout")
    assert staged.scores.height == 0


def test_panel_rows_of_the_wrong_length_lose_no_cell_silently(tmp_path):
    """A row longer than the header is not loaded at all (no cell can be placed), a shorter one loads what it has;
    each is a quarantine row naming the file, line and what is missing. Every other row loads whole."""
    from pipelines.staging.frames import stage_scores

    path = tmp_path / "scores" / "2016.csv"
    _panel(path, 2016)
    lines = path.read_text(encoding="utf-8").split("\n")
    n_cols = len(lines[0].split(","))
    lines[1] += ",9.9"  # P01: one cell too many
    lines[2] = ",".join(lines[2].split(",")[:-2])  # P02: its last two cells lost
    path.write_text("\n".join(lines), encoding="utf-8")
    staged = stage_scores(discover("scores", [tmp_path]))
    q = {r["source_ref"]: r["reason"] for r in staged.quarantine.iter_rows(named=True)}
    assert q["scores/2016.csv:2"] == (
        f"row has {n_cols + 1} cells but the header has {n_cols} columns: its cells "
        "cannot be matched to their columns; row not loaded"
    )
    last_two = ", ".join(lines[0].split(",")[-2:])
    assert (
        q["scores/2016.csv:3"]
        == f"row has {n_cols - 2} cells but the header has {n_cols} columns: no value for {last_two}"
    )
    panel = staged.scores.filter(pl.col("source") == "papi_panel")
    per_province = dict(panel.group_by("province_code").len().iter_rows())
    assert "01" not in per_province and per_province["02"] == n_cols - 3 and per_province["04"] == n_cols - 1


def test_staged_scores_are_read_back_for_the_same_files_and_loaded_again_when_one_changes(tmp_path, monkeypatch):
    """stage_scores(cache_dir=...): the same files, settings and code give the kept result without loading a file
    (a no-op refresh); a file's new bytes load every file again."""
    from pipelines.sources.scores import scores as score_loaders
    from pipelines.staging.frames import stage_scores

    path = tmp_path / "root" / "scores" / "2016.csv"
    _panel(path, 2016)
    cache = tmp_path / "cache"
    first = stage_scores(discover("scores", [tmp_path / "root"]), cache_dir=cache)
    assert first.scores.height and len(list(cache.glob("*.pkl"))) == 1

    def no_loading(*a, **k):
        raise AssertionError("loaded again")

    real = score_loaders.load_score_file
    monkeypatch.setattr(score_loaders, "load_score_file", no_loading)
    again = stage_scores(discover("scores", [tmp_path / "root"]), cache_dir=cache)
    for name, df in first.tables().items():
        assert again.tables()[name].equals(df), name
    monkeypatch.setattr(score_loaders, "load_score_file", real)
    path.write_text(path.read_text(encoding="utf-8").replace("\n", "\n", 1) + "\n", encoding="utf-8")
    changed = stage_scores(discover("scores", [tmp_path / "root"]), cache_dir=cache)
    assert (
        changed.tables()["raw_score_files"]["sha256"].to_list() != first.tables()["raw_score_files"]["sha256"].to_list()
    )
    assert len(list(cache.glob("*.pkl"))) == 1  # the last build's entry only
