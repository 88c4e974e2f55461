"""Great Expectations suites for the marts: plain functions, no Dagster.

A mart's suite comes from its declaration (dbt_like_sql/marts/<mart>.py): the column rules (keys, ranges, value
sets) are generated from its Pandera contract, and its `gx_suite` adds only what needs facts read from the upstream
tables (`gx_expected`: row counts, key sets), so a mart that lost or duplicated rows fails, or a figure recomputed in
Python independently of the SQL (`gx_check_columns`: derived `_check_*` columns, then expected by GX).
Validation runs in an ephemeral context on a pandas frame (GX's SQL datasource over DuckDB gives false failures)
and renders Data Docs into one folder per mart.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.quality.contracts import CORE_MODELS, TABLE_MODULES, table_module

# the marts whose declaration has a GX suite (gx_suite beside its contract)
MARTS_WITH_SUITES = tuple(t for t, m in TABLE_MODULES.items() if hasattr(m, "gx_suite"))


class ExpectationRaised(RuntimeError):
    """An expectation could not be evaluated (an error of the check, not a data failure)."""


@dataclass
class SuiteOutcome:
    mart: str
    success: bool
    n_expectations: int
    failed: list[dict] = field(default_factory=list)
    docs_index: Path | None = None


def column_rules(E, mart: str) -> list:
    """The GX expectations generated from the mart's Pandera contract, its one declaration: the keys, and each
    column's range and value set. Written once, in the contract; GX checks them again on the published rows."""
    schema = CORE_MODELS[mart].to_schema()
    ex: list = []
    if schema.unique:
        keys = list(schema.unique)
        ex.append(E.ExpectCompoundColumnsToBeUnique(column_list=keys, ignore_row_if="never"))
    for name, column in schema.columns.items():
        if column.unique:
            ex.append(E.ExpectColumnValuesToBeUnique(column=name))
        stats = {k: v for c in column.checks for k, v in c.statistics.items()}
        bounds = {k: stats[k] for k in ("min_value", "max_value") if k in stats}
        if bounds:
            ex.append(E.ExpectColumnValuesToBeBetween(column=name, **bounds))
        if "allowed_values" in stats:
            ex.append(E.ExpectColumnValuesToBeInSet(column=name, value_set=list(stats["allowed_values"])))
    return ex


def derive_check_columns(mart: str, df: pl.DataFrame, expected: dict) -> pl.DataFrame:
    """The mart's `_check_*` columns (dbt_like_sql/marts/<mart>.py: gx_check_columns), for cross-column rules GX
    has no expectation for."""
    derive = getattr(table_module(mart), "gx_check_columns", None)
    return derive(df, expected) if derive else df


def suite_for(mart: str, df: pl.DataFrame, expected: dict) -> list:
    """The expectations of one mart: its row count, the rules generated from its contract and those only GX checks
    (dbt_like_sql/marts/<mart>.py: gx_suite). `expected` holds facts from upstream tables (expected_facts)."""
    import great_expectations.expectations as E  # lazily: GX takes seconds to import

    if mart not in MARTS_WITH_SUITES:
        raise KeyError(f"no suite for {mart}")
    own = table_module(mart).gx_suite(E, df, expected)
    return [E.ExpectTableRowCountToEqual(value=expected["row_count"]), *column_rules(E, mart), *own]


def _config(result):
    """The expectation a result is for: GX fills it for every expectation of a suite it ran."""
    config = result.expectation_config
    assert config is not None
    return config


def _raised(result) -> str | None:
    info = result.exception_info or {}
    if info.get("raised_exception"):
        return info.get("exception_message") or "raised"
    for v in info.values():  # keyed by metric when a metric failed to compute
        if isinstance(v, dict) and (v.get("raised_exception") or v.get("exception_traceback")):
            return v.get("exception_message") or v.get("exception_traceback", "").strip().splitlines()[-1]
    return None


def validate_mart(mart: str, df: pl.DataFrame, expected: dict, docs_dir: Path) -> SuiteOutcome:
    """Run the mart's suite; write Data Docs under docs_dir/<mart>/. Raises ExpectationRaised when an
    expectation could not be evaluated."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    from pipelines.quality.gx_offline import offline_site

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    site = docs_dir / mart
    site.mkdir(parents=True, exist_ok=True)
    frame = derive_check_columns(mart, df, expected)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ctx = gx.get_context(mode="ephemeral")
        ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
        ctx.add_data_docs_site(
            site_name=mart,
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
        batch_def = (
            ctx.data_sources.add_pandas(mart).add_dataframe_asset(mart).add_batch_definition_whole_dataframe("all")
        )
        suite = ctx.suites.add(gx.ExpectationSuite(name=f"{mart}_suite", expectations=suite_for(mart, frame, expected)))
        vd = ctx.validation_definitions.add(
            gx.ValidationDefinition(name=f"{mart}_validation", data=batch_def, suite=suite)
        )
        cp = ctx.checkpoints.add(
            gx.Checkpoint(
                name=f"{mart}_checkpoint",
                validation_definitions=[vd],
                actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs", site_names=[mart])],
            )
        )
        res = cp.run(batch_parameters={"dataframe": frame.to_pandas()})
    offline_site(site)  # GX's pages load ~16 CDN assets and fill their tables from them: rewritten to read offline
    results = list(res.run_results.values())[0].results
    raised = [(_config(r).type, _raised(r)) for r in results if _raised(r)]
    if raised:
        raise ExpectationRaised(f"{mart}: {len(raised)} expectation(s) raised instead of evaluating: {raised}")
    failed = [
        {
            "expectation": _config(r).type,
            "kwargs": {k: v for k, v in _config(r).kwargs.items() if k not in ("batch_id",)},
            "observed": r.result.get("observed_value", r.result.get("unexpected_count")),
            "examples": r.result.get("partial_unexpected_list", [])[:5],
        }
        for r in results
        if not r.success
    ]
    return SuiteOutcome(mart, not failed, len(results), failed, site / "index.html")


def expected_facts(con, mart: str) -> dict:
    """What the mart must hold, read from the tables it is built from (dbt_like_sql/marts/<mart>.py: gx_expected)."""
    if mart not in MARTS_WITH_SUITES:
        raise KeyError(f"no suite for {mart}")
    return table_module(mart).gx_expected(con)


GX_STATE = "_gx_passed"  # (mart, fingerprint, n_expectations, docs_index) of the last passing validation


def _fingerprint(con, mart: str, expected: dict) -> str:
    """Same rows, same upstream facts, same suites and GX version: the same outcome."""
    import hashlib
    import json
    from importlib.metadata import version

    # the installed version, without importing GX (0.2 GB and a second or two): a mart whose suite passed before
    # with the same rows is then checked without GX at all
    h = hashlib.sha256(version("great_expectations").encode())
    h.update(Path(__file__).read_bytes())
    h.update(Path(table_module(mart).__file__ or "").read_bytes())  # the contract and suite of the mart
    h.update(str(con.execute(f'SELECT count(*), sum(hash(t)) FROM "{mart}" t').fetchall()[0]).encode())
    h.update(json.dumps(expected, sort_keys=True, default=str).encode())
    return h.hexdigest()


def validate_mart_in_db(con, mart: str, docs_dir: Path) -> tuple[SuiteOutcome, bool]:
    """validate_mart on the mart as it is in DuckDB, (outcome, reused). A mart whose rows, upstream facts and
    suite are those of its last passing validation is not validated again: that validation and its Data Docs
    stand. Failures are always re-run, so their reasons are current. Records passes in GX_STATE (writer's
    connection)."""
    expected = expected_facts(con, mart)
    fp = _fingerprint(con, mart, expected)
    con.execute(
        f'CREATE TABLE IF NOT EXISTS "{GX_STATE}" (mart VARCHAR, fingerprint VARCHAR, '
        "n_expectations INTEGER, docs_index VARCHAR)"
    ).fetchall()
    old = con.execute(
        f'SELECT n_expectations, docs_index FROM "{GX_STATE}" WHERE mart = ? AND fingerprint = ?', [mart, fp]
    ).fetchall()
    if old and Path(old[0][1]).is_file() and Path(old[0][1]).parent == docs_dir / mart:
        return SuiteOutcome(mart, True, old[0][0], [], Path(old[0][1])), True
    outcome = validate_mart(mart, con.sql(f'SELECT * FROM "{mart}"').pl(), expected, docs_dir)
    con.execute(f'DELETE FROM "{GX_STATE}" WHERE mart = ?', [mart]).fetchall()
    if outcome.success:
        con.execute(
            f'INSERT INTO "{GX_STATE}" VALUES (?, ?, ?, ?)', [mart, fp, outcome.n_expectations, str(outcome.docs_index)]
        ).fetchall()
    return outcome, False
