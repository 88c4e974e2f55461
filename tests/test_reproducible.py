"""Reproducible releases (issue 18.9): two builds of the same input, each from scratch in its own warehouse, give
identical tables; only build_info differs. No published path holds a path of the build machine."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

PROJECT = Path(__file__).resolve().parents[1]

_BUILD = """
import dagster as dg
from pipelines import definitions
r = dg.materialize([*definitions.PYTHON_ASSETS, *definitions.sql_assets, definitions.publish_asset],
                   resources={"duckdb": definitions.defs.resources["duckdb"]})
assert r.success
"""


def _contents(db: Path) -> dict[str, tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        # order-free: the row count and the sum of the rows' hashes
        return {t: tuple(con.execute(f'SELECT count(*), sum(hash(t)) FROM "{t}" t').fetchall()[0]) for t in tables}
    finally:
        con.close()


def test_two_builds_of_the_same_input_are_identical(built, tmp_path):
    _, published = built
    other = tmp_path / "wh2"
    r = subprocess.run([sys.executable, "-c", _BUILD], cwd=PROJECT, capture_output=True, text=True, timeout=900,
                       env={**os.environ, "PYTHONPATH": str(PROJECT), "GOVDATA_WAREHOUSE_DIR": str(other)})
    assert r.returncode == 0, r.stderr[-3000:]
    first, second = _contents(published), _contents(other / "governance.duckdb")
    assert first.keys() == second.keys()
    assert first.pop("build_info") != second.pop("build_info")
    differ = {t: (first[t], second[t]) for t in first if first[t] != second[t]}
    assert not differ


def test_no_published_path_is_a_machine_path(built):
    _, published = built
    con = duckdb.connect(str(published), read_only=True)
    try:
        cols = con.execute("SELECT table_name, column_name FROM duckdb_columns() WHERE data_type = 'VARCHAR' AND NOT internal "
                           "AND (column_name LIKE '%path%' OR column_name LIKE '%root%')").fetchall()
        assert cols
        for t, c in cols:
            bad = con.execute(f'SELECT "{c}" FROM "{t}" WHERE "{c}" LIKE \'/%\' OR "{c}" LIKE \'%/work/%\' '
                              "LIMIT 3").fetchall()
            assert not bad, (t, c, bad)
        assert {r for (r,) in con.execute("SELECT DISTINCT raw_root FROM dim_document").fetchall()} <= {"raw", "extra1"}
    finally:
        con.close()
