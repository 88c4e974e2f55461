"""One asset per dbt-like SQL model; dependencies are read from the SQL with sqlglot."""

from typing import Any

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets._meta import markdown_preview, table_metadata_from_db
from assets.resources import SettingsResource
from pipelines.quality.expectations import MARTS_WITH_SUITES
from pipelines.warehouse.sql_models import SqlModel, load_models, run_model_detail

OWNERS = ["team:governance-data"]


def _make(model: SqlModel, known: set[str]) -> dg.AssetsDefinition:
    @dg.asset(
        key=model.name,
        group_name=model.layer,
        kinds={"sql", "duckdb"},
        owners=OWNERS,
        description=f"{model.description}\n\nSQL: dbt_like_sql/{model.layer}/{model.path.name}",
        deps=[dg.AssetKey(d) for d in model.deps if d in known],
        retry_policy=dg.RetryPolicy(
            max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL
        ),  # a transient failure (a reader holding the file) is retried
    )
    def _asset(
        context: dg.AssetExecutionContext, duckdb: DuckDBResource, settings: SettingsResource
    ) -> dg.MaterializeResult:
        with duckdb.get_connection() as con:
            run = run_model_detail(con, model)
            extra: dict[str, Any] = {
                "materialized": run.mode
                if run.mode == "full" or run.units_changed is None
                else f"incremental: {run.units_changed} document(s) replaced"
            }
            if run.reason:
                extra["materialized"] += f" ({run.reason})"
            # aggregates in SQL: a national fact table is never loaded whole for its metadata
            if model.name == "dim_document":
                per_doc = con.sql(
                    "SELECT source_path, issuer_name, n_tasks, n_findings_error, n_findings_warning, "
                    "n_findings_info FROM dim_document ORDER BY source_path LIMIT 200"
                ).pl()
                extra["findings_by_document"] = dg.MetadataValue.md(markdown_preview(per_doc, n=200))
            if model.name == "dq_finding":
                by_rule = con.sql(
                    "SELECT severity, rule, count(*) AS len FROM dq_finding GROUP BY ALL ORDER BY severity, len DESC"
                ).pl()
                extra["findings_by_rule"] = dg.MetadataValue.md(markdown_preview(by_rule, n=100))
            if model.name in MARTS_WITH_SUITES:
                extra["data_docs"] = dg.MetadataValue.path(str(settings.get().gx_docs_dir / model.name / "index.html"))
            return dg.MaterializeResult(metadata=table_metadata_from_db(con, model.name, model.column_docs, **extra))

    return _asset


def build_sql_assets(python_tables: set[str]) -> list[dg.AssetsDefinition]:
    models = load_models()
    known = python_tables | {m.name for m in models}
    return [_make(m, known) for m in models]
