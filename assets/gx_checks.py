"""Great Expectations suites on the marts as blocking asset checks (suites: pipelines/quality/expectations.py)."""

from typing import Any

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets._meta import markdown_preview
from assets.resources import SettingsResource
from pipelines.quality.expectations import MARTS_WITH_SUITES, SuiteOutcome, validate_marts_in_db


def _spec(mart: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        name=f"gx_{mart}",
        asset=mart,
        blocking=True,
        description=f"Great Expectations suite {mart}_suite: row count and key coverage against the "
        f"upstream tables, value distributions, cross-column rules. Data Docs: "
        f"warehouse/docs/gx/{mart}/index.html",
    )


def _result(context, mart: str, outcome: SuiteOutcome, reused: bool) -> dg.AssetCheckResult:
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
    return dg.AssetCheckResult(asset_key=mart, check_name=f"gx_{mart}", passed=outcome.success, metadata=meta)


def build_gx_checks() -> list[dg.AssetChecksDefinition]:
    """One check per mart, run together: the suites that must run go to one process of their own, which imports
    Great Expectations once and takes its memory with it (pipelines/quality/expectations.py: validate_marts_apart).
    A selection of some of the checks runs only those."""

    @dg.multi_asset_check(specs=[_spec(m) for m in MARTS_WITH_SUITES], name="gx_marts", can_subset=True)
    def _checks(context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource, settings: SettingsResource):
        marts = [
            m
            for m in MARTS_WITH_SUITES
            if dg.AssetCheckKey(dg.AssetKey(m), f"gx_{m}") in context.selected_asset_check_keys
        ]
        # an expectation that raised propagates: the checks error instead of reporting a data failure
        with duckdb.get_connection() as con:
            outcomes = validate_marts_in_db(con, marts, settings.get().gx_docs_dir)
        for mart, (outcome, reused) in outcomes.items():
            yield _result(context, mart, outcome, reused)

    return [_checks]
