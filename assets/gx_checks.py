"""Great Expectations suites on the marts as blocking asset checks (suites: pipelines/quality/expectations.py)."""

from typing import Any

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets._meta import markdown_preview
from assets.resources import SettingsResource
from pipelines.quality.expectations import MARTS_WITH_SUITES, validate_mart_in_db


def _gx_check(mart: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=mart,
        name=f"gx_{mart}",
        blocking=True,
        description=f"Great Expectations suite {mart}_suite: row count and key coverage against the "
        f"upstream tables, value distributions, cross-column rules. Data Docs: "
        f"warehouse/docs/gx/{mart}/index.html",
    )
    def _check(
        context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource, settings: SettingsResource
    ) -> dg.AssetCheckResult:
        # an expectation that raised propagates: the check errors instead of reporting a data failure
        with duckdb.get_connection() as con:
            outcome, reused = validate_mart_in_db(con, mart, settings.get().gx_docs_dir)
        meta: dict[str, Any] = {
            "n_expectations": outcome.n_expectations,
            "n_failed": len(outcome.failed),
            "data_docs": dg.MetadataValue.path(str(outcome.docs_index)),
            "validation": "unchanged since its last pass (same rows, facts and suite)" if reused else "run",
        }
        if outcome.failed:
            import polars as pl

            table = pl.DataFrame([{k: str(v) for k, v in f.items()} for f in outcome.failed])
            meta["failed_expectations"] = dg.MetadataValue.md(markdown_preview(table, n=30))
            context.log.warning(f"{mart}: {len(outcome.failed)} expectations failed; see {outcome.docs_index}")
        return dg.AssetCheckResult(passed=outcome.success, metadata=meta)

    return _check


def build_gx_checks() -> list[dg.AssetChecksDefinition]:
    return [_gx_check(m) for m in MARTS_WITH_SUITES]
