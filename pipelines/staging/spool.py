"""Rows written by worker processes to Parquet files (the spool) and loaded into the staging tables by the one writer (workers never hold the database); rows of this process buffered and inserted in chunks (_Sink)."""

from __future__ import annotations

import tempfile
import time
import uuid
from pathlib import Path

import polars as pl

from pipelines.staging.frames import staging_frame
from pipelines.warehouse.db import run_sql

CHUNK = 20_000  # rows a sink buffers before it inserts them


class _Sink:
    """Rows for one table, appended to DuckDB every CHUNK rows (the small tables; the big ones come through the
    spool)."""

    insert_seconds = 0.0  # time spent inserting, over all sinks of this process (the benchmark reports it)

    def __init__(self, con, table: str):
        self.con, self.table, self.pending, self.n = con, table, 0, 0
        self.rows: list[dict] = []

    def extend(self, rows: list[dict]) -> None:
        self.rows.extend(rows)
        self.pending += len(rows)
        if self.pending >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        t0 = time.perf_counter()
        self.con.register("_chunk", staging_frame(self.rows, self.table).to_arrow())
        try:
            run_sql(self.con, f'INSERT INTO "{self.table}" SELECT * FROM _chunk')
        finally:
            self.con.unregister("_chunk")
        _Sink.insert_seconds += time.perf_counter() - t0
        self.n += self.pending
        self.rows, self.pending = [], 0


def _spool(spool: Path, table: str, rows: list[dict]) -> Path | None:
    if not rows:
        return None
    (spool / table).mkdir(parents=True, exist_ok=True)
    path = spool / table / f"{uuid.uuid4().hex}.parquet"
    tmp = path.with_suffix(".tmp")  # a worker killed mid-write leaves no torn .parquet behind
    staging_frame(rows, table).write_parquet(tmp, compression="uncompressed")
    tmp.replace(path)
    return path


def _drop_undelivered(spool: Path, delivered: set[Path]) -> None:
    """A chunk whose worker was killed after spooling but before answering is run again: its first spool files
    would load its rows twice."""
    for p in spool.glob("*/*"):
        if p not in delivered:
            p.unlink()


def _load_spool(con, spool: Path, table: str, exclude: list[tuple[str, str]] | None = None) -> None:
    """Bulk-insert the spooled Parquet of `table`, without the rows of `exclude` (document_id, source_path)."""
    if not (spool / table).is_dir():
        return
    t0 = time.perf_counter()
    anti = ""
    if exclude:
        con.register(
            "_exclude",
            pl.DataFrame(exclude, schema={"document_id": pl.String, "source_path": pl.String}, orient="row").to_arrow(),
        )
        anti = " ANTI JOIN _exclude e ON e.document_id = p.document_id AND e.source_path = p.source_path"
    try:
        run_sql(
            con,
            f"INSERT INTO \"{table}\" SELECT p.* FROM read_parquet('{(spool / table).as_posix()}/*.parquet') "
            f"AS p{anti}",
        )
    finally:
        if exclude:
            con.unregister("_exclude")
    _Sink.insert_seconds += time.perf_counter() - t0


def spool_root(con, spool_dir: Path | None = None) -> Path:
    """Beside the database file (same disk, never /tmp's RAM): where workers leave Parquet for the bulk load. On a
    cluster `spool_dir` (GOVDATA_SPOOL_DIR), a folder the workers and the writer share."""
    if spool_dir is not None:
        spool_dir.mkdir(parents=True, exist_ok=True)
        return spool_dir
    path = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()[0][0]
    root = Path(path).parent if path else Path(tempfile.gettempdir())
    root.mkdir(parents=True, exist_ok=True)
    return root
