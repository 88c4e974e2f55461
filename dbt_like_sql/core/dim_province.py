"""Contract of `dim_province` (its SQL: dim_province.sql beside this file): types, keys, column docs and checks."""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa
import polars as pl

from pipelines.quality.contract_rules import (
    PROVINCE_KEY,
)


class DimProvince(pa.DataFrameModel):
    """Provinces in two vintages: 63 until 30 June 2025, 34 units from 1 July 2025."""

    province_key: str = pa.Field(
        unique=True,
        str_matches=PROVINCE_KEY,
        description="vintage-code, e.g. 2004-79 (Hồ Chí Minh until 2025), 2025-79 (the merged unit)",
    )
    vintage: pl.Int32 = pa.Field(
        isin=[2004, 2025],
        description="2004 (GSO 2004 code list, 63 provinces) or 2025 (Resolution 202/2025/QH15, 34 units)",
    )
    code: str = pa.Field(str_matches=r"^\d\d$", description="GSO code (2 digits); reused across vintages")
    name_vi: str = pa.Field(description="Vietnamese name")
    name_ascii: str = pa.Field(description="Name without diacritics")
    unit_type: str = pa.Field(description="Province or centrally-run city")
    region: str = pa.Field(description="GSO six-region grouping (for 2025 units: the region of the seat province)")
    iso_3166_2: str = pa.Field(nullable=True, str_matches=r"^VN-", description="ISO 3166-2 code (2004 vintage)")
    valid_from: pl.Date = pa.Field(
        nullable=True, description="First day the unit existed in this form (NULL for Hà Tây: not recorded here)"
    )
    valid_to: pl.Date = pa.Field(nullable=True, description="Last day (NULL while in force)")
    successor_key: str = pa.Field(
        nullable=True,
        str_matches=r"^(2025|2004)-\d\d$",
        description="For a 2004 province, the 2025 unit it became part of (Hà Tây: Hà Nội 2004-01, merged 1 August 2008)",
    )
    papi_panel_code: str = pa.Field(nullable=True, description="Province code in the PAPI panel files")

    class Config:
        strict = True

    @pa.dataframe_check
    @classmethod
    def sixty_three_then_thirty_four(cls, data) -> pl.LazyFrame:
        """63 provinces of the 2004 vintage in force until 30 June 2025 (plus Hà Tây, dissolved on 1 August 2008,
        the one 2004 row with a valid_to before 2025), and 34 units from 1 July 2025."""
        in_force = (pl.col("vintage") == 2004) & (
            pl.col("valid_to").is_null() | (pl.col("valid_to") >= dt.date(2025, 6, 30))
        )
        n = in_force.sum().over("vintage")
        dissolved = (pl.col("vintage") == 2004) & ~in_force
        return data.lazyframe.select(
            (in_force & (n == 63))
            | (dissolved & (pl.col("province_key") == "2004-28"))
            | ((pl.col("vintage") == 2025) & (pl.len().over("vintage") == 34))
        )

    @pa.dataframe_check
    @classmethod
    def every_2004_province_has_a_successor(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("vintage") != 2004) | pl.col("successor_key").is_not_null())


CONTRACT = DimProvince
