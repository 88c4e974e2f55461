"""Contract of `dim_indicator` (its SQL: dim_indicator.sql beside this file): types, keys, column docs and checks."""

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


class DimIndicator(pa.DataFrameModel):
    """PAPI total, dimensions and sub-dimension concepts; the PAR Index and its areas; PCI headline and sub-indices;
    SIPAS."""

    indicator_code: str = pa.Field(
        unique=True,
        str_matches=INDICATOR,
        description="PAPI.TOTAL, PAPI.D1 ... PAPI.D8, PAPI.Dn.<CONCEPT>, PAR.TOTAL, PAR.<AREA>, "
        "PCI.TOTAL, PCI.TOTAL_UNWEIGHTED, PCI.<SUB_INDEX>, SIPAS.TOTAL",
    )
    family: str = pa.Field(isin=INDICES, description="PAPI / PAR_INDEX / PCI / SIPAS")
    level: str = pa.Field(isin=LEVELS, description="total / dimension / subdimension / area / subindex (PCI)")
    parent_code: str = pa.Field(
        nullable=True, description="The dimension of a sub-dimension, the total of a dimension or area"
    )
    name_vi: str = pa.Field(description="Vietnamese name")
    name_en: str = pa.Field(description="English name")
    first_year: pl.Int32 = pa.Field(ge=2005, le=2100, description="First year the index published it")
    last_year: pl.Int32 = pa.Field(
        nullable=True, ge=2005, le=2100, description="Last year it was published (NULL while current)"
    )
    scale_min: float = pa.Field(
        nullable=True,
        ge=0,
        description="Lowest possible score (sub-dimensions: over all periods; see int_papi_columns_by_year for a year)",
    )
    scale_max: float = pa.Field(nullable=True, gt=0, le=100, description="Highest possible score")
    note: str = pa.Field(nullable=True, description="Renamings and caveats")
    source_columns: str = pa.Field(nullable=True, description="Panel columns that carried it, by period")

    class Config:
        strict = True

    @pa.dataframe_check
    @classmethod
    def only_totals_have_no_parent(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("level") == "total") == pl.col("parent_code").is_null())

    @pa.dataframe_check
    @classmethod
    def scale_ordered(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("scale_min").is_null() | (pl.col("scale_min") < pl.col("scale_max")))


CONTRACT = DimIndicator
