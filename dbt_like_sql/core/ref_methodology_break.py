"""Contract of `ref_methodology_break` (its SQL: ref_methodology_break.sql beside this file): types, keys, column docs and checks."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from pipelines.quality.contract_rules import (
    INDICATOR,
)


class RefMethodologyBreak(pa.DataFrameModel):
    """Methodology breaks: the first year an indicator was measured differently from the year before."""

    indicator_code: str = pa.Field(str_matches=INDICATOR, description="FK to dim_indicator")
    year: pl.Int32 = pa.Field(ge=2009, le=2100, description="First year of the new methodology")
    kind: str = pa.Field(
        isin=["dimensions_changed", "sub_dimensions_changed"],
        description="dimensions_changed (dimensions added) / sub_dimensions_changed (added, dropped, redefined)",
    )
    what_changed_en: str = pa.Field(description="What changed, in English")
    what_changed_vi: str = pa.Field(description="What changed, in Vietnamese")

    class Config:
        strict = True
        unique = ["indicator_code", "year"]


CONTRACT = RefMethodologyBreak
