"""Contract of `mart_score_change` (its SQL: mart_score_change.sql beside this file): types, keys, column docs and checks."""

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


class MartScoreChange(pa.DataFrameModel):
    """Change of an official score between any base year and any later year, with the breaks in between."""

    province_key: str = pa.Field(str_matches=r"^2004-\d\d$", description="Province (vintage 2004)")
    province_name: str = pa.Field(description="Province name")
    unit_2025_key: str = pa.Field(str_matches=r"^2025-\d\d$", description="The 2025 unit the province became part of")
    indicator_code: str = pa.Field(str_matches=INDICATOR, description="Indicator")
    family: str = pa.Field(isin=INDICES, description="PAPI / PAR_INDEX / PCI / SIPAS")
    level: str = pa.Field(isin=LEVELS, description="total / dimension / subdimension / area / subindex (PCI)")
    base_year: pl.Int32 = pa.Field(ge=2005, le=2100, description="The base year the analyst chooses (filter on it)")
    year: int = pa.Field(ge=2005, le=2100, description="A later year with a score")
    base_score: float = pa.Field(ge=0, le=100, description="Official score in base_year")
    score: float = pa.Field(ge=0, le=100, description="Official score in year")
    comparable: bool = pa.Field(description="True when no methodology break of the indicator lies in (base_year, year]")
    change: float = pa.Field(
        nullable=True,
        description="score minus base_score; NULL when not comparable (a "
        "methodology break in between: the two scores measure different things)",
    )
    breaks_between: list[int] = pa.Field(
        nullable=True,
        description="Years of the indicator's methodology breaks in (base_year, year] "
        "(ref_methodology_break); NULL when none",
    )

    class Config:
        strict = True
        unique = ["province_key", "indicator_code", "base_year", "year"]

    @pa.dataframe_check
    @classmethod
    def change_exactly_when_comparable(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("comparable") == pl.col("change").is_not_null())
            & (pl.col("comparable") == pl.col("breaks_between").is_null())
            & (pl.col("base_year") < pl.col("year"))
        )


CONTRACT = MartScoreChange
