"""Contract of `mart_scores_2025_units` (its SQL: mart_scores_2025_units.sql beside this file): types, keys, column docs and checks."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from pipelines.quality.contract_rules import (
    INDICATOR,
)
from pipelines.quality.schemas import (
    INDICES,
    LEVELS,
)


class MartScores2025Units(pa.DataFrameModel):
    """Official scores for the 34 units of 2025: the unweighted mean of the member provinces, with coverage."""

    unit_2025_key: str = pa.Field(str_matches=r"^2025-\d\d$", description="The 2025 unit (FK to dim_province)")
    unit_2025_name: str = pa.Field(description="Name of the 2025 unit")
    year: int = pa.Field(ge=2005, le=2100, description="Index year (the indices reported the old provinces)")
    indicator_code: str = pa.Field(str_matches=INDICATOR, description="Indicator")
    family: str = pa.Field(isin=INDICES, description="PAPI / PAR_INDEX / PCI / SIPAS")
    level: str = pa.Field(isin=LEVELS, description="total / dimension / subdimension / area / subindex (PCI)")
    indicator_name_en: str = pa.Field(description="Indicator name in English")
    score_unweighted: float = pa.Field(
        nullable=True,
        ge=0,
        le=100,
        description="Unweighted mean of the scores of the members that have one (members_covered of them); NULL "
        "when none has. Not the unit's score unless all_members_covered: check it",
    )
    score_pop_weighted: float = pa.Field(
        nullable=True,
        ge=0,
        le=100,
        description="Mean of the members' scores weighted by GSO's average population of population_year "
        "(PX-Web table V02.01, stg_ref_population), over the members_weighted members with both a score and a "
        "population; NULL when none has both (GSO's table starts in 2011)",
    )
    population_year: int = pa.Field(
        nullable=True,
        ge=2011,
        le=2100,
        description="Year of the population used as weights: the score year, or the latest year GSO's table holds "
        "before it (2022 for the 2023 and 2024 scores); NULL with score_pop_weighted",
    )
    members_weighted: int = pa.Field(
        ge=0, le=4, description="Members in the weighted mean (with a score and a population that year)"
    )
    members_total: int = pa.Field(
        ge=1,
        le=4,
        description="Old provinces whose territory is in the unit and that existed that year (Hà Tây until 2008)",
    )
    members_covered: int = pa.Field(ge=0, le=4, description="Members with a score that year")
    all_members_covered: bool = pa.Field(
        description="True when every member has a score (members_covered = "
        "members_total); false: the mean leaves members out"
    )
    member_keys: list[str] = pa.Field(description="The members' province keys (vintage 2004)")
    members_missing: list[str] = pa.Field(
        nullable=True, description="Names of the members without a score; NULL when all are covered"
    )
    is_partial: bool = pa.Field(description="True when a member's value comes from a partial source (press figures)")

    class Config:
        strict = True
        unique = ["unit_2025_key", "year", "indicator_code"]

    @pa.dataframe_check
    @classmethod
    def coverage_adds_up(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("members_covered") <= pl.col("members_total"))
            & (pl.col("all_members_covered") == (pl.col("members_covered") == pl.col("members_total")))
            & (pl.col("score_unweighted").is_null() == (pl.col("members_covered") == 0))
            & (pl.col("members_missing").is_null() == pl.col("all_members_covered"))
            & (pl.col("member_keys").list.len() == pl.col("members_total"))
            & (pl.col("members_weighted") <= pl.col("members_covered"))
            & (pl.col("score_pop_weighted").is_null() == (pl.col("members_weighted") == 0))
            & (pl.col("population_year").is_null() == pl.col("score_pop_weighted").is_null())
            & (pl.col("population_year").is_null() | (pl.col("population_year") <= pl.col("year")))
        )

    @pa.dataframe_check
    @classmethod
    def thirty_four_units_per_indicator_year(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.len().over("year", "indicator_code") == 34)


CONTRACT = MartScores2025Units
