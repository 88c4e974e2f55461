"""The build database: the writer's connection, explicit-SQL writes of frames, table and column comments.

Build file: <warehouse>/build/governance.build.duckdb (the single writer works here; Settings.build_db).
"""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.settings import Settings

# A connection that only reads (fingerprints, the marts export, the report's queries, a checkpoint): DuckDB would
# otherwise cache up to 80 % of RAM of what it scans; these need little and spill beyond it
READER_MEMORY = "256MB"


def connect(settings: Settings, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """The build database, with the writer's configuration (Settings.build_config) unless read-only."""
    path = settings.build_db
    path.parent.mkdir(parents=True, exist_ok=True)
    config: dict[str, str | bool | int | float | list[str]] = {} if read_only else dict(settings.build_config)
    return duckdb.connect(str(path), read_only=read_only, config=config)


def write_table(con: duckdb.DuckDBPyConnection, name: str, df: pl.DataFrame, docs: dict[str, str] | None = None) -> int:
    con.register("_incoming", df.to_arrow())
    try:
        run_sql(con, f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM _incoming')
    finally:
        con.unregister("_incoming")
    apply_comments(con, name, docs or {})
    return df.height


def run_sql(con, sql: str, params: list | None = None) -> None:
    """Execute and drain: duckdb 2.0 refuses new work while a result is pending."""
    con.execute(sql, params or []).fetchall()


def apply_comments(con, table: str, docs: dict[str, str], table_doc: str | None = None) -> None:
    if table_doc:
        run_sql(con, f"COMMENT ON TABLE \"{table}\" IS '{table_doc.replace(chr(39), chr(39) * 2)}'")
    existing = {
        r[0]
        for r in con.execute(
            f"SELECT column_name FROM information_schema.columns WHERE table_name = '{table}'"
        ).fetchall()
    }
    for col, text in docs.items():
        if col in existing and text:
            run_sql(con, f'COMMENT ON COLUMN "{table}"."{col}" IS \'{text.replace(chr(39), chr(39) * 2)}\'')


def columns_of(con, table: str) -> set[str]:
    """The columns of a table of the current database (empty when there is no such table)."""
    return {
        c
        for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
            "AND schema_name = 'main' AND database_name = current_database()",
            [table],
        ).fetchall()
    }
