"""Great Expectations suites for the marts: plain functions, no Dagster.

Each suite is built from the mart frame plus `expected` facts the caller reads from the upstream tables (row counts,
key sets), so a mart that lost or duplicated rows fails. Cross-column rules GX has no expectation for are written
as derived `_check_*` columns recomputed here in Python, independently of the SQL, and then expected by GX.
Validation runs in an ephemeral context on a pandas frame (GX's SQL datasource over DuckDB gives false failures)
and renders Data Docs into one folder per mart.
"""

from __future__ import annotations

import logging
import operator
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

PAPI_YEAR_MEANS = {  # plausible band for the national mean of PAPI.TOTAL, by scale (6-60 until 2017, 8-80 since)
    "6_60": (30.0, 45.0),
    "8_80": (35.0, 55.0),
}
TOTAL_TOLERANCE = 1e-6


class ExpectationRaised(RuntimeError):
    """An expectation could not be evaluated (an error of the check, not a data failure)."""


@dataclass
class SuiteOutcome:
    mart: str
    success: bool
    n_expectations: int
    failed: list[dict] = field(default_factory=list)
    docs_index: Path | None = None


def _sum_of_dimensions(df: pl.DataFrame) -> pl.DataFrame:
    """_check_total_minus_dimensions on PAPI total rows: total minus the sum of that province-year's dimension
    scores, only where every dimension of the year is present (else NULL, which GX skips)."""
    dims = (
        df.filter((pl.col("family") == "PAPI") & (pl.col("level") == "dimension"))
        .group_by("province_key", "year")
        .agg(pl.col("score").sum().alias("_dims"), pl.col("score").null_count().alias("_missing"))
    )
    out = df.join(dims, on=["province_key", "year"], how="left", maintain_order="left")
    diff = pl.when((pl.col("indicator_code") == "PAPI.TOTAL") & (pl.col("_missing") == 0)).then(
        pl.col("score") - pl.col("_dims")
    )
    return out.with_columns(diff.alias("_check_total_minus_dimensions")).drop("_dims", "_missing")


_OPS = {">=": operator.ge, ">": operator.gt, "=": operator.eq, "<=": operator.le, "<": operator.lt}


def expected_status(comparator: str, actual: float | None, target: float, reason: str | None) -> str:
    """The status a target must have: its comparator applied to the official value, read literally."""
    if reason is not None or actual is None:
        return "not_evaluable"
    return "met" if _OPS[comparator](actual, target) else "not_met"


def derive_check_columns(mart: str, df: pl.DataFrame, expected: dict | None = None) -> pl.DataFrame:
    if mart == "mart_plan_coverage" and expected is not None:
        # set membership as a column: an expectation holding 20,000 ids spent seconds in GX's config handling
        df = df.with_columns(
            pl.col("document_id")
            .is_in(pl.Series(expected["document_ids"], dtype=pl.String).implode())
            .alias("_check_document_known")
        )
    if mart == "mart_province_scores":
        df = _sum_of_dimensions(df)
        df = df.with_columns(pl.len().over("year", "indicator_code").alias("_check_rows_in_year_indicator"))
    if mart == "mart_index_panel":
        df = df.with_columns(
            *(pl.col(f"has_{i}").cast(pl.Int64).alias(f"_check_has_{i}") for i in ("papi", "pci", "par", "sipas")),
            pl.col("has_pci").cast(pl.Int64).sum().over("year").alias("_check_pci_per_year"),
        )
    if mart == "mart_target_vs_actual":
        df = df.with_columns(
            pl.struct("comparator", "actual_value", "target_value", "status_reason")
            .map_elements(
                lambda r: expected_status(r["comparator"], r["actual_value"], r["target_value"], r["status_reason"]),
                return_dtype=pl.String,
            )
            .alias("_check_expected_status")
        )
    return df


def suite_for(mart: str, df: pl.DataFrame, expected: dict) -> list:
    """The expectations of one mart. `expected` holds facts from upstream tables (see assets/gx_checks.py)."""
    import great_expectations.expectations as E  # lazily: GX takes seconds to import

    if mart not in _SUITES:
        raise KeyError(f"no suite for {mart}")
    return [E.ExpectTableRowCountToEqual(value=expected["row_count"]), *_SUITES[mart](E, df, expected)]


def _province_scores_suite(E, df: pl.DataFrame, expected: dict) -> list:
    papi = df.filter(pl.col("family") == "PAPI")
    ex: list = [
        E.ExpectCompoundColumnsToBeUnique(column_list=["province_key", "year", "indicator_code"]),
        E.ExpectColumnValuesToBeInSet(column="province_key", value_set=expected["province_keys"]),
        E.ExpectColumnValuesToBeInSet(column="indicator_code", value_set=expected["indicator_codes"]),
        E.ExpectColumnValuesToBeInSet(column="unit_2025_key", value_set=expected["unit_2025_keys"]),
        E.ExpectColumnValuesToBeBetween(column="score", min_value=0, max_value=100),
        E.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="n_ranked", column_B="rank", or_equal=True, ignore_row_if="either_value_is_missing"
        ),
        E.ExpectColumnValuesToBeBetween(column="n_provinces", min_value=0, max_value=64),
    ]
    if papi.height:
        ex += [
            # every PAPI indicator of a year lists all 63 provinces; a missing score is a NULL row, not a gap; a
            # quarantined cell is a known gap (PCI is not held to 63: 42 in 2005, 64 in 2006-2008)
            E.ExpectColumnValuesToBeBetween(
                column="_check_rows_in_year_indicator",
                min_value=63 - expected.get("known_gaps", 0),
                max_value=63,
                row_condition='family=="PAPI"',
                condition_parser="pandas",
            ),
            E.ExpectColumnValuesToBeBetween(
                column="score",
                min_value=6,
                max_value=60,
                row_condition='indicator_code=="PAPI.TOTAL" & year<=2017',
                condition_parser="pandas",
            ),
            E.ExpectColumnValuesToBeBetween(
                column="score",
                min_value=8,
                max_value=80,
                row_condition='indicator_code=="PAPI.TOTAL" & year>=2018',
                condition_parser="pandas",
            ),
            E.ExpectColumnValuesToBeBetween(
                column="score",
                min_value=1,
                max_value=10,
                row_condition='family=="PAPI" & level=="dimension"',
                condition_parser="pandas",
            ),
            E.ExpectColumnValuesToBeBetween(
                column="_check_total_minus_dimensions", min_value=-TOTAL_TOLERANCE, max_value=TOTAL_TOLERANCE
            ),
            E.ExpectColumnValuesToNotBeNull(
                column="score", mostly=0.95, row_condition='family=="PAPI"', condition_parser="pandas"
            ),
        ]
        for scale, years in (("6_60", "year<=2017"), ("8_80", "year>=2018")):
            if (
                papi.filter(pl.col("indicator_code") == "PAPI.TOTAL")
                .filter((pl.col("year") <= 2017) if scale == "6_60" else (pl.col("year") >= 2018))
                .height
            ):
                lo, hi = PAPI_YEAR_MEANS[scale]
                ex.append(
                    E.ExpectColumnMeanToBeBetween(
                        column="score",
                        min_value=lo,
                        max_value=hi,
                        row_condition=f'indicator_code=="PAPI.TOTAL" & {years}',
                        condition_parser="pandas",
                    )
                )
    return ex


def _plan_coverage_suite(E, df: pl.DataFrame, expected: dict) -> list:
    ex: list = [
        E.ExpectCompoundColumnsToBeUnique(column_list=["document_id", "indicator_code"], ignore_row_if="never"),
        # the distinct documents equal dim_document's: all known, and as many as there are
        E.ExpectColumnValuesToBeInSet(column="_check_document_known", value_set=[True]),
        E.ExpectColumnUniqueValueCountToBeBetween(
            column="document_id", min_value=len(expected["document_ids"]), max_value=len(expected["document_ids"])
        ),
        E.ExpectColumnSumToBeBetween(column="n_tasks", min_value=expected["n_tasks"], max_value=expected["n_tasks"]),
        E.ExpectColumnSumToBeBetween(
            column="n_targets", min_value=expected["n_targets"], max_value=expected["n_targets"]
        ),
        E.ExpectColumnPairValuesAToBeGreaterThanB(column_A="n_tasks", column_B="n_tasks_with_deadline", or_equal=True),
        E.ExpectColumnValuesToBeBetween(
            column="n_lead_agencies", min_value=0, max_value=0, row_condition="n_tasks==0", condition_parser="pandas"
        ),
    ]
    return ex


def _agency_workload_suite(E, df: pl.DataFrame, expected: dict) -> list:
    ex: list = [
        E.ExpectCompoundColumnsToBeUnique(column_list=["province_key", "agency_id", "role"]),
        E.ExpectColumnValuesToBeInSet(column="role", value_set=["lead", "support"]),
        E.ExpectColumnValuesToBeInSet(column="agency_id", value_set=expected["agency_ids"]),
        E.ExpectColumnSumToBeBetween(
            column="n_tasks", min_value=expected["n_task_mentions"], max_value=expected["n_task_mentions"]
        ),
        E.ExpectColumnPairValuesAToBeGreaterThanB(column_A="n_tasks", column_B="n_documents", or_equal=True),
    ]
    return ex


def _target_vs_actual_suite(E, df: pl.DataFrame, expected: dict) -> list:
    ex: list = [
        E.ExpectColumnValuesToBeUnique(column="target_id"),
        E.ExpectColumnValuesToBeInSet(column="status", value_set=["met", "not_met", "not_evaluable"]),
        E.ExpectColumnValuesToBeInSet(
            column="comparator", value_set=["<=", "<", "="], row_condition='unit=="rank"', condition_parser="pandas"
        ),
        E.ExpectColumnPairValuesToBeEqual(column_A="status", column_B="_check_expected_status"),
        E.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="n_ranked", column_B="actual_rank", or_equal=True, ignore_row_if="either_value_is_missing"
        ),
        E.ExpectColumnValuesToNotBeNull(
            column="actual_value", row_condition='status!="not_evaluable"', condition_parser="pandas"
        ),
    ]
    return ex


def _index_panel_suite(E, df: pl.DataFrame, expected: dict) -> list:
    ex: list = [
        E.ExpectCompoundColumnsToBeUnique(column_list=["province_key", "year"]),
        E.ExpectColumnValuesToBeInSet(column="province_key", value_set=expected["province_keys"]),
        # each index's coverage equals the headline values held in the fact table, year by year
        E.ExpectColumnSumToBeBetween(
            column="_check_has_papi", min_value=expected["n_papi"], max_value=expected["n_papi"]
        ),
        E.ExpectColumnSumToBeBetween(column="_check_has_pci", min_value=expected["n_pci"], max_value=expected["n_pci"]),
        E.ExpectColumnSumToBeBetween(column="_check_has_par", min_value=expected["n_par"], max_value=expected["n_par"]),
        E.ExpectColumnSumToBeBetween(
            column="_check_has_sipas", min_value=expected["n_sipas"], max_value=expected["n_sipas"]
        ),
        # PCI covers at most 64 units a year (42 in 2005, 64 with Hà Tây in 2006-2008, 63 from 2009)
        E.ExpectColumnValuesToBeBetween(column="_check_pci_per_year", min_value=0, max_value=64),
        E.ExpectColumnValuesToBeBetween(column="pci_total", min_value=0, max_value=100),
        E.ExpectColumnValuesToBeBetween(column="papi_total", min_value=6, max_value=80),
        E.ExpectColumnValuesToBeBetween(column="par_index", min_value=0, max_value=100),
        E.ExpectColumnValuesToBeBetween(column="sipas", min_value=0, max_value=100),
    ] + [
        E.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=10)
        for c in df.columns
        if c.startswith("pci_") and c not in ("pci_total", "pci_total_unweighted")
    ]
    return ex


# E is great_expectations.expectations, imported by suite_for only when a suite is built
_SUITES = {
    "mart_province_scores": _province_scores_suite,
    "mart_plan_coverage": _plan_coverage_suite,
    "mart_agency_workload": _agency_workload_suite,
    "mart_target_vs_actual": _target_vs_actual_suite,
    "mart_index_panel": _index_panel_suite,
}


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

    from .gx_offline import offline_site

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
    """What the mart must hold, read from the tables it is built from."""

    def one(sql: str):
        return con.execute(sql).fetchall()[0][0]

    def col(sql: str) -> list:
        return [r[0] for r in con.execute(sql).fetchall()]

    if mart == "mart_province_scores":
        return {
            "row_count": one("SELECT count(*) FROM fct_indicator_score WHERE is_preferred AND source <> 'plan_text'"),
            "province_keys": col("SELECT province_key FROM dim_province WHERE vintage = 2004"),
            "unit_2025_keys": col("SELECT province_key FROM dim_province WHERE vintage = 2025"),
            "indicator_codes": col("SELECT indicator_code FROM dim_indicator"),
            # rows and cells quarantined while loading scores: known gaps of the coverage, not failures
            "known_gaps": one("SELECT count(*) FROM stg_score_quarantine WHERE source_ref IS NOT NULL"),
        }
    # a near-duplicate plan is counted once: the marts leave out the documents with a near_duplicate_of finding
    counted = (
        "document_id NOT IN (SELECT document_id FROM dq_finding WHERE rule = 'near_duplicate_of' "
        "AND document_id IS NOT NULL)"
    )
    if mart == "mart_plan_coverage":
        return {
            "row_count": one(
                "SELECT count(*) FROM (SELECT document_id, indicator_code FROM fct_plan_task "
                f"WHERE {counted} UNION SELECT document_id, indicator_code FROM fct_plan_target "
                f"WHERE {counted} UNION SELECT document_id, NULL FROM dim_document AS e WHERE {counted} AND NOT EXISTS "
                "(SELECT 1 FROM fct_plan_task AS x WHERE x.document_id = e.document_id) AND NOT EXISTS "
                "(SELECT 1 FROM fct_plan_target AS x WHERE x.document_id = e.document_id))"
            ),
            "document_ids": col(f"SELECT document_id FROM dim_document WHERE {counted}"),
            "n_tasks": one(f"SELECT count(*) FROM fct_plan_task WHERE {counted}"),
            "n_targets": one(f"SELECT count(*) FROM fct_plan_target WHERE {counted}"),
        }
    if mart == "mart_agency_workload":
        # a generic group named in two provinces' plans counts once per province
        return {
            "row_count": one(
                "SELECT count(*) FROM (SELECT DISTINCT d.province_key, b.agency_id, b.role "
                f"FROM bridge_task_agency b JOIN dim_document d USING (document_id) WHERE b.{counted})"
            ),
            "agency_ids": col("SELECT agency_id FROM dim_agency"),
            "n_task_mentions": one(f"SELECT count(*) FROM bridge_task_agency WHERE {counted}"),
        }
    if mart == "mart_target_vs_actual":
        # one row per index target (fct_plan_target.is_index_target), a target stated again counted once
        return {
            "row_count": one(
                "SELECT count(*) FROM fct_plan_target WHERE is_index_target "
                f"AND restates_target_id IS NULL AND {counted}"
            )
        }
    if mart == "mart_index_panel":

        def held(code: str) -> int:
            return one(
                "SELECT count(DISTINCT (province_key, year)) FROM fct_indicator_score WHERE is_preferred AND "
                f"source <> 'plan_text' AND indicator_code = '{code}' AND score IS NOT NULL"
            )

        return {
            "row_count": one(
                "SELECT count(*) FROM (SELECT DISTINCT province_key, year FROM fct_indicator_score "
                "WHERE is_preferred AND source <> 'plan_text')"
            ),
            "province_keys": col("SELECT province_key FROM dim_province WHERE vintage = 2004"),
            "n_papi": held("PAPI.TOTAL"),
            "n_pci": held("PCI.TOTAL"),
            "n_par": held("PAR.TOTAL"),
            "n_sipas": held("SIPAS.TOTAL"),
        }
    raise KeyError(f"no suite for {mart}")


MARTS_WITH_SUITES = (
    "mart_province_scores",
    "mart_plan_coverage",
    "mart_agency_workload",
    "mart_target_vs_actual",
    "mart_index_panel",
)


GX_STATE = "_gx_passed"  # (mart, fingerprint, n_expectations, docs_index) of the last passing validation


def _fingerprint(con, mart: str, expected: dict) -> str:
    """Same rows, same upstream facts, same suites and GX version: the same outcome."""
    import hashlib
    import json

    import great_expectations as gx

    h = hashlib.sha256(gx.__version__.encode())
    h.update(Path(__file__).read_bytes())
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
