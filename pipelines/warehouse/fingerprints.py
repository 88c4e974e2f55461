"""Fingerprints of a SQL model's inputs, per document and whole-table, so an incremental model replaces only the
documents whose upstream rows changed (pipelines/warehouse/sql_models.py)."""

from __future__ import annotations

import hashlib

import sqlglot
from sqlglot import exp

from pipelines.warehouse.db import columns_of, run_sql

MODEL_STATE = "_model_state"  # (model, version): the SQL and the whole-table inputs of the last full build
MODEL_INPUTS = "_model_inputs"  # (model, unit, fingerprint): each document's upstream rows at the last build


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


def identifiers(sql: str) -> set[str] | None:
    """Every column name the SQL mentions, or None when it selects * (then it may read any column)."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    if any(isinstance(s.parent, exp.Select) or isinstance(s.parent, exp.Column) for s in tree.find_all(exp.Star)):
        return None
    return {c.name for c in tree.find_all(exp.Column)} | {i.name for i in tree.find_all(exp.Identifier)}


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
