"""Incremental staging: bring the plan staging tables in DuckDB up to date with the files, touching only what changed.

A document's rows stay in the staging tables while its file (raw root, path, sha256) is unchanged and the parser
and mapping files are the same. A new or changed file is parsed (the parse cache still applies) and its rows are
inserted; a changed or deleted file's rows are deleted first. When the parser or a mapping file changes, every
document is staged again. Pool workers write the task and finding rows to a Parquet spool, loaded in one bulk insert
per table; documents and quarantine rows come back in small chunks, so a national archive never sits in memory.
"""

from __future__ import annotations

import hashlib
import shutil
import stat
import tempfile
import uuid
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import duckdb
import polars as pl

from pipelines.model import quarantine_row
from pipelines.quality.schemas import STAGING_MODELS, column_docs, polars_schema
from pipelines.settings import Settings
from pipelines.sources.plans.ingest import RawFile, RawReadError, read_raw, root_path_for
from pipelines.sources.plans.parse_cache import (
    entry_path,
    load_entry,
    normalise_cached,
    normalise_entry,
    normaliser_version,
    parser_version,
    process_cached,
)
from pipelines.staging.frames import Isolation, pool_map_chunks
from pipelines.staging.near_duplicates import DOC_LINES, mark_near_duplicates
from pipelines.staging.spool import _drop_undelivered, _load_spool, _Sink, _spool, spool_root
from pipelines.warehouse.db import apply_comments, run_sql

PLAN_TABLES = ("stg_documents", "stg_plan_tasks", "stg_findings", "stg_quarantine")
NORMALISED_TABLES = (
    "stg_task_normalised",
    "stg_task_agency",
    "stg_plan_targets",
    "stg_plan_quoted_scores",
    "stg_normalise_findings",
)
STATE = "_staging_state"  # which parser / normaliser version the staging rows were made with


@dataclass
class SyncReport:
    files_seen: int
    added: int = 0  # files (re)staged in this run
    removed: int = 0  # files whose rows left (deleted or changed)
    unchanged: int = 0
    reused_from_cache: int = 0  # of the added, parsed in an earlier run (same bytes)
    full_restage: bool = False
    near_duplicates: int = 0  # near_duplicate_of findings after this run


def _create(con, table: str) -> None:
    schema = polars_schema(STAGING_MODELS[table])
    con.register("_empty", pl.DataFrame(schema=schema).to_arrow())
    try:
        run_sql(con, f'CREATE TABLE "{table}" AS SELECT * FROM _empty')
    finally:
        con.unregister("_empty")
    apply_comments(con, table, column_docs(STAGING_MODELS[table]))


def _columns(con, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", [table]
    ).fetchall()


def _prepare(con, key: str, version: str, tables: tuple[str, ...], extra: tuple[str, ...] = ()) -> bool:
    """Start over (drop and recreate the tables) when the code that made the rows, or a table's columns, changed.
    True when it started over although rows existed."""
    run_sql(con, f'CREATE TABLE IF NOT EXISTS "{STATE}" (key VARCHAR PRIMARY KEY, version VARCHAR)')
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
        run_sql(con, f'DROP TABLE IF EXISTS "{t}"')
    for t in tables:
        _create(con, t)
    con.execute(f'INSERT OR REPLACE INTO "{STATE}" VALUES (?, ?)', [key, version]).fetchall()
    return bool(old)


@dataclass
class ParsedChunk:
    """What a pool worker sends back for a chunk of files: the small rows (documents, quarantine). Its task and
    finding rows it writes itself to the spool as Parquet, so the single writer is idle while the workers parse
    and then loads everything in one bulk insert (appending chunk by chunk, it competed with the two workers
    for the two cores)."""

    results: list[tuple[dict | None, dict | None, bool]]  # (document row, quarantine row, reused from cache)
    spooled: list[Path] = field(default_factory=list)  # the spool files it wrote: only these are loaded

    @staticmethod
    def merge(parts: list[ParsedChunk]) -> ParsedChunk:
        return ParsedChunk([r for p in parts for r in p.results], [s for p in parts for s in p.spooled])


def stopped_file(f: RawFile, reason: str) -> ParsedChunk:
    """A file whose worker died reading it: quarantined with the reason, in this process, without reading it."""
    return ParsedChunk([(None, quarantine_row(f.source_path, f.root_label, None, "decode", reason), False)])


def parse_chunk(files: list[RawFile], cache_dir: Path, spool: Path, settings: Settings | None = None) -> ParsedChunk:
    results, tasks, findings = [], [], []
    lines: dict[str, list] = {"document_id": [], "source_path": [], "line_hash": []}
    for f in files:
        r, reused = process_cached(f, cache_dir, settings)
        results.append((r.document, r.quarantine, reused))
        tasks += r.tasks
        findings += r.findings
        if r.document is not None:
            lines["document_id"] += [r.document["document_id"]] * len(r.line_hashes)
            lines["source_path"] += [r.document["source_path"]] * len(r.line_hashes)
            lines["line_hash"] += r.line_hashes
    spooled = [_spool(spool, "stg_plan_tasks", tasks), _spool(spool, "stg_findings", findings)]
    if lines["line_hash"]:
        (spool / DOC_LINES).mkdir(parents=True, exist_ok=True)
        path = spool / DOC_LINES / f"{uuid.uuid4().hex}.parquet"
        pl.DataFrame(
            lines, schema={"document_id": pl.String, "source_path": pl.String, "line_hash": pl.Int64}
        ).write_parquet(path.with_suffix(".tmp"), compression="uncompressed")
        spooled.append(path.with_suffix(".tmp").replace(path))
    return ParsedChunk(results, [p for p in spooled if p is not None])


def parse_chunks(work, todo: list[RawFile], workers: int, misses: int, isolate: Isolation | None, settings: Settings):
    """ParsedChunks in the order of `todo`: from this machine's pool, or, with the Dask engine, from the cluster's
    workers (pipelines/staging/cluster.py), which write the same spool and return the same rows."""
    if settings.parse_engine == "dask" and isolate is not None and todo:
        from pipelines.staging.cluster import map_chunks

        return map_chunks(work, todo, settings, stopped_file, ParsedChunk.merge)
    return pool_map_chunks(work, todo, workers, misses, isolate=isolate)


def _file_key(f: RawFile) -> tuple[str, str]:
    return f.root_label, f.source_path


HASHES = "_file_hashes"  # (raw_root, source_path, size, mtime_ns, sha256) as last read
_HASH_SCHEMA = {
    "raw_root": pl.String,
    "source_path": pl.String,
    "size": pl.Int64,
    "mtime_ns": pl.Int64,
    "sha256": pl.String,
}
# Below this many files to parse whose hash is unknown, they are hashed here as before (a refresh: a renamed file
# whose parse is cached is then read from the cache in this process, no pool started); from it on, their workers
# hash them (a first build: 947 MB read and hashed serially here before the pool started, 4.4 s at 20,000).
DEFER_HASHING_FROM = 64


def file_hashes(
    con, files: list[RawFile], staged: set | dict | None = None, deferred: dict | None = None
) -> dict[tuple[str, str], str | None]:
    """sha256 of every file, None when unreadable. A file whose size and modification time (ns) are those recorded
    when it was last hashed keeps that hash without being read (as git's index does): a refresh of a national
    archive reads the new files, not the 900 MB of unchanged ones.

    With `staged` (the keys that have staged rows) and `deferred` (a dict to fill), the files that have no staged
    rows and no usable recorded hash, when there are DEFER_HASHING_FROM or more, are not read here: they are
    parsed whatever their hash, and the worker that parses one reads and hashes it anyway. Their value is None,
    their (size, mtime_ns) go in `deferred`, and record_hashes stores the hash their parse found."""
    run_sql(
        con,
        f'CREATE TABLE IF NOT EXISTS "{HASHES}" (raw_root VARCHAR, source_path VARCHAR, size BIGINT, '
        "mtime_ns BIGINT, sha256 VARCHAR)",
    )
    known = {(r, p): (size, mt, sha) for r, p, size, mt, sha in con.execute(f'SELECT * FROM "{HASHES}"').fetchall()}
    out: dict[tuple[str, str], str | None] = {}
    rows, unread = [], {}
    for f in files:
        key = _file_key(f)
        try:
            st = f.path.stat()
            old = known.get(key)
            if old and old[0] == st.st_size and old[1] == st.st_mtime_ns and stat.S_ISREG(st.st_mode):
                out[key] = old[2]
                rows.append((*key, st.st_size, st.st_mtime_ns, out[key]))
            elif staged is not None and key not in staged and stat.S_ISREG(st.st_mode):
                unread[key] = (f, st)
            else:
                out[key] = hashlib.sha256(read_raw(f)).hexdigest()  # never opens a FIFO, never past the size limit
                rows.append((*key, st.st_size, st.st_mtime_ns, out[key]))
        except (OSError, RawReadError):
            out[key] = None  # unreadable: staged again (quarantined with the reason) every run
    for key, (f, st) in unread.items():
        if deferred is not None and len(unread) >= DEFER_HASHING_FROM:
            out[key], deferred[key] = None, (st.st_size, st.st_mtime_ns)
            continue
        try:
            out[key] = hashlib.sha256(read_raw(f)).hexdigest()
            rows.append((*key, st.st_size, st.st_mtime_ns, out[key]))
        except (OSError, RawReadError):
            out[key] = None
    run_sql(con, f'DELETE FROM "{HASHES}"')
    _insert_hashes(con, rows)
    return out


def _insert_hashes(con, rows: list[tuple]) -> None:
    if not rows:
        return
    con.register("_hashes", pl.DataFrame(rows, schema=_HASH_SCHEMA, orient="row").to_arrow())
    try:
        run_sql(con, f'INSERT INTO "{HASHES}" SELECT * FROM _hashes')
    finally:
        con.unregister("_hashes")


def record_hashes(con, deferred: dict[tuple[str, str], tuple[int, int]], found: dict[tuple[str, str], str]) -> None:
    """The hashes of the files file_hashes left to their workers, as their parse found them (the document's or the
    quarantine row's sha256), under the size and modification time taken before they were read: a file changed
    since has another modification time and is read again next run. A file its worker could not read has no hash
    (as in file_hashes) and is looked at again next run."""
    _insert_hashes(con, [(*k, *deferred[k], found[k]) for k in deferred if found.get(k)])


def _staged_files(con) -> dict[tuple[str, str], str | None]:
    """(raw_root, source_path) -> sha256 of every file with staged rows (a document, or quarantined unread)."""
    return {
        (r, p): s
        for r, p, s in con.execute(
            "SELECT raw_root, source_path, sha256 FROM stg_documents UNION ALL "
            "SELECT raw_root, source_path, sha256 FROM stg_quarantine WHERE stage IN ('read', 'decode', 'parse')"
        ).fetchall()
    }


def _unstage(con: duckdb.DuckDBPyConnection, gone: list[tuple[str, str]]) -> None:
    """Remove the staged rows of files (raw_root, source_path) that left, changed or must be looked at again."""
    if not gone:
        return
    con.register(
        "_gone", pl.DataFrame(gone, schema={"raw_root": pl.String, "source_path": pl.String}, orient="row").to_arrow()
    )
    try:
        run_sql(
            con,
            "DELETE FROM stg_plan_tasks WHERE document_id IN (SELECT d.document_id FROM stg_documents d "
            "JOIN _gone g USING (raw_root, source_path))",
        )
        run_sql(
            con,
            "DELETE FROM stg_findings WHERE document_id IN (SELECT d.document_id FROM stg_documents d "
            "JOIN _gone g USING (raw_root, source_path))",
        )
        run_sql(
            con,
            f'DELETE FROM "{DOC_LINES}" WHERE document_id IN (SELECT d.document_id FROM stg_documents d '
            "JOIN _gone g USING (raw_root, source_path))",
        )
        run_sql(
            con, "DELETE FROM stg_documents WHERE (raw_root, source_path) IN (SELECT raw_root, source_path FROM _gone)"
        )
        run_sql(
            con, "DELETE FROM stg_quarantine WHERE (raw_root, source_path) IN (SELECT raw_root, source_path FROM _gone)"
        )
    finally:
        con.unregister("_gone")


def _files_to_read(con, files: list[RawFile], current: dict, staged: dict, report: SyncReport) -> list[RawFile]:
    """The files whose staged rows are missing or stale; the stale rows (a file gone, changed, or a duplicate whose
    original may have gone) are unstaged first."""
    # a quarantined duplicate is looked at again every run: its original may have gone
    dup_paths = {
        (r, p)
        for r, p in con.execute(
            "SELECT raw_root, source_path FROM stg_quarantine WHERE reason LIKE 'duplicate of %'"
        ).fetchall()
    }
    gone = [k for k, sha in staged.items() if k not in current or current[k] != sha or sha is None or k in dup_paths]
    _unstage(con, gone)
    report.removed = len([k for k in gone if k in staged])
    gone_set = set(gone)
    todo = [f for f in files if _file_key(f) not in staged or _file_key(f) in gone_set]
    return todo


def _duplicate_row(doc: dict, kept_path: str) -> dict:
    """The quarantine row of a text already staged from another file."""
    reason = f"duplicate of {kept_path} (same normalised text)"
    keys = ("source_path", "raw_root", "sha256")
    return {**{k: doc[k] for k in keys}, "stage": "parse", "reason": reason, "source_ref": None}


def sync_plans(
    con: duckdb.DuckDBPyConnection,
    files: list[RawFile],
    workers: int | None = None,
    cache_dir: Path | None = None,
    progress=None,
    settings: Settings | None = None,
) -> SyncReport:
    """`workers` None (the pipeline): files are read only in worker processes under the memory ceiling, never in
    this one (pipelines/staging/frames.py); a number (tests, debugging): that many, in this process for one."""

    settings = Settings.from_env() if settings is None else settings
    isolate = Isolation(settings.worker_memory_mb * 2**20, stopped_file, ParsedChunk.merge) if workers is None else None
    cache_dir = cache_dir or settings.parse_cache_dir
    report = SyncReport(files_seen=len(files))
    report.full_restage = _prepare(con, "parser", parser_version(), PLAN_TABLES, extra=(DOC_LINES,))
    run_sql(
        con, f'CREATE TABLE IF NOT EXISTS "{DOC_LINES}" (document_id VARCHAR, source_path VARCHAR, line_hash BIGINT)'
    )
    staged = _staged_files(con)
    deferred: dict[tuple[str, str], tuple[int, int]] = {}  # files hashed by the worker that parses them
    current = file_hashes(con, files, staged, deferred)
    todo = _files_to_read(con, files, current, staged, report)
    report.added, report.unchanged = len(todo), len(files) - len(todo)
    # the copy kept of a text held by several files is the first in discovery order (raw/ first, then the extra
    # roots in order; then path), whatever order the files arrived in: an incremental build keeps the same copy as a
    # clean one
    known = {
        d: (r, p) for d, r, p in con.execute("SELECT document_id, raw_root, source_path FROM stg_documents").fetchall()
    }
    from_before = set(known)  # held by a document staged in an earlier run
    order = {_file_key(f): n for n, f in enumerate(files)}
    sinks = {t: _Sink(con, t) for t in PLAN_TABLES}
    workers = workers or settings.pool_workers
    misses = (
        sum((h := current[_file_key(f)]) is None or not entry_path(cache_dir, h).is_file() for f in todo)
        if workers > 1 or isolate
        else 0
    )
    i = 0
    dups: list[tuple[str, str]] = []
    spool = Path(tempfile.mkdtemp(prefix="spool-", dir=spool_root(con, settings.spool_dir)))
    delivered: set[Path] = set()
    found: dict[tuple[str, str], str] = {}
    try:
        work = partial(parse_chunk, cache_dir=cache_dir, spool=spool, settings=settings)
        for chunk in parse_chunks(work, todo, workers, misses, isolate, settings):
            delivered.update(chunk.spooled)
            for doc, quarantine, reused in chunk.results:
                i += 1
                row = doc if quarantine is None else quarantine
                if (row["raw_root"], row["source_path"]) in deferred:
                    found[(row["raw_root"], row["source_path"])] = row["sha256"]
                report.reused_from_cache += reused
                if quarantine is not None:
                    sinks["stg_quarantine"].extend([quarantine])
                elif doc["document_id"] in known and not (
                    doc["document_id"] in from_before
                    and order.get((doc["raw_root"], doc["source_path"]), 0)
                    < order.get(known[doc["document_id"]], len(order))
                ):
                    # the same text twice (a copy, or a re-encoded copy) is one document: report, never count twice
                    sinks["stg_quarantine"].extend([_duplicate_row(doc, known[doc["document_id"]][1])])
                    dups.append((doc["document_id"], doc["source_path"]))  # shares the original's id, not its path
                else:
                    if doc["document_id"] in known:  # a copy that comes first arrived after the one staged before
                        _demote(con, doc["document_id"], known[doc["document_id"]], doc["source_path"])
                        from_before.discard(doc["document_id"])
                    known[doc["document_id"]] = (doc["raw_root"], doc["source_path"])
                    sinks["stg_documents"].extend([doc])
                if progress and (i % 500 == 0 or i == len(todo)):
                    progress(i, len(todo), report.unchanged)
        _load_parsed(con, sinks, spool, delivered, dups)
        record_hashes(con, deferred, found)
    finally:
        shutil.rmtree(spool, ignore_errors=True)
    report.near_duplicates = mark_near_duplicates(con)
    return report


def _load_parsed(con, sinks: dict, spool: Path, delivered: set[Path], dups: list[tuple[str, str]]) -> None:
    """The end of a sync: the small rows still buffered, then the spool of the chunks delivered, without the
    rows of the duplicates."""
    for s in sinks.values():
        s.flush()
    _drop_undelivered(spool, delivered)
    for table in ("stg_plan_tasks", "stg_findings", DOC_LINES):
        _load_spool(con, spool, table, dups)


def _demote(con, document_id: str, holder: tuple[str, str], kept_path: str) -> None:
    """The staged copy `holder` of a text gives way to a copy that comes first: its rows leave, it is quarantined
    as a duplicate of the kept one."""
    root, path = holder
    (sha,) = con.execute(
        "SELECT sha256 FROM stg_documents WHERE raw_root = ? AND source_path = ?", [root, path]
    ).fetchall()[0]
    for t in ("stg_plan_tasks", "stg_findings", DOC_LINES):
        run_sql(con, f'DELETE FROM "{t}" WHERE document_id = ? AND source_path = ?', [document_id, path])
    run_sql(con, "DELETE FROM stg_documents WHERE raw_root = ? AND source_path = ?", [root, path])
    run_sql(
        con,
        "INSERT INTO stg_quarantine (source_path, raw_root, sha256, stage, reason, source_ref) "
        "VALUES (?, ?, ?, 'parse', ?, NULL)",
        [path, root, sha, f"duplicate of {kept_path} (same normalised text)"],
    )


NORMALISED_SINKS = {
    "tasks": "stg_task_normalised",
    "task_agencies": "stg_task_agency",
    "targets": "stg_plan_targets",
    "quoted_scores": "stg_plan_quoted_scores",
    "findings": "stg_normalise_findings",
}


@dataclass
class NormalisedChunk:
    n_docs: int  # their rows are in the spool
    alias_rows: list[tuple[str, str, int]]
    reused: int
    need_tasks: list[dict]  # documents whose tasks the parent must read from DuckDB (rare: see _staged_tasks)


def _staged_tasks(doc: dict, parse_cache_dir: Path) -> list[dict] | None:
    """The document's staged task rows without asking DuckDB: they are the parse result of exactly these bytes
    (cached under their sha256), with this document's path. None when neither the cache nor the file has them."""
    cached = load_entry(entry_path(parse_cache_dir, doc["sha256"]))
    if cached is None:
        root = root_path_for(doc["raw_root"])
        if root is None:
            return None
        f = RawFile(root, root / doc["source_path"])
        try:
            if hashlib.sha256(read_raw(f)).hexdigest() != doc["sha256"]:
                return None
        except RawReadError:
            return None
        cached, _ = process_cached(f, parse_cache_dir)
    if cached.document is None or cached.document["document_id"] != doc["document_id"]:
        return None
    return [dict(t, source_path=doc["source_path"]) for t in cached.tasks]


def normalise_chunk(docs: list[dict], parse_cache_dir: Path, cache_dir: Path, spool: Path) -> NormalisedChunk:
    rows: dict[str, list[dict]] = {k: [] for k in NORMALISED_SINKS}
    alias_rows, reused, need = [], 0, []
    for d in docs:
        out = load_entry(normalise_entry(d, cache_dir))
        if out is not None:
            reused += 1
        else:
            tasks = _staged_tasks(d, parse_cache_dir)
            if tasks is None:
                need.append(d)
                continue
            out, hit = normalise_cached((d, tasks, cache_dir))
            reused += hit
        for k in rows:
            rows[k] += getattr(out, k)
        alias_rows += [(d["document_id"], a, n) for a, n in out.alias_use.items()]
    for k, v in rows.items():
        _spool(spool, NORMALISED_SINKS[k], v)
    return NormalisedChunk(len(docs), alias_rows, reused, need)


def _normalised_todo(con, report: SyncReport) -> pl.DataFrame:
    """The staged documents to normalise (new, or changed since); the rows of those that left are dropped."""
    report.full_restage = _prepare(
        con, "normaliser", normaliser_version(), NORMALISED_TABLES, extra=("_normalised_documents", "_alias_use")
    )
    run_sql(
        con,
        'CREATE TABLE IF NOT EXISTS "_normalised_documents" (document_id VARCHAR, sha256 VARCHAR, source_path VARCHAR)',
    )
    run_sql(con, 'CREATE TABLE IF NOT EXISTS "_alias_use" (document_id VARCHAR, alias VARCHAR, n BIGINT)')
    # a document is current when the same id, bytes and path were normalised
    stale = "SELECT n.document_id FROM _normalised_documents n ANTI JOIN stg_documents d USING (document_id, sha256, source_path)"
    for t in NORMALISED_TABLES:
        run_sql(con, f'DELETE FROM "{t}" WHERE document_id IN ({stale})')
    n_removed = con.execute(f"SELECT count(*) FROM ({stale})").fetchall()[0][0]
    run_sql(con, f'DELETE FROM "_alias_use" WHERE document_id IN ({stale})')
    run_sql(con, f'DELETE FROM "_normalised_documents" WHERE document_id IN ({stale})')
    todo = con.sql(
        "SELECT d.* FROM stg_documents d ANTI JOIN _normalised_documents n USING (document_id) ORDER BY d.source_path"
    ).pl()
    report.files_seen = con.execute("SELECT count(*) FROM stg_documents").fetchall()[0][0]
    report.removed, report.added, report.unchanged = n_removed, todo.height, report.files_seen - todo.height
    return todo


def _record_normalised(con, todo: pl.DataFrame, alias_rows: list[tuple[str, str, int]]) -> None:
    """Which documents are normalised now, and the agency aliases each used."""
    if todo.height:
        con.register("_done", todo.select("document_id", "sha256", "source_path").to_arrow())
        try:
            run_sql(con, 'INSERT INTO "_normalised_documents" SELECT * FROM _done')
        finally:
            con.unregister("_done")
    if alias_rows:
        con.register(
            "_aliases",
            pl.DataFrame(
                alias_rows, schema={"document_id": pl.String, "alias": pl.String, "n": pl.Int64}, orient="row"
            ).to_arrow(),
        )
        try:
            run_sql(con, 'INSERT INTO "_alias_use" SELECT * FROM _aliases')
        finally:
            con.unregister("_aliases")


def sync_normalised(
    con: duckdb.DuckDBPyConnection,
    workers: int | None = None,
    cache_dir: Path | None = None,
    progress=None,
    parse_cache_dir: Path | None = None,
) -> SyncReport:
    """Normalise the staged documents that have no normalised rows yet; drop rows of documents that left."""

    cache_dir = cache_dir or Settings.from_env().normalise_cache_dir
    report = SyncReport(files_seen=0)
    todo = _normalised_todo(con, report)
    sinks = {k: _Sink(con, t) for k, t in NORMALISED_SINKS.items()}
    workers = workers or Settings.from_env().pool_workers
    docs = todo.to_dicts()
    misses = sum(not normalise_entry(d, cache_dir).is_file() for d in docs) if workers > 1 else 0
    alias_rows: list[tuple[str, str, int]] = []
    spool = Path(tempfile.mkdtemp(prefix="spool-", dir=spool_root(con)))
    work = partial(
        normalise_chunk,
        parse_cache_dir=parse_cache_dir or Settings.from_env().parse_cache_dir,
        cache_dir=cache_dir,
        spool=spool,
    )
    i = 0
    try:
        for chunk in pool_map_chunks(work, docs, workers, misses):
            for d in chunk.need_tasks:  # parse no longer cached and the file changed: the staged rows are the record
                tasks = (
                    con.sql(
                        "SELECT * FROM stg_plan_tasks WHERE document_id = ? ORDER BY task_seq",
                        params=[d["document_id"]],
                    )
                    .pl()
                    .to_dicts()
                )
                out, reused = normalise_cached((d, tasks, cache_dir))
                chunk.reused += reused
                for k, sink in sinks.items():
                    sink.extend(getattr(out, k))
                chunk.alias_rows += [(d["document_id"], a, n) for a, n in out.alias_use.items()]
            report.reused_from_cache += chunk.reused
            alias_rows += chunk.alias_rows
            i += chunk.n_docs
            if progress and (i // 500 != (i - chunk.n_docs) // 500 or i == todo.height):
                progress(i, todo.height, report.unchanged)
        for s in sinks.values():
            s.flush()
        for table in NORMALISED_SINKS.values():
            _load_spool(con, spool, table)
    finally:
        shutil.rmtree(spool, ignore_errors=True)
    _record_normalised(con, todo, alias_rows)
    return report


def used_aliases(con) -> set[str]:
    """Agency aliases some staged document uses (for the mapping file's unused-entry warning)."""
    return {a for (a,) in con.execute('SELECT DISTINCT alias FROM "_alias_use"').fetchall()}


def staging_insert_seconds() -> float:
    return _Sink.insert_seconds
