"""Blocking checks: a Pandera contract on every table, keys and foreign keys on core tables and marts.
A failing blocking check stops the downstream publish, so a broken table never reaches analysts."""

from typing import Any

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets._meta import markdown_preview
from pipelines.quality.contracts import CORE_MODELS
from pipelines.quality.schemas import STAGING_MODELS
from pipelines.quality.validation import failure_summary, validate_table


def _pandera_check(table: str, model) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=table,
        name=f"pandera_{table}",
        blocking=True,
        description=f"Pandera contract {model.__name__}: types, nulls, allowed values, ranges, unique keys. "
        "Rows of documents that passed before unchanged are not validated again "
        "(pipelines/quality/validation.py).",
    )
    def _check(context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource) -> dg.AssetCheckResult:
        with duckdb.get_connection() as con:
            v = validate_table(con, table, model)
        meta: dict[str, Any] = {
            "contract": v.contract,
            "rows_in_table": v.rows_in_table,
            "rows_validated": v.rows_validated,
            "documents_validated": v.documents_validated,
            "documents_unchanged_since_passing": v.documents_reused,
            "slices": v.slices,
        }
        if v.passed:
            return dg.AssetCheckResult(passed=True, metadata=meta)
        fc, rows = v.cases(), v.rows()
        if fc is not None:
            assert rows is not None  # the failing rows come with the failure cases
            by_check = fc.group_by("column", "check").len().sort("len", descending=True)
            meta.update(
                {
                    "n_failure_cases": fc.height,
                    "n_failing_rows": rows.height,
                    "failed_checks": dg.MetadataValue.md(markdown_preview(by_check, n=30)),
                    "failure_cases": dg.MetadataValue.md(markdown_preview(fc, n=20)),
                    "failing_rows": dg.MetadataValue.md(markdown_preview(rows, n=20, max_cols=12)),
                }
            )
        for key, dups in v.duplicate_keys.items():
            meta[f"duplicate_{key.replace(', ', '_')}"] = dg.MetadataValue.md(markdown_preview(dups, n=20))
        summary = failure_summary(v)
        context.log.error(summary)  # `make run` prints these lines when the run fails
        return dg.AssetCheckResult(passed=False, metadata=meta, description=summary[:4000])

    return _check


# (table, key columns, [(fk column, parent table, parent key)])
CORE_KEYS = [
    (
        "fct_plan_task",
        ["task_id"],
        [
            ("document_id", "dim_document", "document_id"),
            ("indicator_code", "dim_indicator", "indicator_code"),
            ("subindicator_code", "dim_indicator", "indicator_code"),
        ],
    ),
    ("dim_document", ["document_id"], [("province_key", "dim_province", "province_key")]),
    # against staging: dim_document counts the findings, so it is built after dq_finding
    ("dq_finding", ["finding_id"], [("document_id", "stg_documents", "document_id")]),
    ("quarantine", ["raw_root", "source_path", "stage", "source_ref"], []),
    ("dim_province", ["province_key"], [("successor_key", "dim_province", "province_key")]),
    ("dim_indicator", ["indicator_code"], [("parent_code", "dim_indicator", "indicator_code")]),
    ("dim_agency", ["agency_id"], [("province_key", "dim_province", "province_key")]),
    (
        "bridge_task_agency",
        ["task_id", "agency_id", "role"],
        [("task_id", "fct_plan_task", "task_id"), ("agency_id", "dim_agency", "agency_id")],
    ),
    (
        "fct_plan_target",
        ["target_id"],
        [
            ("document_id", "dim_document", "document_id"),
            ("task_id", "fct_plan_task", "task_id"),
            ("indicator_code", "dim_indicator", "indicator_code"),
            ("province_key", "dim_province", "province_key"),
        ],
    ),
    (
        "fct_indicator_score",
        ["province_key", "year", "indicator_code", "source", "source_ref"],
        [
            ("province_key", "dim_province", "province_key"),
            ("indicator_code", "dim_indicator", "indicator_code"),
            ("document_id", "dim_document", "document_id"),
        ],
    ),
    ("ref_methodology_break", ["indicator_code", "year"], [("indicator_code", "dim_indicator", "indicator_code")]),
    ("mart_province_scores", ["province_key", "year", "indicator_code"], []),
    ("mart_plan_coverage", ["document_id", "indicator_code"], []),
    ("mart_agency_workload", ["province_key", "agency_id", "role"], []),
    ("mart_target_vs_actual", ["target_id"], []),
    ("mart_index_panel", ["province_key", "year"], [("province_key", "dim_province", "province_key")]),
    ("mart_score_change", ["province_key", "indicator_code", "base_year", "year"], []),
    (
        "mart_scores_2025_units",
        ["unit_2025_key", "year", "indicator_code"],
        [("unit_2025_key", "dim_province", "province_key"), ("indicator_code", "dim_indicator", "indicator_code")],
    ),
]


def key_check(table: str, keys: list[str], fks: list[tuple[str, str, str]]) -> dg.AssetChecksDefinition:
    parents = sorted({p for _c, p, _k in fks if p != table})

    # the parents are extra deps, so the check waits until they are built in the same run
    @dg.asset_check(
        asset=table,
        name=f"keys_{table}",
        blocking=True,
        additional_deps=parents,
        description=f"Grain ({', '.join(keys)}) is unique; every foreign key resolves.",
    )
    def _check(duckdb: DuckDBResource) -> dg.AssetCheckResult:
        problems = {}
        with duckdb.get_connection() as con:
            k = ", ".join(keys)
            dups = con.sql(f'SELECT {k}, count(*) AS n FROM "{table}" GROUP BY {k} HAVING count(*) > 1').pl()
            if dups.height:
                problems["duplicate_keys"] = dg.MetadataValue.md(markdown_preview(dups, n=20))
            for col, parent, pkey in fks:
                orphans = con.sql(
                    f'SELECT t.{col}, count(*) AS n FROM "{table}" t LEFT JOIN "{parent}" p ON t.{col} = p.{pkey} '
                    f"WHERE t.{col} IS NOT NULL AND p.{pkey} IS NULL GROUP BY 1"
                ).pl()
                if orphans.height:
                    problems[f"orphan_{col}"] = dg.MetadataValue.md(markdown_preview(orphans, n=20))
        return dg.AssetCheckResult(passed=not problems, metadata=problems or {"ok": True})

    return _check


def build_checks() -> list[dg.AssetChecksDefinition]:
    return [_pandera_check(t, m) for t, m in {**STAGING_MODELS, **CORE_MODELS}.items()] + [
        key_check(*c) for c in CORE_KEYS
    ]
