"""Contract of `dim_agency` (its SQL: dim_agency.sql beside this file): types, keys, column docs and checks."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from pipelines.quality.contract_rules import (
    PROVINCE_KEY,
)


class DimAgency(pa.DataFrameModel):
    """Canonical agencies named by some plan: one per agency per province, one per generic group."""

    agency_id: str = pa.Field(
        unique=True,
        str_matches=r"^((2004|2025)-\d\d(/[a-z0-9-]+)?|GROUP|UNRESOLVED):[A-Z0-9_]+$",
        description="<unit_key>:<agency_code> for an agency (the unit it belongs to: 2004-79, "
        "2004-33/thanh-pho-hung-yen), GROUP:<agency_code> for a generic group, "
        "UNRESOLVED:<agency_code> when the plan's province could not be read",
    )
    agency_code: str = pa.Field(
        description="Code in raw/reference/agencies.csv (shared by the same agency in every province)"
    )
    name_vi: str = pa.Field(description="Canonical Vietnamese name, titles dropped and abbreviations expanded")
    name_en: str = pa.Field(description="English name")
    province_key: str = pa.Field(
        nullable=True,
        str_matches=PROVINCE_KEY,
        description="Province of the agency (vintage 2004); NULL for generic groups",
    )
    unit_key: str = pa.Field(
        nullable=True,
        description="Unit the body belongs to: the province, a district-level "
        "unit or commune under it, UNRESOLVED; NULL for groups",
    )
    unit_level: str = pa.Field(nullable=True, isin=["province", "district", "commune"], description="Level of the unit")
    parent_unit_key: str = pa.Field(nullable=True, description="Province a district-level unit or commune belongs to")
    sector: str = pa.Field(
        description="home_affairs, justice, finance, information_communications, health, education, ..."
    )
    level: str = pa.Field(
        isin=["central", "province", "district", "commune", "mass_organisation", "party", "public"],
        description="central / province / district / commune / mass_organisation / party / public",
    )
    agency_type: str = pa.Field(
        description="department, inspectorate, police, steering_committee, party, media, group, ..."
    )
    is_group: bool = pa.Field(description="True for a generic group of agencies")

    class Config:
        strict = True

    @pa.dataframe_check
    @classmethod
    def groups_have_no_province(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("is_group") == pl.col("agency_id").str.starts_with("GROUP:"))

    @pa.dataframe_check
    @classmethod
    def unit_key_in_id(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("is_group") | pl.col("agency_id").str.starts_with(pl.col("unit_key") + ":"))


CONTRACT = DimAgency
