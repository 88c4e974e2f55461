"""Reproducible releases (issue 18.9): two builds of the same input, each from scratch in its own warehouse, give
identical tables; only build_info differs. No published path holds a path of the build machine."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from tests.conftest import build_in_subprocess

PROJECT = Path(__file__).resolve().parents[1]


def _build(wh: Path, **env) -> None:
    build_in_subprocess(wh, checks=False, timeout=900, **env)


def _contents(db: Path) -> dict[str, tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        # order-free: the row count and the sum of the rows' hashes
        return {t: tuple(con.execute(f'SELECT count(*), sum(hash(t)) FROM "{t}" t').fetchall()[0]) for t in tables}
    finally:
        con.close()


def test_two_builds_of_the_same_input_are_identical(built, tmp_path):
    """The session's clean build against a second warehouse that first read one more root (a new plan, a copy of a
    raw/ plan, a near-duplicate of one) and was then rebuilt incrementally with that root dropped on purpose
    (GOVDATA_DROP_ROOTS): every table is identical, only build_info differs."""
    import shutil

    from tests.conftest import HCMC_PAPI, QUANG_NGAI

    _, published = built
    extra_root = tmp_path / "extra"
    (extra_root / "plans").mkdir(parents=True)
    shutil.copy(HCMC_PAPI, extra_root / "plans" / "copy.txt")
    qn = QUANG_NGAI.read_bytes().decode("utf-8-sig")
    i = qn.index("cải cách", len(qn) // 2)
    (extra_root / "plans" / "near.txt").write_text(qn[:i] + "Cải cách" + qn[i + 8 :] + "\nThêm.\n", encoding="utf-8")
    extra = os.environ.get("GOVDATA_RAW_EXTRA", "")
    other = tmp_path / "wh2"
    _build(other, GOVDATA_RAW_EXTRA=os.pathsep.join(p for p in (extra, str(extra_root)) if p))
    con = duckdb.connect(str(other / "governance.duckdb"), read_only=True)
    assert (
        con.execute("SELECT count(*) FROM dim_document").fetchall()[0][0] == 6
    )  # the five real plans and the near-duplicate
    assert con.execute("SELECT count(*) FROM dq_finding WHERE rule = 'near_duplicate_of'").fetchall()[0][0] == 1
    con.close()
    _build(
        other,
        GOVDATA_RAW_EXTRA=os.pathsep.join(p for p in (extra, str(extra_root)) if p),
        GOVDATA_DROP_ROOTS=str(extra_root),
    )
    first, second = _contents(published), _contents(other / "governance.duckdb")
    assert first.keys() == second.keys()
    assert first.pop("build_info") != second.pop("build_info")
    differ = {t: (first[t], second[t]) for t in first if first[t] != second[t]}
    assert not differ


def test_no_published_path_is_a_machine_path(built):
    _, published = built
    con = duckdb.connect(str(published), read_only=True)
    try:
        cols = con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE data_type = 'VARCHAR' AND NOT internal "
            "AND (column_name LIKE '%path%' OR column_name LIKE '%root%')"
        ).fetchall()
        assert cols
        for t, c in cols:
            bad = con.execute(
                f'SELECT "{c}" FROM "{t}" WHERE "{c}" LIKE \'/%\' OR "{c}" LIKE \'%/work/%\' LIMIT 3'
            ).fetchall()
            assert not bad, (t, c, bad)
        assert {r for (r,) in con.execute("SELECT DISTINCT raw_root FROM dim_document").fetchall()} <= {"raw", "extra1"}
    finally:
        con.close()


def test_the_copy_kept_of_a_duplicated_text_follows_root_order_not_history(tmp_path):
    """A text first staged from the second root, then added to the first: an incremental build ends like a clean
    one, keeping the first root's copy and quarantining the other as its duplicate."""
    import shutil

    from pipelines.sources.plans.ingest import discover
    from tests.conftest import HCMC_PAPI, QUANG_NGAI, stage_files

    first, second = tmp_path / "a_first", tmp_path / "b_second"
    for r in (first, second):
        (r / "plans").mkdir(parents=True)
    shutil.copy(QUANG_NGAI, first / "plans" / "qn.txt")
    shutil.copy(HCMC_PAPI, second / "plans" / "hcmc_copy.txt")
    inc = tmp_path / "incremental"
    inc.mkdir()
    stage_files(discover("plans", [first, second]), inc)
    shutil.copy(HCMC_PAPI, first / "plans" / "hcmc.txt")  # arrives later, but comes first
    _, _, incremental, _ = stage_files(discover("plans", [first, second]), inc)
    clean_dir = tmp_path / "clean"
    clean_dir.mkdir()
    _, _, clean, _ = stage_files(discover("plans", [first, second]), clean_dir)

    def view(s):
        return (
            sorted(zip(s.documents["raw_root"], s.documents["source_path"])),
            sorted(zip(s.quarantine["raw_root"], s.quarantine["source_path"], s.quarantine["reason"])),
            sorted(zip(s.tasks["task_id"], s.tasks["source_path"])),
            s.findings.height,
        )

    assert view(incremental) == view(clean)
    assert view(clean)[1] == [("b_second", "plans/hcmc_copy.txt", "duplicate of plans/hcmc.txt (same normalised text)")]
