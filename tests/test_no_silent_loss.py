"""No silent loss (issue 24.3): a score file that raises while loading is quarantined with its sheet or cell and the
reason while the rest publishes; formula cells without a value get a finding; a raw root whose plans/ or scores/
folder disappeared since the last release stops the run naming it, unless dropped on purpose."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

from pipelines.settings import Settings
from pipelines.sources.plans.ingest import discover
from pipelines.staging.frames import stage_scores

PROJECT = Path(__file__).resolve().parents[1]
PAR_CSV = "year,province_code,indicator_code,score\n2019,79,PAR.TOTAL,83.5\n"


def _workbook(sheets: dict[str, list[list]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


HEADER = ["tinhid", "province", "region", "Public Service Delivery", "Un-weighted PAPI"]
GOOD_SHEET = [HEADER, ["", "", "", "", ""], [79, "TP. Hồ Chí Minh", "South", 7.1, 36.2]]


def _cut_sheet_xml(data: bytes) -> bytes:
    """The same workbook with its first sheet's XML cut in the middle (the zip itself intact)."""
    src, buf = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            part = src.read(info)
            out.writestr(info, part[: len(part) // 2] if info.filename == "xl/worksheets/sheet1.xml" else part)
    return buf.getvalue()


def test_a_score_file_that_would_raise_is_quarantined_with_its_sheet_and_the_rest_loads(tmp_path):
    scores = tmp_path / "root" / "scores"
    scores.mkdir(parents=True)
    (scores / "par.csv").write_text(PAR_CSV, encoding="utf-8")
    formula = [HEADER, ["", "", "", "", ""], [1, "Hà Nội", "North", "=2+3", 37.5]]
    (scores / "papi.xlsx").write_bytes(_workbook({"2015_PAPI": [], "2016_PAPI": formula}))
    (scores / "papi_cut_sheet.xlsx").write_bytes(_cut_sheet_xml(_workbook({"2014_PAPI": GOOD_SHEET * 15})))
    whole = _workbook({"2013_PAPI": GOOD_SHEET})
    (scores / "papi_truncated.xlsx").write_bytes(whole[: len(whole) // 2])
    (scores / "papi_rows.xlsx").write_bytes(_workbook({"2012_PAPI": GOOD_SHEET + [[None] * 5] * 60}))

    staged = stage_scores(discover("scores", [tmp_path / "root"]), Settings(max_sheet_rows=50))
    q = {(r["source_path"], r["source_ref"]): r["reason"] for r in staged.quarantine.iter_rows(named=True)}
    assert q[("scores/papi.xlsx", "scores/papi.xlsx#2015_PAPI")] == "sheet 2015_PAPI is empty; not read"
    cut = q[("scores/papi_cut_sheet.xlsx", "scores/papi_cut_sheet.xlsx#2014_PAPI")]
    assert cut.startswith("sheet 2014_PAPI: cannot be read: "), cut
    assert q[("scores/papi_truncated.xlsx", None)].startswith("unreadable workbook: BadZipFile")
    assert q[("scores/papi_rows.xlsx", "scores/papi_rows.xlsx#2012_PAPI")] == (
        "sheet 2012_PAPI: above the limit: more than 50 rows (GOVDATA_MAX_SHEET_ROWS); a score sheet has one row "
        "per province; sheet not read"
    )
    # the formula cell is a finding, loaded as missing, never a silent empty; the rest of its row loads
    (finding,) = staged.findings.filter(staged.findings["rule"] == "formula_without_value").iter_rows(named=True)
    assert finding["related_id"] == "scores/papi.xlsx#2016_PAPI!R3:Public Service Delivery"
    assert "'=2+3' with no saved value" in finding["message"]
    got = {(r["source_path"], r["indicator_code"], r["year"]): r["score"] for r in staged.scores.iter_rows(named=True)}
    assert got[("scores/par.csv", "PAR.TOTAL", 2019)] == 83.5
    assert got[("scores/papi.xlsx", "PAPI.TOTAL", 2016)] == 37.5
    assert got[("scores/papi.xlsx", "PAPI.D6", 2016)] is None  # missing (NULL), with the finding above


def _published_state(warehouse: Path, root: Path) -> None:
    """A release that read one plan and one score file of `root` (warehouse/current/raw_state.json)."""
    current = warehouse / "current"
    current.mkdir(parents=True)
    state = {
        # an extra root's files by its label, as a release keeps them
        "plans": {"plans/000.txt": [1, 1, "a"], "extra1/plans/p.txt": [1, 1, "b"]},
        "scores": {"extra1/scores/s.csv": [1, 1, "c"]},
    }
    (current / "raw_state.json").write_text(json.dumps(state), encoding="utf-8")


def test_a_plans_or_scores_folder_gone_since_the_release_stops_the_run_naming_it(tmp_path):
    from pipelines.automation import VanishedFolderError, check_kind_folders

    root = tmp_path / "extra"
    (root / "scores").mkdir(parents=True)  # plans/ is gone, scores/ is still there
    _published_state(tmp_path / "wh", root)
    settings = Settings(warehouse_dir=tmp_path / "wh", raw_extra=(root,))
    with pytest.raises(VanishedFolderError, match=f"folder gone since the last release: {root / 'plans'}\\. "):
        check_kind_folders(settings)
    # removed on purpose: the run goes on (and its documents leave the release)
    check_kind_folders(Settings(warehouse_dir=tmp_path / "wh", raw_extra=(root,), drop_folders=(root / "plans",)))
    # make run stops before building, naming the folder and the setting
    r = subprocess.run(
        [sys.executable, "-m", "pipelines.cli.run"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "PYTHONPATH": str(PROJECT),
            "DAGSTER_HOME": str(tmp_path / "home"),
            "GOVDATA_WAREHOUSE_DIR": str(tmp_path / "wh"),
            "GOVDATA_RAW_EXTRA": str(root),
        },
        timeout=120,
    )
    assert r.returncode == 2, r.stderr
    assert f"make run STOPPED before building: folder gone since the last release: {root / 'plans'}." in r.stderr
    assert f"GOVDATA_DROP_FOLDERS={root / 'plans'}" in r.stderr
    assert not (tmp_path / "home" / "logs").exists()


def _warehouse_holding(db: Path, documents: list[tuple], quarantined: list[tuple]) -> None:
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE dim_document (raw_root VARCHAR, source_path VARCHAR, doc_type VARCHAR)")
    con.execute("CREATE TABLE quarantine (raw_root VARCHAR, source_path VARCHAR, reason VARCHAR)")
    for row in documents:
        con.execute("INSERT INTO dim_document VALUES (?, ?, ?)", row)
    for row in quarantined:
        con.execute("INSERT INTO quarantine VALUES (?, ?, ?)", row)
    con.close()


def test_every_document_that_leaves_the_release_is_named(tmp_path):
    from pipelines.cli.run import SUMMARY
    from pipelines.publish.release import DB_NAME, documents_leaving

    wh = tmp_path / "wh"
    wh.mkdir()
    assert documents_leaving(wh, tmp_path / "none.duckdb") == []  # no release yet: nothing leaves
    _warehouse_holding(
        wh / DB_NAME,
        [("raw", "plans/a.txt", "Kế hoạch"), ("extra1", "plans/b.md", "Công văn"), ("raw", "plans/c.txt", "Kế hoạch")],
        [],
    )
    build = tmp_path / "build.duckdb"
    _warehouse_holding(
        build,
        [("raw", "plans/a.txt", "Kế hoạch")],
        [("raw", "plans/c.txt", "reading stopped: worker memory limit"), ("extra1", "scores/s.csv", "x")],
    )
    lines = documents_leaving(wh, build)
    assert lines == [
        "extra1:plans/b.md (Công văn)",
        "raw:plans/c.txt (Kế hoạch), now quarantined: reading stopped: worker memory limit",
    ]
    assert all(SUMMARY.search(f"document left the release: {line}") for line in lines)  # make run prints them
