"""Pandera contracts on warehouse tables, without holding a national archive in memory or re-checking what has
not changed.

- A table with a `document_id` column is validated in slices of whole documents (at most SLICE_ROWS rows each):
  every rule of these contracts is about one row or one document, so a slice holding whole documents gives the
  same verdict as the whole table, at a fraction of the memory.
- Content-addressed: a document's rows are fingerprinted in DuckDB (row count + sum of row hashes). Rows that
  passed this contract before with the same fingerprint are not validated again, so adding one document to a
  20,000-document warehouse validates that document's rows. The contract's code is part of the key: changing a
  model re-validates everything.
- Uniqueness across the whole table (a model's `unique` fields and `Config.unique`) is checked in SQL over all
  rows, since a slice only sees its own documents.
- Tables without `document_id` (dimensions, marts, reference) are small and validated whole, unless the same
  rows (a whole-table fingerprint) passed the same contract before.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache

import pandera.errors as pa_errors
import polars as pl

from pipelines.settings import PROJECT_DIR
from pipelines.warehouse.db import columns_of, run_sql
from pipelines.warehouse.fingerprints import table_fingerprint

STATE = "_validated_documents"  # (table_name, contract, document_id, n_rows, fingerprint) that passed
TABLE_STATE = "_validated_tables"  # (table_name, contract, fingerprint): a table without document_id that passed
SLICE_ROWS = 100_000  # a slice's frame and Pandera's copies beside the writer's 640 MB: the build within 1 GB


def pandera_failures(model, df: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """None when the frame passes; else (failure cases, the failing rows with their row number)."""
    try:
        model.validate(df, lazy=True)
    except pa_errors.SchemaErrors as e:
        fc = e.failure_cases
        idx = sorted({int(i) for i in fc["index"].drop_nulls().to_list()}) if "index" in fc.columns else []
        rows = df.with_row_index("row").filter(pl.col("row").is_in(idx))
        return fc, rows
    return None


@lru_cache(maxsize=1)
def contract_code_version() -> str:
    """Hash of the files that define the contracts (and pandera's version): a change re-validates every row."""
    import pandera

    h = hashlib.sha256(pandera.__version__.encode())
    quality = PROJECT_DIR / "pipelines" / "quality"
    contracts = sorted((PROJECT_DIR / "dbt_like_sql").rglob("*.py"))  # each table's contract beside its SQL
    for p in (quality / "schemas.py", quality / "contract_rules.py", *contracts):
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def unique_keys(model) -> list[list[str]]:
    """Every column set the model declares unique."""
    schema = model.to_schema()
    keys = [[name] for name, col in schema.columns.items() if col.unique]
    if schema.unique:
        keys.append(list(schema.unique) if not isinstance(schema.unique, str) else [schema.unique])
    return keys


@dataclass
class Validation:
    table: str
    contract: str
    rows_in_table: int
    rows_validated: int = 0
    documents_validated: int = 0
    documents_reused: int = 0  # documents whose rows passed this contract before, unchanged since
    slices: int = 0
    failure_cases: list[pl.DataFrame] = field(default_factory=list)
    failing_rows: list[pl.DataFrame] = field(default_factory=list)
    duplicate_keys: dict[str, pl.DataFrame] = field(default_factory=dict)  # "a, b" -> duplicated values

    @property
    def passed(self) -> bool:
        return not self.failure_cases and not self.duplicate_keys

    def cases(self) -> pl.DataFrame | None:
        return pl.concat(self.failure_cases, how="diagonal_relaxed") if self.failure_cases else None

    def rows(self) -> pl.DataFrame | None:
        return pl.concat(self.failing_rows, how="diagonal_relaxed") if self.failing_rows else None


_WHERE_COLUMNS = ["source_path", "source_ref", "line_start", "line", "document_id", "related_id"]


def failure_summary(v: Validation, n: int = 20) -> str:
    """What a failed contract says on the command line: the table, the failed checks, and the first `n` failing
    rows each with its source file and line (or cell) where the table has them."""
    lines = [f"BLOCKING CHECK FAILED: table {v.table}, contract {v.contract}"]
    fc, rows = v.cases(), v.rows()
    if fc is not None:
        checks = fc.group_by("column", "check").len().sort("len", descending=True)
        lines.append(
            "  failed checks: "
            + "; ".join(
                f"{r['check']} on {r['column']} ({r['len']} cases)" for r in checks.head(10).iter_rows(named=True)
            )
        )
    if rows is not None and rows.height:
        where = [c for c in _WHERE_COLUMNS if c in rows.columns]
        first = [c for c in ("indicator_code", "year", "score", "value", "province_key", "level") if c in rows.columns]
        shown = (first + [c for c in rows.columns if c not in where and c not in first and c != "row"])[:8]
        lines.append(f"  first {min(n, rows.height)} of {rows.height} failing rows:")
        for r in rows.head(n).iter_rows(named=True):
            at = ", ".join(f"{c}={r[c]}" for c in where if r.get(c) is not None) or "no source column"
            lines.append(f"    [{at}] " + ", ".join(f"{c}={r[c]!r}" for c in shown))
    for key, dups in v.duplicate_keys.items():
        lines.append(
            f"  duplicated key ({key}): "
            + "; ".join(str(tuple(r.values())) for r in dups.head(n).iter_rows(named=True))
        )
    return "\n".join(lines)


def _duplicates(con, table: str, model, out: Validation, only_changed: bool) -> None:
    """Duplicated keys over the whole table. When the table passed before and only some documents changed, a new
    duplicate must involve a changed row, so only the keys of those rows are counted (over all rows)."""
    for key in unique_keys(model):
        cols = ", ".join(f'"{c}"' for c in key)
        where = ""
        if only_changed:
            match = " AND ".join(f't."{c}" IS NOT DISTINCT FROM k."{c}"' for c in key)
            where = (
                f' t WHERE EXISTS (SELECT 1 FROM (SELECT DISTINCT {cols} FROM "{table}" c WHERE EXISTS '
                f"(SELECT 1 FROM _todo d WHERE d.document_id IS NOT DISTINCT FROM c.document_id)) k WHERE {match})"
            )
        dups = con.sql(
            f'SELECT {cols}, count(*) AS n FROM "{table}"{where} GROUP BY ALL HAVING count(*) > 1 '
            f"ORDER BY n DESC LIMIT 50"
        ).pl()
        if dups.height:
            out.duplicate_keys[", ".join(key)] = dups


def validate_table(con, table: str, model, slice_rows: int = SLICE_ROWS, incremental: bool = True) -> Validation:
    """Validate `table` against its Pandera model (see the module docstring). Records the documents that passed
    in STATE, so the connection must be the writer's."""
    contract = f"{model.__name__}@{contract_code_version()}"
    n_rows = con.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0]
    out = Validation(table, contract, n_rows)
    if "document_id" not in columns_of(con, table):
        # content-addressed too: the same rows passed this contract before (a whole-table fingerprint)
        run_sql(
            con,
            f'CREATE TABLE IF NOT EXISTS "{TABLE_STATE}" (table_name VARCHAR, contract VARCHAR, fingerprint VARCHAR)',
        )
        fingerprint = table_fingerprint(con, table)
        passed = con.execute(
            f'SELECT count(*) FROM "{TABLE_STATE}" WHERE table_name = ? AND contract = ? AND fingerprint = ? AND ?',
            [table, contract, fingerprint, incremental],
        ).fetchall()[0][0]
        if passed:
            out.documents_reused = 1
            return out
        _collect(out, model, con.sql(f'SELECT * FROM "{table}"').pl())
        if out.passed:
            run_sql(con, f'DELETE FROM "{TABLE_STATE}" WHERE table_name = ?', [table])
            run_sql(con, f'INSERT INTO "{TABLE_STATE}" VALUES (?, ?, ?)', [table, contract, fingerprint])
        return out

    run_sql(
        con,
        f'CREATE TABLE IF NOT EXISTS "{STATE}" (table_name VARCHAR, contract VARCHAR, document_id VARCHAR, '
        "n_rows BIGINT, fingerprint HUGEINT)",
    )
    run_sql(
        con,
        "CREATE OR REPLACE TEMP TABLE _fingerprints AS SELECT document_id, count(*) AS n_rows, "
        f'sum(hash(t)) AS fingerprint FROM "{table}" t GROUP BY document_id',
    )
    run_sql(
        con,
        f"CREATE OR REPLACE TEMP TABLE _todo AS SELECT f.* FROM _fingerprints f WHERE NOT EXISTS ("
        f'SELECT 1 FROM "{STATE}" v WHERE v.table_name = ? AND v.contract = ? AND ? '
        "AND v.document_id IS NOT DISTINCT FROM f.document_id AND v.n_rows = f.n_rows "
        "AND v.fingerprint = f.fingerprint)",
        [table, contract, incremental],
    )
    n_docs, n_todo = con.execute(
        "SELECT (SELECT count(*) FROM _fingerprints), (SELECT count(*) FROM _todo)"
    ).fetchall()[0]
    out.documents_validated, out.documents_reused = n_todo, n_docs - n_todo
    if n_todo:
        scope = (
            "true"
            if n_todo == n_docs
            else ("EXISTS (SELECT 1 FROM _todo d WHERE d.document_id IS NOT DISTINCT FROM t.document_id)")
        )
        rows_todo = con.execute("SELECT sum(n_rows) FROM _todo").fetchall()[0][0]
        k = max(1, -(-rows_todo // slice_rows))
        # k slices of whole documents (by a hash of the id): memory stays at about one slice
        for i in range(k):
            part = f" AND hash(t.document_id) % {k} = {i}" if k > 1 else ""
            _collect(out, model, con.sql(f'SELECT t.* FROM "{table}" t WHERE {scope}{part}').pl())
    if n_todo:  # every row passed before with no duplicate among them all, and rows only left since: none now
        _duplicates(con, table, model, out, only_changed=n_todo < n_docs)
    if out.passed:  # every document now in the table has passed: the unchanged before, the others now
        run_sql(con, f'DELETE FROM "{STATE}" WHERE table_name = ?', [table])
        run_sql(
            con,
            f'INSERT INTO "{STATE}" SELECT ?, ?, document_id, n_rows, fingerprint FROM _fingerprints',
            [table, contract],
        )
    run_sql(con, "DROP TABLE IF EXISTS _todo")
    run_sql(con, "DROP TABLE IF EXISTS _fingerprints")
    return out


def _collect(out: Validation, model, df: pl.DataFrame) -> None:
    out.rows_validated += df.height
    out.slices += 1
    failed = pandera_failures(model, df)
    if failed is not None:
        out.failure_cases.append(failed[0])
        out.failing_rows.append(failed[1])
