"""Contract of `mart_target_vs_actual` (its SQL: mart_target_vs_actual.sql beside this file): types, keys, column docs and checks."""

from __future__ import annotations

import operator

import pandera.polars as pa
import polars as pl

from pipelines.quality.contract_rules import (
    DOC_ID,
    MAX_UNITS,
    PROVINCE_KEY,
    STATUSES,
)
from pipelines.quality.schemas import (
    COMPARATORS,
)
from pipelines.sources.plans.conform import FIRST_DATE


class MartTargetVsActual(pa.DataFrameModel):
    """Every score or rank target on an index (PAPI; PAR Index, PCI, SIPAS headlines) against the official value."""

    target_id: str = pa.Field(unique=True, description="FK to fct_plan_target")
    document_id: str = pa.Field(str_matches=DOC_ID, description="Plan")
    plan_number: str = pa.Field(
        nullable=True,
        description="The plan's document number(s) as issued, e.g. 3897/QĐ-UBND "
        "('; ' between several); NULL when none was read",
    )
    issuer_name: str = pa.Field(nullable=True, description="Body that issued the plan (see dim_document.issuer_level)")
    plan_year_start: int = pa.Field(nullable=True, ge=FIRST_DATE.year, le=2100, description="First plan year")
    plan_year_end: int = pa.Field(
        nullable=True, ge=FIRST_DATE.year, le=2100, description="Last plan year; NULL when open-ended"
    )
    province_key: str = pa.Field(nullable=True, str_matches=PROVINCE_KEY, description="Province of the plan")
    indicator_code: str = pa.Field(
        str_matches=r"^(PAPI\.|PAR\.TOTAL$|PCI\.TOTAL$|SIPAS\.TOTAL$)",
        description="PAPI indicator, or the PAR Index, PCI or SIPAS headline",
    )
    year: int = pa.Field(nullable=True, ge=2005, le=2100, description="Target year")
    comparator: str = pa.Field(isin=COMPARATORS, description=">=, >, =, <=, <")
    target_value: float = pa.Field(ge=0, description="Target value")
    unit: str = pa.Field(
        isin=["points", "rank", "rank_change", "percent"],
        description="points / rank / rank_change / percent (PAR Index and SIPAS values are percent)",
    )
    actual_value: float = pa.Field(
        nullable=True, description="Official score, rank, or rank places gained in the target year"
    )
    actual_score: float = pa.Field(nullable=True, ge=0, le=100, description="Official score in the target year")
    actual_rank: int = pa.Field(nullable=True, ge=1, le=MAX_UNITS, description="Official rank in the target year")
    n_ranked: int = pa.Field(nullable=True, ge=1, le=MAX_UNITS, description="Provinces ranked that year")
    status: str = pa.Field(isin=STATUSES, description="met / not_met / not_evaluable")
    status_reason: str = pa.Field(
        nullable=True,
        description="Why a target is not evaluable (district-level plan, year not held, only partial press figures, no official value)",
    )
    quote: str = pa.Field(description="The words of the target")
    line: int = pa.Field(ge=1, description="Line of the quote (the target's first statement in the plan)")
    restated_at_lines: list[int] = pa.Field(
        nullable=True,
        description="Other lines of the plan that state the same target again (fct_plan_target."
        "restates_target_id); NULL when it is stated once",
    )
    source_path: str = pa.Field(description="Plan file")

    class Config:
        strict = True

    @pa.dataframe_check
    @classmethod
    def reason_exactly_when_not_evaluable(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("status") == "not_evaluable") == pl.col("status_reason").is_not_null())

    @pa.dataframe_check
    @classmethod
    def evaluated_targets_have_a_value(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("status") == "not_evaluable") | pl.col("actual_value").is_not_null())

    @pa.dataframe_check
    @classmethod
    def actual_rank_within_n_ranked(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("actual_rank").is_null()
            | pl.col("n_ranked").is_null()
            | (pl.col("actual_rank") <= pl.col("n_ranked"))
        )


CONTRACT = MartTargetVsActual


# ---------------------------------------------------------------- what only Great Expectations checks
# The column rules (keys, ranges, value sets) are generated from the contract above (pipelines/quality/expectations.py);
# the status is recomputed here in Python, independently of the SQL.

# a near-duplicate plan is counted once: the marts leave out the documents with a near_duplicate_of finding
COUNTED = (
    "document_id NOT IN (SELECT document_id FROM dq_finding WHERE rule = 'near_duplicate_of' "
    "AND document_id IS NOT NULL)"
)

_OPS = {">=": operator.ge, ">": operator.gt, "=": operator.eq, "<=": operator.le, "<": operator.lt}


def expected_status(comparator: str, actual: float | None, target: float, reason: str | None) -> str:
    """The status a target must have: its comparator applied to the official value, read literally."""
    if reason is not None or actual is None:
        return "not_evaluable"
    return "met" if _OPS[comparator](actual, target) else "not_met"


def gx_expected(con) -> dict:
    """One row per index target (fct_plan_target.is_index_target), a target stated again counted once."""
    sql = f"SELECT count(*) FROM fct_plan_target WHERE is_index_target AND restates_target_id IS NULL AND {COUNTED}"
    return {"row_count": con.execute(sql).fetchall()[0][0]}


def gx_check_columns(df: pl.DataFrame, expected: dict) -> pl.DataFrame:
    status = pl.struct("comparator", "actual_value", "target_value", "status_reason").map_elements(
        lambda r: expected_status(r["comparator"], r["actual_value"], r["target_value"], r["status_reason"]),
        return_dtype=pl.String,
    )
    return df.with_columns(status.alias("_check_expected_status"))


def gx_suite(E, df: pl.DataFrame, expected: dict) -> list:
    """E is great_expectations.expectations (imported only when a suite is built)."""
    return [
        E.ExpectColumnValuesToBeInSet(
            column="comparator", value_set=["<=", "<", "="], row_condition='unit=="rank"', condition_parser="pandas"
        ),
        E.ExpectColumnPairValuesToBeEqual(column_A="status", column_B="_check_expected_status"),
    ]
