"""Publishing by content (issue 27): the release database is a copy of a mirror brought up to date document by
document (pipelines/publish/mirror.py), equal to the full rewrite whatever changed; a build whose content is the
current release's keeps that release (pipelines/publish/content_key.py)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import duckdb

from pipelines.publish import release
from pipelines.publish.files import PUBLISHED_STORAGE_VERSION, publish, publish_by_rewrite
from pipelines.publish.mirror import mirror_path, sync_mirror


def _build(path: Path) -> Path:
    con = duckdb.connect(str(path))
    for sql in (
        "CREATE TABLE stg_plan_tasks AS SELECT 'd' || (range % 40) AS document_id, range AS task_id, "
        "'việc ' || range AS task_text, [range, range + 1] AS refs FROM range(2000)",
        "CREATE TABLE dim_province AS SELECT range AS province_key, 'tỉnh ' || range AS name_vi FROM range(63)",
        "CREATE TABLE mart_plan_coverage AS SELECT 'd' || range AS document_id, 2000 + range % 3 AS year "
        "FROM range(40)",
        "COMMENT ON TABLE stg_plan_tasks IS 'tasks'",
        "COMMENT ON COLUMN stg_plan_tasks.task_text IS 'the task''s words'",
        "CREATE TABLE _staging_state AS SELECT 1 AS x",
    ):
        con.execute(sql).fetchall()
    con.close()
    return path


def _same(a: Path, b: Path) -> None:
    """Same tables, columns, types, comments and rows (as multisets)."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{a}' AS a (READ_ONLY)").fetchall()
    con.execute(f"ATTACH '{b}' AS b (READ_ONLY)").fetchall()
    meta = (
        "SELECT t.table_name, t.comment, c.column_index, c.column_name, c.data_type, c.comment FROM duckdb_tables() t "
        "JOIN duckdb_columns() c USING (database_name, schema_name, table_name) WHERE t.database_name = ? ORDER BY ALL"
    )
    assert con.execute(meta, ["a"]).fetchall() == con.execute(meta, ["b"]).fetchall()
    for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'a'").fetchall():
        diff = con.execute(
            f'SELECT (SELECT count(*) FROM (FROM a."{t}" EXCEPT ALL FROM b."{t}")) '
            f'+ (SELECT count(*) FROM (FROM b."{t}" EXCEPT ALL FROM a."{t}"))'
        ).fetchall()[0][0]
        assert diff == 0, t
    assert {r[0]["storage_version"] for r in con.execute("SELECT tags FROM duckdb_databases()").fetchall() if r[0]} == {
        "v1.5.0+"
    }
    con.close()


def test_the_mirror_gives_the_rewrites_database_whatever_changed(tmp_path):
    build = _build(tmp_path / "b.duckdb")
    got, want = tmp_path / "got.duckdb", tmp_path / "want.duckdb"
    publish(build, got)
    publish_by_rewrite(build, want)
    _same(got, want)
    mirror = mirror_path(build, PUBLISHED_STORAGE_VERSION)
    assert sync_mirror(build, mirror, None, PUBLISHED_STORAGE_VERSION).changed is False  # nothing to do
    con = duckdb.connect(str(build))
    for sql in (
        "UPDATE stg_plan_tasks SET task_text = task_text || ' (sửa)' WHERE task_id = 7",  # one document
        "DELETE FROM stg_plan_tasks WHERE document_id = 'd3'",  # a document leaves
        "INSERT INTO stg_plan_tasks VALUES ('d99', 5000, 'mới', [1]), (NULL, 5001, 'no document', NULL)",
        "UPDATE dim_province SET name_vi = 'Đà Nẵng' WHERE province_key = 48",  # a table without document_id
        "ALTER TABLE mart_plan_coverage ADD COLUMN n_tasks INTEGER",  # columns changed
        "COMMENT ON COLUMN stg_plan_tasks.task_text IS 'changed'",
        "CREATE TABLE mart_new AS SELECT 1 AS a",
    ):
        con.execute(sql).fetchall()
    con.close()
    sync = sync_mirror(build, mirror, None, PUBLISHED_STORAGE_VERSION)
    assert sync.documents_replaced == {"stg_plan_tasks": 4}  # d0 (task 7), d3, d99 and the rows without one
    assert sorted(sync.tables_written) == ["dim_province", "mart_new", "mart_plan_coverage"]
    publish(build, got)
    publish_by_rewrite(build, want)
    _same(got, want)
    # tables left out, a table gone from the build
    publish(build, got, keep={"stg_plan_tasks", "dim_province"})
    publish_by_rewrite(build, want, keep={"stg_plan_tasks", "dim_province"})
    _same(got, want)
    # a damaged mirror is written again
    mirror.write_bytes(b"not a database")
    publish(build, got)
    publish_by_rewrite(build, want)
    _same(got, want)


def test_duckdb_15_opens_a_mirror_updated_in_place(tmp_path):
    cli = shutil.which("duckdb", path=str(Path(__import__("sys").executable).parent))
    if cli is None:
        import pytest

        pytest.skip("duckdb-cli (test extra) is not installed")
    build = _build(tmp_path / "b.duckdb")
    publish(build, tmp_path / "p1.duckdb")
    con = duckdb.connect(str(build))
    con.execute("DELETE FROM stg_plan_tasks WHERE document_id = 'd5'").fetchall()
    con.close()
    publish(build, tmp_path / "p2.duckdb")
    r = subprocess.run(
        [cli, "-readonly", "-csv", str(tmp_path / "p2.duckdb")],
        input="SELECT count(*) FROM stg_plan_tasks;\n",
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0 and r.stdout.split() == ["count_star()", "1950"], r.stderr


def test_an_unchanged_build_keeps_the_current_release(tmp_path):
    build, wh = _build(tmp_path / "b.duckdb"), tmp_path / "wh"
    first, counts = release.publish_release(build, wh, info={"dagster_run_id": "a", "raw_roots": "raw"})
    kept, again = release.publish_release(build, wh, info={"dagster_run_id": "b", "raw_roots": "raw"})
    assert kept == first and again == counts and release.release_is_consistent(wh) == first
    assert len(list((wh / "releases").iterdir())) == 1
    # asked for, or anything the release is made from changed: a new release
    assert release.publish_release(build, wh, reuse_unchanged=False)[0] != first
    second = release.current_build_id(wh)
    assert release.publish_release(build, wh, info={"raw_roots": "raw, extra1"})[0] != second
    third = release.current_build_id(wh)
    con = duckdb.connect(str(build))
    con.execute("UPDATE dim_province SET name_vi = 'x' WHERE province_key = 1").fetchall()
    con.close()
    fourth, _ = release.publish_release(build, wh, info={"raw_roots": "raw, extra1"})
    assert fourth != third and release.release_is_consistent(wh) == fourth
    # a release whose report went missing is not kept
    report = lambda db, out, bid: (out.mkdir(), (out / "index.html").write_text(bid))  # noqa: E731
    fifth, _ = release.publish_release(build, wh, info={"raw_roots": "raw, extra1"}, report=report)
    assert fifth != fourth
    assert release.publish_release(build, wh, info={"raw_roots": "raw, extra1"}, report=report)[0] == fifth
    shutil.rmtree(wh / "current" / "report")
    assert release.publish_release(build, wh, info={"raw_roots": "raw, extra1"}, report=report)[0] != fifth
