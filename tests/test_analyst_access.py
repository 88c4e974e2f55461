"""`make sql` cannot write: the published warehouse is opened read-only with file-system access off and the
configuration locked; the only way out is --export, which Python writes under one folder (issue 18.1)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import sql

PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "governance.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE dim_document AS SELECT range AS n, 'văn bản ' || range AS title FROM range(40)"
    ).fetchall()
    con.execute("CREATE TABLE mart_x AS SELECT 1 AS a, 2 AS b").fetchall()
    con.close()
    return path


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "query",
    [
        "COPY (SELECT 1) TO '{db}'",
        "COPY (SELECT 1) TO '{other}'",
        "COPY dim_document TO '{other}' (FORMAT parquet)",
        "ATTACH '{other}' AS x",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_text('/etc/passwd')",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "SET lock_configuration = false",
        "CREATE TABLE t AS SELECT 1",
        "DROP TABLE dim_document",
        "EXPORT DATABASE '{dir}'",
    ],
)
def test_analyst_sql_cannot_write_or_read_files(db, tmp_path, query, capsys):
    other = tmp_path / "other.csv"
    before = _sha(db)
    q = query.format(db=db, other=other, dir=tmp_path / "dump")
    assert sql.main(["--db", str(db), q]) == 1
    assert "error" in capsys.readouterr().err
    assert _sha(db) == before and not other.exists() and not (tmp_path / "dump").exists()


def test_the_published_warehouse_cannot_be_overwritten_through_make_sql(built):
    """The case of the issue, through the real entry point in a subprocess, on the published file."""
    _, published = built
    before = _sha(published)
    r = subprocess.run(
        [sys.executable, "-m", "pipelines.cli.sql", f"COPY (SELECT 1) TO '{published}'"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
    )
    assert r.returncode != 0 and "disabled" in r.stderr
    assert _sha(published) == before
    r = subprocess.run(
        [sys.executable, "-m", "pipelines.cli.sql", "SELECT count(*) AS n FROM dim_document"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0 and "│" in r.stdout, r.stderr


def test_no_query_lists_the_tables_and_a_query_prints_every_row(db, capsys):
    assert sql.main(["--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "2 tables" in out and "dim_document" in out and "mart_x" in out
    assert sql.main(["--db", str(db), "SELECT * FROM dim_document ORDER BY n"]) == 0
    out = capsys.readouterr().out
    assert "văn bản 0" in out and "văn bản 39" in out and "40 rows" in out
    assert sql.main(["--db", str(db), "--limit", "3", "SELECT * FROM dim_document ORDER BY n"]) == 0
    out = capsys.readouterr().out
    assert "văn bản 2" in out and "văn bản 3 " not in out


def test_export_writes_only_under_the_chosen_folder(db, tmp_path):
    import polars as pl

    out = tmp_path / "exports"
    assert sql.main(["--db", str(db), "--export", "docs.parquet", "--dir", str(out), "SELECT * FROM dim_document"]) == 0
    assert pl.read_parquet(out / "docs.parquet").height == 40
    assert sql.main(["--db", str(db), "--export", "m.csv", "--dir", str(out), "SELECT * FROM mart_x"]) == 0
    assert (out / "m.csv").read_text().splitlines() == ['"a","b"', "1,2"]
    for bad in ("../escape.parquet", "/tmp/abs.parquet", "sub/x.parquet", "x.duckdb", ".hidden.csv"):
        assert sql.main(["--db", str(db), "--export", bad, "--dir", str(out), "SELECT 1"]) == 2
    assert sorted(p.name for p in out.iterdir()) == ["docs.parquet", "m.csv"]
    assert not (tmp_path / "escape.parquet").exists()


def test_queries_piped_in_are_run_and_cannot_write_either(db, tmp_path):
    other = tmp_path / "x.csv"
    r = subprocess.run(
        [sys.executable, "-m", "pipelines.cli.sql", "--db", str(db)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        input=f"SELECT count(*) AS n FROM dim_document; COPY mart_x TO '{other}';",
    )
    assert r.returncode == 1 and "40" in r.stdout and "disabled" in r.stderr and not other.exists()


def test_csv_exports_neutralise_spreadsheet_formulas(db, tmp_path):
    """Issue 24.6 (OWASP CSV injection): a text cell starting with = + - @ tab or CR is written with a leading ',
    so Excel shows it instead of running it; numbers, negative ones included, and other text are left as they are."""
    import csv

    out = tmp_path / "exports"
    payloads = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx", "Sở Nội vụ"]
    query = (
        "SELECT * FROM (VALUES "
        + ", ".join(f"({i}, -{i}.5, '{p.replace(chr(39), chr(39) * 2)}')" for i, p in enumerate(payloads))
        + ") t(n, neg, txt) ORDER BY n"
    )
    assert sql.main(["--db", str(db), "--export", "f.csv", "--dir", str(out), query]) == 0
    with open(out / "f.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["n", "neg", "txt"]
    assert [r[2] for r in rows[1:]] == ["'" + p for p in payloads[:-1]] + ["Sở Nội vụ"]
    assert [r[1] for r in rows[1:]] == [f"-{i}.5" for i in range(len(payloads))]
    # Parquet keeps the values as they are (typed data, not a spreadsheet)
    assert sql.main(["--db", str(db), "--export", "f.parquet", "--dir", str(out), query]) == 0
    import polars as pl

    assert pl.read_parquet(out / "f.parquet")["txt"].to_list() == payloads


def test_make_sql_has_a_memory_limit_and_export_errors_are_one_line(db, tmp_path, capsys, monkeypatch):
    con = sql.analyst_connect(db)
    try:
        assert con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0] == "3.7 GiB"  # 4GB default
    finally:
        con.close()
    monkeypatch.setenv("GOVDATA_SQL_MEMORY_LIMIT", "500MB")
    con = sql.analyst_connect(db, sql.Settings.from_env().sql_memory_limit)
    try:
        assert con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0] == "476.8 MiB"
    finally:
        con.close()
    out = tmp_path / "exports"
    r = subprocess.run(
        [sys.executable, "-m", "pipelines.cli.sql", "--db", str(db), "--export", "x.csv", "--dir", str(out), "SELEC 1"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and r.stderr.startswith("error: ParserException: Parser Error")
    assert not out.exists()


def test_dot_commands_in_piped_input_run_and_do_not_abort_the_script(db):
    """`.tables` (and .schema, an unknown command) in piped input, as in the DuckDB shell: the statements after
    them still run."""
    r = subprocess.run(
        [sys.executable, "-m", "pipelines.cli.sql", "--db", str(db)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        input=".tables\nSELECT count(*) AS n FROM dim_document;\n.schema mart_x\n.nonsense\nSELECT 41 + 1 AS x;\n",
    )
    out = r.stdout
    assert "dim_document\nmart_x\n" in out and "40" in out and "mart_x.a INTEGER" in out and "42" in out
    assert "unknown dot command '.nonsense'" in r.stderr and r.returncode == 1


def test_the_registry_duckdb_cli_opens_the_release_read_only(built, tmp_path):
    """The published file is in DuckDB's 1.5 storage format: duckdb-cli 1.5.6 from the package registry opens it
    read-only (and refuses to write to it)."""
    import shutil

    cli = shutil.which("duckdb", path=str(Path(sys.executable).parent))
    if cli is None:
        pytest.skip("duckdb-cli (test extra) is not installed")
    version = subprocess.run([cli, "--version"], capture_output=True, text=True).stdout
    assert version.startswith("v1.5."), version
    _, published = built
    r = subprocess.run(
        [cli, "-readonly", "-csv", str(published)],
        input="SELECT count(*) FROM dim_province;\nCREATE TABLE x AS SELECT 1;\n",
        capture_output=True,
        text=True,
    )
    assert "98" in r.stdout.splitlines(), r.stdout + r.stderr
    assert "read-only" in r.stderr.lower()


def test_parquet_exports_keep_the_column_descriptions(tmp_path):
    """`make export` writes each column's description (the warehouse's column comment) into the Parquet field
    metadata, as the marts have them; a name with two descriptions among the tables read gets none."""
    import pyarrow.parquet as pq

    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE dim_province (province_key VARCHAR, name_vi VARCHAR)")
    con.execute("CREATE TABLE other (name_vi VARCHAR)")
    con.execute("COMMENT ON COLUMN dim_province.province_key IS 'Province key (vintage 2004 or 2025)'")
    con.execute("COMMENT ON COLUMN dim_province.name_vi IS 'Name in Vietnamese'")
    con.execute("COMMENT ON COLUMN other.name_vi IS 'Another meaning'")
    con.execute("INSERT INTO dim_province VALUES ('2004-01', 'Hà Nội')")
    con.close()
    assert (
        sql.main(
            [
                "--db",
                str(path),
                "--export",
                "p.parquet",
                "--dir",
                str(tmp_path / "out"),
                "SELECT province_key, name_vi, 1 AS n FROM dim_province",
            ]
        )
        == 0
    )
    schema = pq.read_schema(tmp_path / "out" / "p.parquet")
    assert schema.field("province_key").metadata == {b"description": b"Province key (vintage 2004 or 2025)"}
    assert schema.field("name_vi").metadata == {b"description": b"Name in Vietnamese"}  # the table read wins
    assert not schema.field("n").metadata
    assert (
        sql.main(
            [
                "--db",
                str(path),
                "--export",
                "q.parquet",
                "--dir",
                str(tmp_path / "out"),
                "SELECT a.name_vi FROM dim_province a, other b",
            ]
        )
        == 0
    )
    assert not pq.read_schema(tmp_path / "out" / "q.parquet").field("name_vi").metadata  # ambiguous: none
