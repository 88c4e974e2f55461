"""Atomic publication of a whole release (issue 18.7): the database and the marts switch together; a kill at any
step of publishing leaves the previous release or the new one, never a mix; leftovers go at the next start."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.publish import release

PROJECT = Path(__file__).resolve().parents[1]
STEPS = [
    "cleaned",
    "tmp_created",
    "db_copied",
    "build_info_written",
    "marts_written",
    "report_written",
    "permissions_set",
    "release_renamed",
    "link_made",
    "switched",
    "stable_links",
    "done",
]


def _build(path: Path, n: int) -> Path:
    con = duckdb.connect(str(path))
    con.execute(f"CREATE OR REPLACE TABLE fct_plan_task AS SELECT range AS task_id FROM range({n})").fetchall()
    con.execute(
        f"CREATE OR REPLACE TABLE mart_plan_coverage AS SELECT range AS n, 2000 + range % 3 AS year FROM range({n})"
    ).fetchall()
    con.execute("CREATE OR REPLACE TABLE _staging_state AS SELECT 1 AS x").fetchall()
    con.close()
    return path


def _rows(warehouse: Path) -> tuple[int, int]:
    con = duckdb.connect(str(warehouse / "governance.duckdb"), read_only=True)
    try:
        db = con.execute("SELECT count(*) FROM fct_plan_task").fetchall()[0][0]
        marts = con.execute(
            f"SELECT count(*) FROM read_parquet('{warehouse}/marts/mart_plan_coverage/**/*.parquet')"
        ).fetchall()[0][0]
    finally:
        con.close()
    return db, marts


_KILLER = """
import os, signal, sys
from pathlib import Path
from pipelines.publish import release
step = sys.argv[3]
def cp(name):
    if name == step:
        os.kill(os.getpid(), signal.SIGKILL)  # no cleanup handler runs, as with kill -9
release.publish_checkpoint = cp
def report(db, out, build_id):
    out.mkdir()
    (out / "index.html").write_text(f"report of {build_id}")
release.publish_release(Path(sys.argv[1]), Path(sys.argv[2]), build_id=sys.argv[4], report=report)
"""


def _report(db: Path, out: Path, build_id: str) -> None:
    out.mkdir()
    (out / "index.html").write_text(f"report of {build_id}")


def test_publish_switches_database_and_marts_together(tmp_path):
    wh = tmp_path / "wh"
    first, _ = release.publish_release(_build(tmp_path / "b.duckdb", 10), wh)
    assert release.release_is_consistent(wh) == first and _rows(wh) == (10, 10)
    second, counts = release.publish_release(_build(tmp_path / "b.duckdb", 25), wh)
    assert (
        release.release_is_consistent(wh) == second and _rows(wh) == (25, 25) and counts == {"mart_plan_coverage": 25}
    )
    # stable paths readers use are links into current; modes let every account read, nobody write the database
    assert (wh / "governance.duckdb").is_symlink() and (wh / "marts").is_symlink()
    assert stat.S_IMODE(os.stat(wh / "governance.duckdb").st_mode) == 0o444
    assert stat.S_IMODE(os.stat(wh / "marts").st_mode) == 0o755
    assert all(stat.S_IMODE(p.stat().st_mode) == (0o755 if p.is_dir() else 0o644) for p in (wh / "marts").rglob("*"))
    con = duckdb.connect(str(wh / "governance.duckdb"), read_only=True)
    names = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    con.close()
    assert names == {"fct_plan_task", "mart_plan_coverage", "build_info"}


def test_old_releases_beyond_two_are_removed(tmp_path):
    wh = tmp_path / "wh"
    ids = [release.publish_release(_build(tmp_path / "b.duckdb", n), wh)[0] for n in (1, 2, 3, 4)]
    assert sorted(p.name for p in (wh / "releases").iterdir()) == ids[-2:]


def test_an_old_layout_warehouse_is_taken_over(tmp_path):
    """A warehouse published by the one-file publish (a real governance.duckdb and marts/ folder)."""
    wh = tmp_path / "wh"
    (wh / "marts" / "mart_old").mkdir(parents=True)
    (wh / "governance.duckdb").write_bytes(b"old")
    (wh / ".marts.abc").mkdir()
    bid, _ = release.publish_release(_build(tmp_path / "b.duckdb", 3), wh)
    assert release.release_is_consistent(wh) == bid and not (wh / ".marts.abc").exists()


@pytest.mark.parametrize("step", STEPS)
def test_a_kill_at_any_step_leaves_one_whole_release(tmp_path, step):
    wh = tmp_path / "wh"
    old, _ = release.publish_release(_build(tmp_path / "old.duckdb", 10), wh, report=_report)
    new_build = _build(tmp_path / "new.duckdb", 25)
    r = subprocess.run(
        [sys.executable, "-c", _KILLER, str(new_build), str(wh), step, "20990101T000000000000Z-new"],
        cwd=PROJECT,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
        capture_output=True,
        text=True,
    )
    assert r.returncode == -9, r.stderr
    got = release.release_is_consistent(wh)
    # before the switch the old release is read whole, from the switch on the new one
    expect_new = STEPS.index(step) >= STEPS.index("switched")
    assert got == ("20990101T000000000000Z-new" if expect_new else old)
    assert _rows(wh) == ((25, 25) if expect_new else (10, 10))
    # the report shown is the release's own (a kill in the report step leaves the old release and its report)
    assert (wh / "report" / "index.html").read_text() == f"report of {got}"
    # the next start removes what the killed publish left and publishes normally
    third, _ = release.publish_release(_build(tmp_path / "third.duckdb", 7), wh, report=_report)
    assert release.release_is_consistent(wh) == third and _rows(wh) == (7, 7)
    left = [p.name for p in wh.iterdir() if p.name.startswith(".")]
    left += [p.name for p in (wh / "releases").iterdir() if p.name.startswith(".")]
    assert left == [] and len(list((wh / "releases").iterdir())) == 2


def test_cleanup_never_removes_a_running_publish(tmp_path):
    wh = tmp_path / "wh"
    release.publish_release(_build(tmp_path / "b.duckdb", 3), wh)
    running = wh / "releases" / ".tmp-running"
    running.mkdir()
    with release.publish_lock(wh):  # another process publishing
        assert release.clean_leftovers_if_idle(wh) == [] and running.exists()
    assert release.clean_leftovers_if_idle(wh) == [running] and not running.exists()
