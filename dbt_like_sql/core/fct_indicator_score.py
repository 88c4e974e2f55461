"""Contract of `fct_indicator_score` (its SQL: fct_indicator_score.sql beside this file): types, keys, column docs and checks."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from pipelines.quality.contract_rules import (
    DOC_ID,
    INDICATOR,
    MAX_UNITS,
    OFFICIAL_PAPI,
    SCORE_SOURCES,
    rank_within_n,
    within_papi_scale,
)
from pipelines.quality.schemas import (
    LEVELS,
)


class FctIndicatorScore(pa.DataFrameModel):
    """Index scores by province, year, indicator and source (official, plan text, press)."""

    province_key: str = pa.Field(
        str_matches=r"^2004-\d\d$", description="Province (vintage 2004, as the indices report it)"
    )
    year: int = pa.Field(ge=2005, le=2100, description="Index year")
    indicator_code: str = pa.Field(str_matches=INDICATOR, description="FK to dim_indicator")
    source: str = pa.Field(isin=SCORE_SOURCES, description=" / ".join(SCORE_SOURCES))
    source_ref: str = pa.Field(description="file:line, file#sheet!row, or the derivation")
    level: str = pa.Field(isin=LEVELS, description="total / dimension / subdimension / area / subindex (PCI)")
    score: float = pa.Field(
        nullable=True, ge=0, le=100, description="The value; NULL where the source has none (never 0, never imputed)"
    )
    rank: int = pa.Field(
        nullable=True,
        ge=1,
        le=MAX_UNITS,
        description="Rank among provinces with a value (plan_text: the rank the plan states)",
    )
    n_ranked: int = pa.Field(nullable=True, ge=1, le=MAX_UNITS, description="Number of provinces ranked")
    derivation: str = pa.Field(description="published / sum_of_subdimensions / sum_of_dimensions / stated_in_plan")
    document_id: str = pa.Field(
        nullable=True, str_matches=DOC_ID, description="Plan that states the score (plan_text rows)"
    )
    is_partial: bool = pa.Field(description="True for sources that cover only some provinces (press figures)")
    is_preferred: bool = pa.Field(description="True on the official row marts use for a province, year and indicator")
    reconciliation: str = pa.Field(
        nullable=True,
        isin=["matches", "contradicts", "not_checkable"],
        description="For plan_text rows: matches / contradicts / not_checkable",
    )
    official_score: float = pa.Field(
        nullable=True, description="For plan_text rows: the official value it was checked against"
    )

    class Config:
        strict = True
        unique = ["province_key", "year", "indicator_code", "source", "source_ref"]

    @pa.dataframe_check
    @classmethod
    def official_papi_within_scale_of_its_year(cls, data) -> pl.LazyFrame:
        """Total 6-60 until 2017 and 8-80 from 2018; dimension 1-10; sub-dimension 1/k-10/k of its period."""
        return within_papi_scale(data.lazyframe, OFFICIAL_PAPI)

    @pa.dataframe_check
    @classmethod
    def rank_within_n_ranked(cls, data) -> pl.LazyFrame:
        return rank_within_n(data.lazyframe)

    @pa.dataframe_check
    @classmethod
    def plan_rows_carry_their_document(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("source") == "plan_text") == pl.col("document_id").is_not_null())

    @pa.dataframe_check
    @classmethod
    def plan_text_never_preferred(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(~((pl.col("source") == "plan_text") & pl.col("is_preferred")))


CONTRACT = FctIndicatorScore
