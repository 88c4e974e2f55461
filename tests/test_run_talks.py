"""A run that talks (issue 25.4): progress lines while Dagster works, quarantined files named in the summary, a
no-change rerun says so."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import duckdb

from pipelines.cli import run as make_run
from pipelines.cli import summary


class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


def test_progress_names_each_stage_and_counts_documents_with_a_rate():
    out, clock = io.StringIO(), Clock()
    p = make_run.Progress(out=out, clock=clock)
    clock.t = 103.0
    p.line(
        '2026-12-07 07:09:47 +0000 - dagster - DEBUG - full_rebuild - x - 1 - stg_plans - STEP_START - Started execution of step "stg_plans".'
    )
    clock.t = 105.0
    p.line('... - mart_x_pandera_mart_x - STEP_START - Started execution of step "mart_x_pandera_mart_x".')
    clock.t = 113.0
    p.line(
        "2026-12-07 07:09:57 +0000 - dagster - INFO - full_rebuild - x - stg_plans - 40/200 new or changed documents read (0 unchanged documents kept)"
    )
    assert out.getvalue().splitlines() == [
        "[    3s] stage 1: stg_plans (checks run so far: 0)",
        "[   13s] 40/200 documents read (4.0/s)",
    ]
    assert p.checks == 1


def test_follow_prints_lines_as_the_child_writes_them(tmp_path):
    """The first line is out while the child is still running (make run talks before Dagster ends)."""
    log = tmp_path / "run.log"
    code = (
        "import sys, time\n"
        "f = open(sys.argv[1], 'a')\n"
        "f.write('x - STEP_START - Started execution of step \"stg_plans\".\\n'); f.flush()\n"
        "time.sleep(3)\n"
        "f.write('x - 2/2 new or changed documents read\\n'); f.flush()\n"
    )
    log.write_text("")
    seen: list[tuple[str, int | None]] = []
    child = subprocess.Popen([sys.executable, "-c", code, str(log)])

    class Recorder(make_run.Progress):
        def say(self, text):
            seen.append((text, child.poll()))

    assert make_run.follow(log, child, Recorder(), poll=0.1) == 0
    assert [t for t, _ in seen] == [
        "stage 1: stg_plans (checks run so far: 0)",
        "2/2 documents read (" + seen[1][0].split("(")[1],
    ]
    assert seen[0][1] is None  # printed while the child was still working


def _db(path: Path, quarantined: int, extra: str = "") -> Path:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE build_info AS SELECT 'b' || random() AS build_id")
    con.execute("CREATE TABLE t AS SELECT range AS a, now() AS loaded_at FROM range(5)" + extra)
    con.execute(
        "CREATE TABLE quarantine AS SELECT 'raw/plans/f' || lpad(range::VARCHAR, 2, '0') || '.pdf' AS source_path, "
        f"'unreadable' AS reason FROM range({quarantined})"
    )
    con.close()
    return path


def test_a_rerun_on_the_same_inputs_says_nothing_changed(tmp_path):
    a = summary.release_fingerprint(_db(tmp_path / "a.duckdb", 3))
    b = summary.release_fingerprint(_db(tmp_path / "b.duckdb", 3))  # another build id, other timestamps
    c = summary.release_fingerprint(_db(tmp_path / "c.duckdb", 4))
    assert make_run.release_change(a, b) == "nothing changed: the new release holds the same rows as the previous one"
    assert make_run.release_change(a, c) == "changed since the previous release: 1 tables (quarantine)"
    assert make_run.release_change(None, b) == "first release: nothing to compare with"
    assert summary.release_fingerprint(tmp_path / "none.duckdb") is None


def test_the_summary_names_the_first_ten_quarantined_files_and_counts_them(tmp_path):
    con = duckdb.connect(str(_db(tmp_path / "q.duckdb", 12)))
    n, first = summary.quarantined_files(con)
    con.close()
    assert n == 12 and len(first) == 10
    assert first[0] == "raw/plans/f00.pdf: unreadable" and first[-1] == "raw/plans/f09.pdf: unreadable"
