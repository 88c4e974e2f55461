"""Incremental staging: bring the plan staging tables in DuckDB up to date with the files, touching only what changed.

A document's rows stay in the staging tables while its file (raw root, path, sha256) is unchanged and the parser
and mapping files are the same. A new or changed file is parsed (the parse cache still applies) and its rows are
inserted; a changed or deleted file's rows are deleted first. When the parser or a mapping file changes, every
document is staged again. Rows are written in chunks, so a national archive never sits in memory at once.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import duckdb
import polars as pl

from .domain.ingest import RawFile
from .domain.parse_cache import (is_parsed, normalise_cached, normalise_entry, normaliser_version, parser_version,
                                 process_cached)
from .schemas import STAGING_MODELS, column_docs
from .warehouse import NORMALISE_CACHE_DIR, PARSE_CACHE_DIR, _frame, _now, _run, apply_comments, pool_map, polars_schema

PLAN_TABLES = ("stg_documents", "stg_plan_tasks", "stg_findings", "stg_quarantine")
NORMALISED_TABLES = ("stg_task_normalised", "stg_task_agency", "stg_plan_targets", "stg_plan_quoted_scores",
                     "stg_normalise_findings")
STATE = "_staging_state"  # which parser / normaliser version the staging rows were made with
CHUNK = 20_000


@dataclass
class SyncReport:
    files_seen: int
    added: int = 0  # files (re)staged in this run
    removed: int = 0  # files whose rows left (deleted or changed)
    unchanged: int = 0
    reused_from_cache: int = 0  # of the added, parsed in an earlier run (same bytes)
    full_restage: bool = False


def _create(con, table: str) -> None:
    schema = polars_schema(STAGING_MODELS[table])
    con.register("_empty", pl.DataFrame(schema=schema).to_arrow())
    try:
        _run(con, f'CREATE TABLE "{table}" AS SELECT * FROM _empty')
    finally:
        con.unregister("_empty")
    apply_comments(con, table, column_docs(STAGING_MODELS[table]))


def _columns(con, table: str) -> list[tuple[str, str]]:
    return con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? "
                       "ORDER BY column_index", [table]).fetchall()


def _prepare(con, key: str, version: str, tables: tuple[str, ...], extra: tuple[str, ...] = ()) -> bool:
    """Start over (drop and recreate the tables) when the code that made the rows, or a table's columns, changed.
    True when it started over although rows existed."""
    _run(con, f'CREATE TABLE IF NOT EXISTS "{STATE}" (key VARCHAR PRIMARY KEY, version VARCHAR)')
    old = con.execute(f'SELECT version FROM "{STATE}" WHERE key = ?', [key]).fetchall()
    expected = {}
    for t in tables:
        con.register("_probe", pl.DataFrame(schema=polars_schema(STAGING_MODELS[t])).to_arrow())
        try:
            rel = con.sql("SELECT * FROM _probe")
            expected[t] = [(c, str(ty)) for c, ty in zip(rel.columns, rel.types)]
        finally:
            con.unregister("_probe")
    same = bool(old) and old[0][0] == version and all(_columns(con, t) == expected[t] for t in tables)
    if same:
        return False
    for t in (*tables, *extra):
        _run(con, f'DROP TABLE IF EXISTS "{t}"')
    for t in tables:
        _create(con, t)
    con.execute(f'INSERT OR REPLACE INTO "{STATE}" VALUES (?, ?)', [key, version]).fetchall()
    return bool(old)


class _Sink:
    """Rows for one table, appended to DuckDB every CHUNK rows."""

    insert_seconds = 0.0  # time spent inserting, over all sinks of this process (the benchmark reports it)

    def __init__(self, con, table: str):
        self.con, self.table, self.rows, self.n = con, table, [], 0

    def extend(self, rows: list[dict]) -> None:
        self.rows.extend(rows)
        if len(self.rows) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        t0 = time.perf_counter()
        self.con.register("_chunk", _frame(self.rows, self.table).to_arrow())
        try:
            _run(self.con, f'INSERT INTO "{self.table}" SELECT * FROM _chunk')
        finally:
            self.con.unregister("_chunk")
        _Sink.insert_seconds += time.perf_counter() - t0
        self.n += len(self.rows)
        self.rows = []


def _file_key(f: RawFile) -> tuple[str, str]:
    return f.root_label, f.source_path


def sync_plans(con: duckdb.DuckDBPyConnection, files: list[RawFile], workers: int | None = None,
               cache_dir: Path | None = None, progress=None) -> SyncReport:
    import hashlib
    import os

    cache_dir = cache_dir or PARSE_CACHE_DIR
    report = SyncReport(files_seen=len(files))
    report.full_restage = _prepare(con, "parser", parser_version(), PLAN_TABLES)
    current: dict[tuple[str, str], str | None] = {}
    for f in files:
        try:
            current[_file_key(f)] = hashlib.sha256(f.path.read_bytes()).hexdigest()
        except OSError:
            current[_file_key(f)] = None  # unreadable: staged again (quarantined with the reason) every run
    staged = {(r, p): s for r, p, s in con.execute(
        "SELECT raw_root, source_path, sha256 FROM stg_documents UNION ALL "
        "SELECT raw_root, source_path, sha256 FROM stg_quarantine WHERE stage IN ('read', 'decode', 'parse')").fetchall()}
    # a quarantined duplicate is looked at again every run: its original may have gone
    dup_paths = {(r, p) for r, p in con.execute(
        "SELECT raw_root, source_path FROM stg_quarantine WHERE reason LIKE 'duplicate of %'").fetchall()}
    gone = [k for k, sha in staged.items() if k not in current or current[k] != sha or sha is None or k in dup_paths]
    if gone:
        con.register("_gone", pl.DataFrame(gone, schema={"raw_root": pl.String, "source_path": pl.String},
                                           orient="row").to_arrow())
        try:
            _run(con, "DELETE FROM stg_plan_tasks WHERE document_id IN (SELECT d.document_id FROM stg_documents d "
                      "JOIN _gone g USING (raw_root, source_path))")
            _run(con, "DELETE FROM stg_findings WHERE document_id IN (SELECT d.document_id FROM stg_documents d "
                      "JOIN _gone g USING (raw_root, source_path))")
            _run(con, "DELETE FROM stg_documents WHERE (raw_root, source_path) IN (SELECT raw_root, source_path FROM _gone)")
            _run(con, "DELETE FROM stg_quarantine WHERE (raw_root, source_path) IN (SELECT raw_root, source_path FROM _gone)")
        finally:
            con.unregister("_gone")
    report.removed = len([k for k in gone if k in staged])
    todo = [f for f in files if _file_key(f) not in staged or _file_key(f) in set(gone)]
    report.added, report.unchanged = len(todo), len(files) - len(todo)
    known = dict(con.execute("SELECT document_id, source_path FROM stg_documents").fetchall())
    sinks = {t: _Sink(con, t) for t in PLAN_TABLES}
    workers = workers or min(2, os.cpu_count() or 1)
    misses = sum(not is_parsed(f, cache_dir) for f in todo) if workers > 1 else 0
    work = partial(process_cached, cache_dir=cache_dir)
    for i, (r, reused) in enumerate(pool_map(work, todo, workers, misses), start=1):
        report.reused_from_cache += reused
        if r.quarantine is not None:
            sinks["stg_quarantine"].extend([r.quarantine])
        elif r.document["document_id"] in known:
            # the same text twice (a copy, or a re-encoded copy) is one document: report, never count twice
            d = r.document
            sinks["stg_quarantine"].extend([{
                "source_path": d["source_path"], "raw_root": d["raw_root"], "sha256": d["sha256"], "stage": "parse",
                "reason": f"duplicate of {known[d['document_id']]} (same normalised text)", "source_ref": None,
                "detected_at": _now()}])
        else:
            known[r.document["document_id"]] = r.document["source_path"]
            sinks["stg_documents"].extend([r.document])
            sinks["stg_plan_tasks"].extend(r.tasks)
            sinks["stg_findings"].extend(r.findings)
        if progress and (i % 500 == 0 or i == len(todo)):
            progress(i, len(todo), report.unchanged)
    for s in sinks.values():
        s.flush()
    return report


def sync_normalised(con: duckdb.DuckDBPyConnection, workers: int | None = None, cache_dir: Path | None = None,
                    progress=None) -> SyncReport:
    """Normalise the staged documents that have no normalised rows yet; drop rows of documents that left."""
    import os

    cache_dir = cache_dir or NORMALISE_CACHE_DIR
    report = SyncReport(files_seen=0)
    report.full_restage = _prepare(con, "normaliser", normaliser_version(), NORMALISED_TABLES,
                                   extra=("_normalised_documents", "_alias_use"))
    _run(con, 'CREATE TABLE IF NOT EXISTS "_normalised_documents" (document_id VARCHAR, sha256 VARCHAR, source_path VARCHAR)')
    _run(con, 'CREATE TABLE IF NOT EXISTS "_alias_use" (document_id VARCHAR, alias VARCHAR, n BIGINT)')
    # a document is current when the same id, bytes and path were normalised
    stale = "SELECT n.document_id FROM _normalised_documents n ANTI JOIN stg_documents d USING (document_id, sha256, source_path)"
    for t in NORMALISED_TABLES:
        _run(con, f'DELETE FROM "{t}" WHERE document_id IN ({stale})')
    n_removed = con.execute(f"SELECT count(*) FROM ({stale})").fetchall()[0][0]
    _run(con, f'DELETE FROM "_alias_use" WHERE document_id IN ({stale})')
    _run(con, f'DELETE FROM "_normalised_documents" WHERE document_id IN ({stale})')
    todo = con.sql("SELECT d.* FROM stg_documents d ANTI JOIN _normalised_documents n USING (document_id) "
                   "ORDER BY d.source_path").pl()
    report.files_seen = con.execute("SELECT count(*) FROM stg_documents").fetchall()[0][0]
    report.removed, report.added, report.unchanged = n_removed, todo.height, report.files_seen - todo.height

    def jobs():  # tasks fetched 500 documents at a time: never the whole table in memory
        for lo in range(0, todo.height, 500):
            batch = todo.slice(lo, 500)
            con.register("_batch", batch.select("document_id").to_arrow())
            try:
                tasks = con.sql("SELECT t.* FROM stg_plan_tasks t JOIN _batch USING (document_id) "
                                "ORDER BY t.document_id, t.task_seq").pl()
            finally:
                con.unregister("_batch")
            by_doc = tasks.partition_by("document_id", as_dict=True, maintain_order=True) if tasks.height else {}
            for d in batch.iter_rows(named=True):
                part = by_doc.get((d["document_id"],))
                yield d, part.to_dicts() if part is not None else [], cache_dir

    sinks = {"tasks": _Sink(con, "stg_task_normalised"), "task_agencies": _Sink(con, "stg_task_agency"),
             "targets": _Sink(con, "stg_plan_targets"), "quoted_scores": _Sink(con, "stg_plan_quoted_scores"),
             "findings": _Sink(con, "stg_normalise_findings")}
    workers = workers or min(2, os.cpu_count() or 1)
    misses = sum(not normalise_entry(d, cache_dir).is_file() for d in todo.iter_rows(named=True)) if workers > 1 else 0
    # one thread: the jobs generator reads DuckDB between the chunks the sinks write
    alias_rows: list[tuple[str, str, int]] = []
    ids = todo["document_id"].to_list()
    for i, (out, reused) in enumerate(pool_map(normalise_cached, jobs(), workers, misses), start=1):
        report.reused_from_cache += reused
        for k, sink in sinks.items():
            sink.extend(getattr(out, k))
        alias_rows += [(ids[i - 1], a, n) for a, n in out.alias_use.items()]
        if progress and (i % 500 == 0 or i == todo.height):
            progress(i, todo.height, report.unchanged)
    for s in sinks.values():
        s.flush()
    if todo.height:
        con.register("_done", todo.select("document_id", "sha256", "source_path").to_arrow())
        try:
            _run(con, 'INSERT INTO "_normalised_documents" SELECT * FROM _done')
        finally:
            con.unregister("_done")
    if alias_rows:
        con.register("_aliases", pl.DataFrame(alias_rows, schema={"document_id": pl.String, "alias": pl.String,
                                                                  "n": pl.Int64}, orient="row").to_arrow())
        try:
            _run(con, 'INSERT INTO "_alias_use" SELECT * FROM _aliases')
        finally:
            con.unregister("_aliases")
    return report


def used_aliases(con) -> set[str]:
    """Agency aliases some staged document uses (for the mapping file's unused-entry warning)."""
    return {a for (a,) in con.execute('SELECT DISTINCT alias FROM "_alias_use"').fetchall()}


def staging_insert_seconds() -> float:
    return _Sink.insert_seconds
