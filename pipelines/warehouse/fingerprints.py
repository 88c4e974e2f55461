"""Fingerprints of a SQL model's inputs, per document and whole-table, so an incremental model replaces only the
documents whose upstream rows changed (pipelines/warehouse/sql_models.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from functools import lru_cache

import sqlglot
from sqlglot import exp

from pipelines.warehouse.db import columns_of, run_sql

MODEL_STATE = "_model_state"  # (model, version): the SQL and the whole-table inputs of the last full build
MODEL_INPUTS = "_model_inputs"  # (model, unit, fingerprint): each document's upstream rows at the last build
# (model, inputs, output): a fully built model's SQL, docs and input tables, and its own rows, at its last build
MODEL_BUILT = "_model_built"
_DATE = re.compile(r"\b(current_date|current_timestamp|current_time|now|today|get_current_\w+)\b", re.IGNORECASE)
_RANDOM = re.compile(r"\b(random|uuid|gen_random_uuid|setseed)\b", re.IGNORECASE)


def table_fingerprint(con, table: str) -> str:
    """A table's columns and content: row count and sum of row hashes (empty when there is no such table)."""
    cols = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? AND schema_name = 'main' "
        "AND database_name = current_database() ORDER BY column_index",
        [table],
    ).fetchall()
    if not cols:
        return "missing"
    rows = con.execute(f'SELECT count(*), sum(hash(t)) FROM "{table}" t').fetchall()[0]
    return hashlib.sha256(repr((cols, rows)).encode()).hexdigest()


def whole_inputs_fingerprint(con, sql: str, deps: tuple[str, ...], extra: object) -> str:
    """The SQL, `extra` (its docs) and every input table's fingerprint: equal, the model would be built the same.
    SQL that reads the date is keyed by the date too; SQL that draws random numbers is never the same."""
    h = hashlib.sha256(sql.encode())
    if _RANDOM.search(sql):
        h.update(uuid.uuid4().bytes)
    if _DATE.search(sql):
        h.update(dt.datetime.now(dt.UTC).isoformat(timespec="hours").encode())
    h.update(repr(extra).encode())
    for d in deps:
        h.update(f"{d}={table_fingerprint(con, d)}".encode())
    return h.hexdigest()


def unchanged_since_built(con, model: str, inputs: str) -> bool:
    """The model's inputs are those of its last build and its table holds the rows that build made."""
    run_sql(con, f'CREATE TABLE IF NOT EXISTS "{MODEL_BUILT}" (model VARCHAR, inputs VARCHAR, output VARCHAR)')
    last = con.execute(f'SELECT inputs, output FROM "{MODEL_BUILT}" WHERE model = ?', [model]).fetchall()
    return bool(last) and last[0][0] == inputs and last[0][1] == table_fingerprint(con, model)


def record_built(con, model: str, inputs: str) -> None:
    run_sql(con, f'DELETE FROM "{MODEL_BUILT}" WHERE model = ?', [model])
    run_sql(con, f'INSERT INTO "{MODEL_BUILT}" VALUES (?, ?, ?)', [model, inputs, table_fingerprint(con, model)])


def input_fingerprints(con, sql: str, deps: tuple[str, ...], key: str) -> str:
    """Creates temp table _inputs(unit, fingerprint) over the upstreams (`deps`) that have `key`; returns the
    fingerprint of the SQL and of the upstreams that do not."""
    scoped: list[str] = []
    whole: list[str] = []
    for d in deps:
        (scoped if key in columns_of(con, d) else whole).append(d)
    used = identifiers(sql)

    def row_hash(table: str) -> str:
        # only the columns the SQL can read (every identifier it names; all of them after a SELECT *)
        cols = sorted(columns_of(con, table) if used is None else columns_of(con, table) & used)
        return "hash(t)" if used is None or not cols else "hash(" + ", ".join(f't."{c}"' for c in cols) + ")"

    h = hashlib.sha256(sql.encode())
    for d in whole:
        h.update(d.encode())
        h.update(str(con.execute(f'SELECT count(*), sum({row_hash(d)}) FROM "{d}" t').fetchall()[0]).encode())
    parts = " UNION ALL ".join(
        f'SELECT \'{d}\' AS tbl, "{key}" AS unit, count(*) AS n, sum({row_hash(d)}) AS h FROM "{d}" t GROUP BY 2'
        for d in scoped
    )
    run_sql(
        con,
        "CREATE OR REPLACE TEMP TABLE _inputs AS SELECT unit, md5(string_agg(tbl || ':' || n || ':' || h, '|' "
        f"ORDER BY tbl)) AS fingerprint FROM ({parts}) GROUP BY unit",
    )
    return h.hexdigest()[:16]


@lru_cache(maxsize=256)
def identifiers(sql: str) -> frozenset[str] | None:
    """Every column name the SQL mentions, or None when it selects * (then it may read any column)."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    if any(isinstance(s.parent, exp.Select) or isinstance(s.parent, exp.Column) for s in tree.find_all(exp.Star)):
        return None
    return frozenset({c.name for c in tree.find_all(exp.Column)} | {i.name for i in tree.find_all(exp.Identifier)})


def restricted_to_changed(sql: str, tables: list[str], key: str) -> str:
    """The model's SQL reading only the changed documents' rows of `tables` (each becomes a filtered subquery
    under the same alias), so an incremental run computes a few documents instead of filtering a full result."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    for t in list(tree.find_all(exp.Table)):
        if t.name in tables and not t.args.get("db"):
            sub = (
                sqlglot.select("*")
                .from_(exp.to_table(t.name))
                .where(f'"{key}" IN (SELECT unit FROM _changed)')
                .subquery(t.alias_or_name)
            )
            t.replace(sub)
    return tree.sql(dialect="duckdb")
