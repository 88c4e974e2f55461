"""Contract of `fct_plan_target` (its SQL: fct_plan_target.sql beside this file): types, keys, column docs and checks."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from pipelines.quality.contract_rules import (
    DOC_ID,
    INDICATOR,
    PROVINCE_KEY,
)
from pipelines.quality.schemas import (
    StgPlanTargets,
)


class FctPlanTarget(StgPlanTargets):
    """Numeric targets stated in plans, from task rows and narrative lines: the staging contract, with the keys'
    formats and the rank and points ranges on top."""

    document_id: str = pa.Field(str_matches=DOC_ID, description="FK to dim_document")
    indicator_code: str = pa.Field(nullable=True, str_matches=INDICATOR, description="Indicator the target is about")
    province_key: str = pa.Field(nullable=True, str_matches=PROVINCE_KEY, description="Province of the plan")
    is_index_target: bool = pa.Field(
        description="True for a target on an index's own value: a PAPI score, rank or rank change, the PAR Index, PCI "
        "or SIPAS headline score or rank, the PAR Index or SIPAS percent (mart_target_vs_actual evaluates these)"
    )
    restates_target_id: str = pa.Field(
        nullable=True,
        description="For an index target the plan states again (same indicator, year, comparator, value "
        "and unit, e.g. in the preamble and in the objectives): the first statement, the one "
        "mart_target_vs_actual evaluates; NULL for the first statement and other targets",
    )

    @pa.dataframe_check
    @classmethod
    def only_index_targets_restate(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("restates_target_id").is_null()
            | (pl.col("is_index_target") & (pl.col("restates_target_id") != pl.col("target_id")))
        )

    @pa.dataframe_check
    @classmethod
    def rank_target_within_63(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("unit") != "rank") | pl.col("value").is_between(1, 63))

    @pa.dataframe_check
    @classmethod
    def papi_points_within_total_scale(cls, data) -> pl.LazyFrame:
        # a PAPI points target is at most the 80-point total of 2018 onwards
        return data.lazyframe.select(
            (pl.col("unit") != "points")
            | ~pl.col("indicator_code").str.starts_with("PAPI.").fill_null(False)
            | (pl.col("value") <= 80)
        )


CONTRACT = FctPlanTarget
