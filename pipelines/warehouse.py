"""Warehouse mechanics, Dagster-free: staging frames, explicit-SQL writes, dbt-like models, publishing.

Build file: warehouse/build/governance.build.duckdb (the single writer works here).
Published file: warehouse/governance.duckdb (analysts open this), a link into the current release with the marts
(pipelines/release.py switches database and marts together).
"""
from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import duckdb
import polars as pl
import sqlglot
from sqlglot import exp

from .contracts import CORE_MODELS
from .domain.ingest import RawFile, RawReadError, discover, read_raw
from .schemas import STAGING_MODELS, column_docs, polars_schema
from .settings import PROJECT_DIR, Settings

SQL_DIR = PROJECT_DIR / "dbt_like_sql"
LAYERS = ("staging", "intermediate", "core", "marts")


# ---------------------------------------------------------------- staging frames and the process pool

def _frame(rows: list[dict], table: str) -> pl.DataFrame:
    schema = polars_schema(STAGING_MODELS[table])
    # built column by column: twice as fast as polars reading a list of row dicts
    return pl.DataFrame({c: [r.get(c) for r in rows] for c in schema}, schema=schema)


def pool_map_chunks(fn, items, workers: int, n: int, chunk: int = 16, window: int = 8):
    """fn(list of up to `chunk` items) over a process pool, results yielded per chunk and in order, at most
    `window` chunks in flight (Executor.map would take the whole iterable at once). In this process when n, the
    items needing real work, is small. Workers start from a fresh forkserver, not as copies of a big parent, so
    their memory is their own."""
    it = iter(items)
    if workers <= 1 or n <= 8:
        while batch := list(islice(it, chunk)):
            yield fn(batch)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver")) as pool:
        pending: deque = deque()
        while True:
            batch = list(islice(it, chunk))
            if batch:
                pending.append(pool.submit(fn, batch))
            if pending and (len(pending) >= window or not batch):
                yield pending.popleft().result()
            if not batch and not pending:
                return


def _now():
    import datetime as dt
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


# ---------------------------------------------------------------- DuckDB writes

def connect(settings: Settings, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """The build database, with the writer's configuration (Settings.build_config) unless read-only."""
    path = settings.build_db
    path.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(path), read_only=read_only, config={} if read_only else settings.build_config)


def write_table(con: duckdb.DuckDBPyConnection, name: str, df: pl.DataFrame, docs: dict[str, str] | None = None) -> int:
    con.register("_incoming", df.to_arrow())
    try:
        _run(con, f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM _incoming')
    finally:
        con.unregister("_incoming")
    apply_comments(con, name, docs or {})
    return df.height


def _run(con, sql: str, params: list | None = None) -> None:
    """Execute and drain: duckdb 2.0 refuses new work while a result is pending."""
    con.execute(sql, params or []).fetchall()


def apply_comments(con, table: str, docs: dict[str, str], table_doc: str | None = None) -> None:
    if table_doc:
        _run(con, f"COMMENT ON TABLE \"{table}\" IS '{table_doc.replace(chr(39), chr(39) * 2)}'")
    existing = {r[0] for r in con.execute(f"SELECT column_name FROM information_schema.columns WHERE table_name = '{table}'").fetchall()}
    for col, text in docs.items():
        if col in existing and text:
            _run(con, f"COMMENT ON COLUMN \"{table}\".\"{col}\" IS '{text.replace(chr(39), chr(39) * 2)}'")


# ---------------------------------------------------------------- dbt-like SQL models

@dataclass(frozen=True)
class SqlModel:
    name: str
    layer: str
    path: Path
    sql: str
    deps: tuple[str, ...]
    description: str
    column_docs: dict[str, str]
    incremental_by: str | None = None  # "-- materialized: incremental by document_id"


def _parse_header(sql: str) -> tuple[str, dict[str, str]]:
    """Leading `--` comment lines: first paragraph is the description, `-- @col: text` lines document columns,
    `-- materialized: ...` is configuration (read by _materialization)."""
    desc, cols = [], {}
    for line in sql.splitlines():
        s = line.strip()
        if not s.startswith("--"):
            if s:
                break
            continue
        body = s[2:].strip()
        if body.startswith("materialized:"):
            continue
        if body.startswith("@") and ":" in body:
            col, _, text = body[1:].partition(":")
            cols[col.strip()] = text.strip()
        elif body:
            desc.append(body)
    return " ".join(desc), cols


def sql_dependencies(sql: str) -> tuple[str, ...]:
    """Tables a model reads, from the SQL itself (CTE names excluded)."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    names = {t.name for t in tree.find_all(exp.Table) if t.name and t.name not in ctes}
    return tuple(sorted(names))


def load_models(sql_dir: Path = SQL_DIR) -> list[SqlModel]:
    models = []
    for layer in LAYERS:
        for p in sorted((sql_dir / layer).glob("*.sql")):
            sql = p.read_text(encoding="utf-8")
            desc, cols = _parse_header(sql)
            if p.stem in CORE_MODELS:
                # the contract is the one place for a contracted table's column docs
                if cols:
                    raise ValueError(f"{p}: column docs belong in pipelines/contracts.py, not in -- @ lines")
                cols = column_docs(CORE_MODELS[p.stem])
            models.append(SqlModel(p.stem, layer, p, sql, sql_dependencies(sql), desc, cols, _materialization(p, sql)))
    return models


def _materialization(path: Path, sql: str) -> str | None:
    """`-- materialized: incremental by <column>`: the model's rows for one value of <column> (a document) depend
    only on the rows with that value in the upstream tables that have the column, and on the whole of those that
    do not. Then a run replaces only the documents whose upstream rows changed."""
    for line in sql.splitlines():
        s = line.strip()
        if s.startswith("--") and s[2:].strip().startswith("materialized:"):
            words = s[2:].strip().removeprefix("materialized:").split()
            if words[:2] != ["incremental", "by"] or len(words) != 3:
                raise ValueError(f"{path}: write '-- materialized: incremental by <column>', not {s!r}")
            return words[2]
    return None


@dataclass
class ModelRun:
    rows: int
    mode: str  # full | incremental
    units_changed: int | None = None  # incremental: documents whose rows were replaced
    reason: str = ""  # full: why


MODEL_STATE = "_model_state"  # (model, version): the SQL and the whole-table inputs of the last full build
MODEL_INPUTS = "_model_inputs"  # (model, unit, fingerprint): each document's upstream rows at the last build


def _columns_of(con, table: str) -> set[str]:
    return {c for (c,) in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
                                      "AND schema_name = 'main' AND database_name = current_database()",
                                      [table]).fetchall()}


def _input_fingerprints(con, model: SqlModel, key: str) -> str:
    """Creates temp table _inputs(unit, fingerprint) over the upstreams that have `key`; returns the fingerprint
    of the SQL and of the upstreams that do not."""
    import hashlib

    scoped, whole = [], []
    for d in model.deps:
        (scoped if key in _columns_of(con, d) else whole).append(d)
    used = _identifiers(model.sql)

    def row_hash(table: str) -> str:
        # only the columns the SQL can read (every identifier it names; all of them after a SELECT *)
        cols = sorted(_columns_of(con, table) if used is None else _columns_of(con, table) & used)
        return "hash(t)" if used is None or not cols else "hash(" + ", ".join(f't."{c}"' for c in cols) + ")"

    h = hashlib.sha256(model.sql.encode())
    for d in whole:
        h.update(d.encode())
        h.update(str(con.execute(f'SELECT count(*), sum({row_hash(d)}) FROM "{d}" t').fetchall()[0]).encode())
    parts = " UNION ALL ".join(
        f"SELECT '{d}' AS tbl, \"{key}\" AS unit, count(*) AS n, sum({row_hash(d)}) AS h FROM \"{d}\" t GROUP BY 2"
        for d in scoped)
    _run(con, "CREATE OR REPLACE TEMP TABLE _inputs AS SELECT unit, md5(string_agg(tbl || ':' || n || ':' || h, '|' "
              f"ORDER BY tbl)) AS fingerprint FROM ({parts}) GROUP BY unit")
    return h.hexdigest()[:16]


def _identifiers(sql: str) -> set[str] | None:
    """Every column name the SQL mentions, or None when it selects * (then it may read any column)."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    if any(isinstance(s.parent, exp.Select) or isinstance(s.parent, exp.Column) for s in tree.find_all(exp.Star)):
        return None
    return {c.name for c in tree.find_all(exp.Column)} | {i.name for i in tree.find_all(exp.Identifier)}


def _restricted(sql: str, tables: list[str], key: str) -> str:
    """The model's SQL reading only the changed documents' rows of `tables` (each becomes a filtered subquery
    under the same alias), so an incremental run computes a few documents instead of filtering a full result."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    for t in list(tree.find_all(exp.Table)):
        if t.name in tables and not t.args.get("db"):
            sub = (sqlglot.select("*").from_(exp.to_table(t.name))
                   .where(f'"{key}" IN (SELECT unit FROM _changed)').subquery(t.alias_or_name))
            t.replace(sub)
    return tree.sql(dialect="duckdb")


def run_model_detail(con, model: SqlModel) -> ModelRun:
    body = "\n".join(ln for ln in model.sql.splitlines() if not ln.strip().startswith("--")).strip().rstrip(";")
    key = model.incremental_by
    if key is None:
        _run(con, f'CREATE OR REPLACE TABLE "{model.name}" AS {body}')
        apply_comments(con, model.name, model.column_docs, model.description)
        return ModelRun(con.execute(f'SELECT count(*) FROM "{model.name}"').fetchall()[0][0], "full")
    _run(con, f'CREATE TABLE IF NOT EXISTS "{MODEL_STATE}" (model VARCHAR, version VARCHAR)')
    _run(con, f'CREATE TABLE IF NOT EXISTS "{MODEL_INPUTS}" (model VARCHAR, unit VARCHAR, fingerprint VARCHAR)')
    version = _input_fingerprints(con, model, key)
    old = con.execute(f'SELECT version FROM "{MODEL_STATE}" WHERE model = ?', [model.name]).fetchall()
    reason = ("first build" if not old else "SQL or a whole-table input changed" if old[0][0] != version else
              "table missing" if not _columns_of(con, model.name) else "")
    if not reason:
        _run(con, f'CREATE OR REPLACE TEMP TABLE _changed AS SELECT coalesce(i.unit, m.unit) AS unit FROM _inputs i '
                  f'FULL JOIN (SELECT unit, fingerprint FROM "{MODEL_INPUTS}" WHERE model = ?) m '
                  "ON i.unit IS NOT DISTINCT FROM m.unit WHERE i.fingerprint IS DISTINCT FROM m.fingerprint",
             [model.name])
        changed = con.execute("SELECT count(*), count(*) - count(unit) FROM _changed").fetchall()[0]
        if changed[1]:
            reason = f"rows without {key} changed"
    if reason:
        _run(con, f'CREATE OR REPLACE TABLE "{model.name}" AS {body}')
        apply_comments(con, model.name, model.column_docs, model.description)
        _run(con, f'DELETE FROM "{MODEL_INPUTS}" WHERE model = ?', [model.name])
        _run(con, f'INSERT INTO "{MODEL_INPUTS}" SELECT ?, unit, fingerprint FROM _inputs', [model.name])
        _run(con, f'DELETE FROM "{MODEL_STATE}" WHERE model = ?', [model.name])
        _run(con, f'INSERT INTO "{MODEL_STATE}" VALUES (?, ?)', [model.name, version])
        run = ModelRun(0, "full", reason=reason)
    else:
        _run(con, f'DELETE FROM "{model.name}" WHERE "{key}" IN (SELECT unit FROM _changed)')
        if changed[0]:
            scoped = [d for d in model.deps if key in _columns_of(con, d)]
            _run(con, f'INSERT INTO "{model.name}" SELECT * FROM ({_restricted(body, scoped, key)}) AS m '
                      f'WHERE m."{key}" IN (SELECT unit FROM _changed)')
        _run(con, f'DELETE FROM "{MODEL_INPUTS}" WHERE model = ? AND unit IN (SELECT unit FROM _changed)', [model.name])
        _run(con, f'INSERT INTO "{MODEL_INPUTS}" SELECT ?, unit, fingerprint FROM _inputs '
                  "WHERE unit IN (SELECT unit FROM _changed)", [model.name])
        run = ModelRun(0, "incremental", units_changed=changed[0])
    _run(con, "DROP TABLE IF EXISTS _inputs")
    _run(con, "DROP TABLE IF EXISTS _changed")
    run.rows = con.execute(f'SELECT count(*) FROM "{model.name}"').fetchall()[0][0]
    return run


def run_model(con, model: SqlModel) -> int:
    return run_model_detail(con, model).rows


# ---------------------------------------------------------------- publishing

def publish(build_db: Path, target: Path, tables: list[str] | None = None, keep: set[str] | None = None) -> Path:
    """Copy the build into a fresh file beside the target, then os.replace: readers holding the old
    file keep their snapshot, new readers see the new file whole, a failure leaves the old file.
    With `keep`, a table of the build that no asset makes any more (a renamed model) is left out."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".governance.", suffix=".duckdb.tmp", dir=target.parent)
    os.close(fd)
    os.unlink(tmp_name)
    tmp = Path(tmp_name)
    try:
        if tables is None:
            # the whole build: checkpoint it and copy the file (seconds for a GB, where COPY FROM DATABASE
            # rewrites every row), then drop the bookkeeping of incremental staging, which is not for analysts
            src = duckdb.connect(str(build_db))
            try:
                _run(src, "CHECKPOINT")
            finally:
                src.close()
            shutil.copyfile(build_db, tmp)
            dst = duckdb.connect(str(tmp))
            try:
                for (t,) in dst.execute("SELECT table_name FROM duckdb_tables()").fetchall():
                    if t.startswith("_") or (keep is not None and t not in keep):
                        _run(dst, f'DROP TABLE "{t}"')
                _run(dst, "CHECKPOINT")
            finally:
                dst.close()
        else:
            dst = duckdb.connect(str(tmp))
            try:
                _run(dst, f"ATTACH '{build_db}' AS build (READ_ONLY)")
                for n in tables:
                    _run(dst, f'CREATE TABLE "{n}" AS SELECT * FROM build."{n}"')
                _run(dst, "DETACH build")
                _run(dst, "CHECKPOINT")
            finally:
                dst.close()
        os.replace(tmp, target)
    except BaseException:
        if tmp.exists():
            tmp.unlink()
        raise
    return target


# ---------------------------------------------------------------- normalisation, scores, reference seeds

REFERENCE_SEEDS = {
    "stg_ref_provinces": "provinces_63.csv",
    "stg_ref_provinces_dissolved": "provinces_dissolved.csv",
    "stg_ref_merger_2025": "merger_2025.csv",
    "stg_ref_indicators": "indicators.csv",
    "stg_ref_papi_score_columns": "papi_score_columns.csv",
    "stg_ref_agencies": "agencies.csv",
}


def reference_frames() -> dict[str, pl.DataFrame]:
    """The reference seeds as text tables (casts happen in the dim_ models)."""
    from .domain.provinces import REFERENCE_DIR

    return {name: pl.read_csv(REFERENCE_DIR / fname, infer_schema=False) for name, fname in REFERENCE_SEEDS.items()}


@dataclass
class StagedScores:
    files: pl.DataFrame
    scores: pl.DataFrame
    par_published: pl.DataFrame
    sipas_published: pl.DataFrame
    quarantine: pl.DataFrame
    findings: pl.DataFrame


def stage_scores(files: list[RawFile] | None = None, settings: Settings | None = None) -> StagedScores:
    """Every score file (those under `settings`' raw roots unless given), loaded, checked against the contracts and
    ranked by root order."""
    import hashlib

    from .domain.ingest import raw_roots
    from .domain.scores import ScoreLoad, apply_contracts, load_score_file, par_published_rows, sipas_published_rows
    from .domain.scores import _q as score_quarantine

    settings = Settings.from_env() if settings is None else settings
    files = discover("scores", settings=settings) if files is None else files
    listing, scores, quarantine, findings = [], [], [], []
    loaded = []
    for f in files:
        try:
            data = read_raw(f, settings.max_file_bytes)  # a FIFO, link loop or huge file is quarantined here, never opened by a loader
        except RawReadError as e:
            layout, res, data = "unreadable", ScoreLoad(), b""
            res.quarantine.append(score_quarantine(f, None, str(e), None))
        else:
            layout, res = load_score_file(f)
        loaded.append((f, layout, res, hashlib.sha256(data).hexdigest() if data else None, data))
    # per index and scale, and which file keeps a year given twice: the raw roots in their order (raw/ first, then
    # GOVDATA_RAW_EXTRA in order; discover() sorts roots by name), then the path
    order = {r.resolve(): i for i, r in enumerate(raw_roots(settings))}
    first_seen = {}
    for f, *_ in loaded:
        first_seen.setdefault(f.root.resolve(), len(order) + len(first_seen))
    ranked = sorted(loaded, key=lambda t: (order.get(t[0].root.resolve(), first_seen[t[0].root.resolve()]),
                                           t[0].source_path))
    apply_contracts([(f, sha, res) for f, _, res, sha, _ in ranked])
    for f, layout, res, _, data in loaded:
        scores.extend(res.scores)
        quarantine.extend(res.quarantine)
        findings.extend(res.findings)
        listing.append({"raw_root": f.root_label, "source_path": f.source_path, "layout": layout,
                        "size_bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                        "n_scores": len(res.scores), "n_quarantined": len(res.quarantine),
                        "n_skipped_rows": res.skipped_rows, "read_as": res.layout_note})
    files_df = pl.DataFrame(listing, schema={"raw_root": pl.String, "source_path": pl.String, "layout": pl.String,
                                             "size_bytes": pl.Int64, "sha256": pl.String, "n_scores": pl.Int64,
                                             "n_quarantined": pl.Int64, "n_skipped_rows": pl.Int64,
                                             "read_as": pl.String})
    return StagedScores(files_df, _frame(scores, "stg_index_scores"), _frame(par_published_rows(), "stg_par_published"),
                        _frame(sipas_published_rows(), "stg_sipas_published"),
                        _frame(quarantine, "stg_score_quarantine"), _frame(findings, "stg_score_findings"))


def publish_marts(build_db: Path, marts_dir: Path, build_id: str | None = None) -> dict[str, int]:
    """Every mart_ table and the dimensions they join with, as self-describing zstd Parquet under
    marts/<table>/ (descriptions, source, licence, keys and build id in the files; see pipelines/marts_export.py),
    and marts/datapackage.json. All are written into a fresh folder first, then swapped in: a failure leaves the
    old marts. Returns rows per exported table."""
    import shutil

    from .marts_export import export_tables, new_build_id

    build_id = build_id or new_build_id()
    descriptions = {m.name: m.description for m in load_models()}
    marts_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".marts.", dir=marts_dir.parent))
    try:
        con = duckdb.connect(str(build_db), read_only=True)
        try:
            counts = export_tables(con, tmp, build_id, descriptions)
        finally:
            con.close()
        old = None
        if marts_dir.exists():
            old = marts_dir.with_name(f".marts.old.{os.getpid()}")
            os.replace(marts_dir, old)
        os.replace(tmp, marts_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return counts


def models_in_dependency_order(models: list[SqlModel] | None = None) -> list[SqlModel]:
    """The SQL models so that each comes after the models it reads (as Dagster orders the assets)."""
    models = load_models() if models is None else models
    by_name = {m.name: m for m in models}
    done: list[SqlModel] = []
    seen: set[str] = set()

    def visit(m: SqlModel, path: tuple[str, ...] = ()) -> None:
        if m.name in seen:
            return
        if m.name in path:
            raise ValueError(f"dependency cycle: {' -> '.join(path + (m.name,))}")
        for d in m.deps:
            if d in by_name:
                visit(by_name[d], path + (m.name,))
        seen.add(m.name)
        done.append(m)

    for m in models:
        visit(m)
    return done
