"""Metadata every asset carries: row count, a markdown preview, the column schema."""

from __future__ import annotations

import dagster as dg
import polars as pl


def _cell(v) -> str:
    s = "" if v is None else str(v)
    s = s.replace("|", "\\|").replace("\n", " ")
    return s if len(s) <= 60 else s[:57] + "..."


def markdown_preview(df: pl.DataFrame, n: int = 5, max_cols: int = 10) -> str:
    cols = df.columns[:max_cols]
    head = "| " + " | ".join(cols) + " |\n|" + "---|" * len(cols) + "\n"
    body = "".join("| " + " | ".join(_cell(r[c]) for c in cols) + " |\n" for r in df.head(n).iter_rows(named=True))
    return head + body


def table_metadata(df: pl.DataFrame, docs: dict[str, str] | None = None, row_count: int | None = None, **extra) -> dict:
    """`df` may be the first rows only, with the table's `row_count` given."""
    docs = docs or {}
    schema = dg.TableSchema(
        columns=[dg.TableColumn(name=c, type=str(t), description=docs.get(c) or None) for c, t in df.schema.items()]
    )
    return {
        "dagster/row_count": df.height if row_count is None else row_count,
        "dagster/column_schema": schema,
        "preview": dg.MetadataValue.md(markdown_preview(df)),
        **extra,
    }


def table_metadata_from_db(con, table: str, docs: dict[str, str] | None = None, **extra) -> dict:
    """Metadata of a DuckDB table without loading it: count, first rows, schema."""
    n = con.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0]
    head = con.sql(f'SELECT * FROM "{table}" LIMIT 5').pl()
    return table_metadata(head, docs, row_count=n, **extra)
