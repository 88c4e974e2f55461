"""The whole graph, with every check, over raw/ (+ ../shared/data) plus a root of hostile files: it publishes,
and every raw file is a document or a quarantine row with its reason (issue 18, acceptance)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from .conftest import HANOI_PAPI, HCMC_PAR, QUANG_NGAI

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared" / "data"

_BUILD = """
import dagster as dg
from pipelines import definitions
r = dg.materialize([*definitions.PYTHON_ASSETS, *definitions.sql_assets, definitions.publish_asset,
                    *definitions.all_checks], resources={"duckdb": definitions.defs.resources["duckdb"]},
                   raise_on_error=False)
failed = [c.check_name for c in r.get_asset_check_evaluations() if not c.passed]
assert r.success, failed
"""


def _hostile(root: Path) -> int:
    plans, scores = root / "plans", root / "scores"
    plans.mkdir(parents=True)
    scores.mkdir()
    os.symlink("b.txt", plans / "a.txt")
    os.symlink("a.txt", plans / "b.txt")
    os.symlink("missing.txt", plans / "dangling.txt")
    os.mkfifo(plans / "fifo.txt")
    os.symlink(root, plans / "dir_link")
    with open(os.path.join(os.fsencode(plans), b"t\xeanh.txt"), "wb") as fh:
        fh.write(QUANG_NGAI.read_bytes())
    (plans / "huge.txt").write_bytes(b"a" * 1_000_001)
    (plans / "empty.txt").write_bytes(b"")
    (plans / "binary.txt").write_bytes(bytes(range(256)) * 10)
    data = HCMC_PAR.read_bytes()
    cut = int(len(data) * 0.8)
    while data[cut] < 0xC0:
        cut += 1
    (plans / "cut_in_char.txt").write_bytes(data[: cut + 1])
    text = HANOI_PAPI.read_bytes().decode("utf-8-sig")
    (plans / "doubled.txt").write_text("\n".join(x for ln in text.split("\n") for x in (ln, ln)), encoding="utf-8")
    qn = QUANG_NGAI.read_bytes().decode("utf-8-sig")
    i = qn.index("cải cách", len(qn) // 2)
    (plans / "near_dup.txt").write_text(qn[:i] + "Cải cách" + qn[i + 8:], encoding="utf-8")
    shutil.copy(QUANG_NGAI, plans / "exact_copy.txt")
    os.mkfifo(scores / "fifo.csv")
    os.symlink("loop.csv", scores / "loop.csv")
    return 13  # plan files


def test_a_run_over_hostile_files_publishes_and_accounts_for_every_file(tmp_path):
    root = tmp_path / "hostile"
    n_hostile = _hostile(root)
    extra = os.pathsep.join([str(SHARED), str(root)] if SHARED.is_dir() else [str(root)])
    wh = tmp_path / "wh"
    r = subprocess.run([sys.executable, "-c", _BUILD], cwd=PROJECT, capture_output=True, text=True, timeout=1200,
                       env={**os.environ, "PYTHONPATH": str(PROJECT), "GOVDATA_WAREHOUSE_DIR": str(wh),
                            "GOVDATA_RAW_EXTRA": extra, "GOVDATA_MAX_FILE_BYTES": "1000000"})
    assert r.returncode == 0, r.stderr[-4000:]
    label = "extra2" if SHARED.is_dir() else "extra1"
    con = duckdb.connect(str(wh / "governance.duckdb"), read_only=True)
    try:
        docs = dict(con.execute("SELECT source_path, document_id FROM dim_document WHERE raw_root = ?",
                                [label]).fetchall())
        quarantined = dict(con.execute("SELECT source_path, reason FROM quarantine WHERE raw_root = ? "
                                       "AND source_path LIKE 'plans/%'", [label]).fetchall())
        assert len(docs) + len(quarantined) == n_hostile and not set(docs) & set(quarantined)
        assert set(docs) == {"plans/cut_in_char.txt", "plans/doubled.txt", "plans/near_dup.txt"}
        for path, words in {"plans/a.txt": "link loop", "plans/dangling.txt": "dangling", "plans/fifo.txt": "FIFO",
                            "plans/dir_link": "folder", "plans/t\\xeanh.txt": "not valid UTF-8",
                            "plans/huge.txt": "size limit", "plans/empty.txt": "empty",
                            "plans/binary.txt": "binary", "plans/exact_copy.txt": "duplicate of"}.items():
            assert words in quarantined[path], (path, quarantined[path])
        rules = {(p, rule) for p, rule in con.execute(
            "SELECT d.source_path, f.rule FROM dq_finding f JOIN dim_document d USING (document_id) "
            "WHERE d.raw_root = ?", [label]).fetchall()}
        assert {("plans/cut_in_char.txt", "truncated"), ("plans/doubled.txt", "doubled_lines")} <= rules
        nd = con.execute("SELECT document_id, related_id FROM dq_finding WHERE rule = 'near_duplicate_of'").fetchall()
        assert len(nd) == 2  # the near-duplicate Quảng Ngãi plan, and the doubled Hà Nội plan (same lines)
        # the seed plans are all counted once, and their tasks reach the marts
        assert con.execute("SELECT count(DISTINCT document_id) FROM mart_plan_coverage").fetchall()[0][0] == 5 + 3 - 2
        score_q = dict(con.execute("SELECT source_path, reason FROM quarantine WHERE raw_root = ? "
                                   "AND source_path LIKE 'scores/%'", [label]).fetchall())
        assert "FIFO" in score_q["scores/fifo.csv"] and "loop" in score_q["scores/loop.csv"]
    finally:
        con.close()
