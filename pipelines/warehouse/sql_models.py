"""dbt-like SQL models: read from dbt_like_sql/<layer>/*.sql (description, column docs and materialisation in
their leading comments, dependencies from the SQL itself) and run into the build database, in full or, for a
model `-- materialized: incremental by <column>`, for the changed documents only."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import sqlglot
from sqlglot import exp

from pipelines.quality.contracts import CORE_MODELS, LAYERS, SQL_DIR
from pipelines.quality.schemas import column_docs
from pipelines.warehouse.db import apply_comments, columns_of, run_sql
from pipelines.warehouse.fingerprints import (
    MODEL_INPUTS,
    MODEL_STATE,
    input_fingerprints,
    record_built,
    restricted_to_changed,
    unchanged_since_built,
    whole_inputs_fingerprint,
)


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


@lru_cache(maxsize=256)
def sql_dependencies(sql: str) -> tuple[str, ...]:
    """Tables a model reads, from the SQL itself (CTE names excluded). Kept per SQL text: parsing every model
    took 0.25 s of each load_models (the publish reads the models' descriptions)."""
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
                    raise ValueError(
                        f"{p}: column docs belong in the contract beside the SQL (dbt_like_sql/<layer>/<table>.py), not in -- @ lines"
                    )
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
    mode: str  # full | incremental | unchanged (inputs as at its last build: not run)
    units_changed: int | None = None  # incremental: documents whose rows were replaced
    reason: str = ""  # full: why


def run_model_detail(con, model: SqlModel) -> ModelRun:
    body = "\n".join(ln for ln in model.sql.splitlines() if not ln.strip().startswith("--")).strip().rstrip(";")
    key = model.incremental_by
    if key is None:
        inputs = whole_inputs_fingerprint(con, model.sql, model.deps, [model.description, model.column_docs])
        if unchanged_since_built(con, model.name, inputs):
            rows = con.execute(f'SELECT count(*) FROM "{model.name}"').fetchall()[0][0]
            return ModelRun(rows, "unchanged", reason="its SQL, docs and input tables are those of its last build")
        run_sql(con, f'CREATE OR REPLACE TABLE "{model.name}" AS {body}')
        apply_comments(con, model.name, model.column_docs, model.description)
        record_built(con, model.name, inputs)
        return ModelRun(con.execute(f'SELECT count(*) FROM "{model.name}"').fetchall()[0][0], "full")
    run_sql(con, f'CREATE TABLE IF NOT EXISTS "{MODEL_STATE}" (model VARCHAR, version VARCHAR)')
    run_sql(con, f'CREATE TABLE IF NOT EXISTS "{MODEL_INPUTS}" (model VARCHAR, unit VARCHAR, fingerprint VARCHAR)')
    version = input_fingerprints(con, model.sql, model.deps, key)
    old = con.execute(f'SELECT version FROM "{MODEL_STATE}" WHERE model = ?', [model.name]).fetchall()
    reason = (
        "first build"
        if not old
        else "SQL or a whole-table input changed"
        if old[0][0] != version
        else "table missing"
        if not columns_of(con, model.name)
        else ""
    )
    if not reason:
        run_sql(
            con,
            f"CREATE OR REPLACE TEMP TABLE _changed AS SELECT coalesce(i.unit, m.unit) AS unit FROM _inputs i "
            f'FULL JOIN (SELECT unit, fingerprint FROM "{MODEL_INPUTS}" WHERE model = ?) m '
            "ON i.unit IS NOT DISTINCT FROM m.unit WHERE i.fingerprint IS DISTINCT FROM m.fingerprint",
            [model.name],
        )
        changed = con.execute("SELECT count(*), count(*) - count(unit) FROM _changed").fetchall()[0]
        if changed[1]:
            reason = f"rows without {key} changed"
    if reason:
        run_sql(con, f'CREATE OR REPLACE TABLE "{model.name}" AS {body}')
        apply_comments(con, model.name, model.column_docs, model.description)
        run_sql(con, f'DELETE FROM "{MODEL_INPUTS}" WHERE model = ?', [model.name])
        run_sql(con, f'INSERT INTO "{MODEL_INPUTS}" SELECT ?, unit, fingerprint FROM _inputs', [model.name])
        run_sql(con, f'DELETE FROM "{MODEL_STATE}" WHERE model = ?', [model.name])
        run_sql(con, f'INSERT INTO "{MODEL_STATE}" VALUES (?, ?)', [model.name, version])
        run = ModelRun(0, "full", reason=reason)
    else:
        run_sql(con, f'DELETE FROM "{model.name}" WHERE "{key}" IN (SELECT unit FROM _changed)')
        if changed[0]:
            scoped = [d for d in model.deps if key in columns_of(con, d)]
            run_sql(
                con,
                f'INSERT INTO "{model.name}" SELECT * FROM ({restricted_to_changed(body, scoped, key)}) AS m '
                f'WHERE m."{key}" IN (SELECT unit FROM _changed)',
            )
        run_sql(
            con, f'DELETE FROM "{MODEL_INPUTS}" WHERE model = ? AND unit IN (SELECT unit FROM _changed)', [model.name]
        )
        run_sql(
            con,
            f'INSERT INTO "{MODEL_INPUTS}" SELECT ?, unit, fingerprint FROM _inputs '
            "WHERE unit IN (SELECT unit FROM _changed)",
            [model.name],
        )
        run = ModelRun(0, "incremental", units_changed=changed[0])
    run_sql(con, "DROP TABLE IF EXISTS _inputs")
    run_sql(con, "DROP TABLE IF EXISTS _changed")
    run.rows = con.execute(f'SELECT count(*) FROM "{model.name}"').fetchall()[0][0]
    return run


def run_model(con, model: SqlModel) -> int:
    return run_model_detail(con, model).rows


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
