"""Contract of `mart_index_panel` (its SQL: mart_index_panel.sql beside this file): types, keys, column docs and checks."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl


class MartIndexPanel(pa.DataFrameModel):
    """Cross-index panel: PAPI, PCI, PAR Index and SIPAS side by side per province and year, with coverage flags."""

    province_key: str = pa.Field(
        str_matches=r"^2004-\d\d$", description="Province (vintage 2004; 2004-28 Hà Tây for PCI 2005-2008)"
    )
    province_name: str = pa.Field(description="Province name")
    year: int = pa.Field(ge=2005, le=2100, description="Index year")
    papi_total: float = pa.Field(
        nullable=True, ge=6, le=80, description="PAPI total (6-60 until 2017, 8-80 from 2018); NULL where not held"
    )
    papi_d1: float = pa.Field(nullable=True, ge=1, le=10, description="PAPI D1 Participation at local levels")
    papi_d2: float = pa.Field(nullable=True, ge=1, le=10, description="PAPI D2 Transparency")
    papi_d3: float = pa.Field(nullable=True, ge=1, le=10, description="PAPI D3 Vertical accountability")
    papi_d4: float = pa.Field(nullable=True, ge=1, le=10, description="PAPI D4 Control of corruption")
    papi_d5: float = pa.Field(nullable=True, ge=1, le=10, description="PAPI D5 Public administrative procedures")
    papi_d6: float = pa.Field(nullable=True, ge=1, le=10, description="PAPI D6 Public service delivery")
    papi_d7: float = pa.Field(nullable=True, ge=1, le=10, description="PAPI D7 Environmental governance (from 2018)")
    papi_d8: float = pa.Field(nullable=True, ge=1, le=10, description="PAPI D8 E-governance (from 2018)")
    pci_total: float = pa.Field(nullable=True, ge=0, le=100, description="PCI headline, weighted (0-100)")
    pci_total_unweighted: float = pa.Field(
        nullable=True, ge=0, le=100, description="PCI unweighted, where printed (2007, 2008, 2010)"
    )
    pci_entry_costs: float = pa.Field(nullable=True, ge=0, le=10, description="PCI sub-index Entry costs (0-10)")
    pci_land_access: float = pa.Field(nullable=True, ge=0, le=10, description="PCI sub-index Land access (0-10)")
    pci_transparency: float = pa.Field(nullable=True, ge=0, le=10, description="PCI sub-index Transparency (0-10)")
    pci_time_costs: float = pa.Field(nullable=True, ge=0, le=10, description="PCI sub-index Time costs (0-10)")
    pci_informal_charges: float = pa.Field(
        nullable=True, ge=0, le=10, description="PCI sub-index Informal charges (0-10)"
    )
    pci_policy_bias: float = pa.Field(
        nullable=True, ge=0, le=10, description="PCI sub-index Policy bias (0-10; not published 2009-2012)"
    )
    pci_proactivity: float = pa.Field(nullable=True, ge=0, le=10, description="PCI sub-index Proactivity (0-10)")
    pci_business_support: float = pa.Field(
        nullable=True, ge=0, le=10, description="PCI sub-index Business support (0-10)"
    )
    pci_labor_training: float = pa.Field(
        nullable=True, ge=0, le=10, description="PCI sub-index Labor training (0-10; from 2006)"
    )
    pci_legal_institutions: float = pa.Field(
        nullable=True, ge=0, le=10, description="PCI sub-index Legal institutions (0-10; from 2006)"
    )
    pci_policy_consistency: float = pa.Field(
        nullable=True, ge=0, le=10, description="PCI sub-index Implementation and consistency of policies (2005 only)"
    )
    par_index: float = pa.Field(nullable=True, ge=0, le=100, description="PAR Index, percent")
    par_is_partial: bool = pa.Field(description="True when the PAR value comes from press figures (partial source)")
    sipas: float = pa.Field(nullable=True, ge=0, le=100, description="SIPAS satisfaction, percent")
    sipas_is_partial: bool = pa.Field(
        description="True when the SIPAS value comes from press figures (always, for now)"
    )
    has_papi: bool = pa.Field(description="A PAPI total is held for the province and year")
    has_pci: bool = pa.Field(description="A PCI headline is held")
    has_par: bool = pa.Field(description="A PAR Index value is held")
    has_sipas: bool = pa.Field(description="A SIPAS value is held")
    n_indices: pl.Int32 = pa.Field(ge=0, le=4, description="How many of the four headline values are held")

    class Config:
        strict = True
        unique = ["province_key", "year"]

    @pa.dataframe_check
    @classmethod
    def flags_follow_values(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("has_papi") == pl.col("papi_total").is_not_null())
            & (pl.col("has_pci") == pl.col("pci_total").is_not_null())
            & (pl.col("has_par") == pl.col("par_index").is_not_null())
            & (pl.col("has_sipas") == pl.col("sipas").is_not_null())
        )


CONTRACT = MartIndexPanel


# ---------------------------------------------------------------- what only Great Expectations checks
# The column rules (keys, ranges, value sets) are generated from the contract above (pipelines/quality/expectations.py);
# these need facts of the upstream tables.

INDICES_HELD = {"papi": "PAPI.TOTAL", "pci": "PCI.TOTAL", "par": "PAR.TOTAL", "sipas": "SIPAS.TOTAL"}


def gx_expected(con) -> dict:
    """What the mart must hold, read from the tables it is built from."""

    def one(sql: str):
        return con.execute(sql).fetchall()[0][0]

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
        "province_keys": [
            r[0] for r in con.execute("SELECT province_key FROM dim_province WHERE vintage = 2004").fetchall()
        ],
        **{f"n_{i}": held(code) for i, code in INDICES_HELD.items()},
    }


def gx_check_columns(df: pl.DataFrame, expected: dict) -> pl.DataFrame:
    return df.with_columns(
        *(pl.col(f"has_{i}").cast(pl.Int64).alias(f"_check_has_{i}") for i in INDICES_HELD),
        pl.col("has_pci").cast(pl.Int64).sum().over("year").alias("_check_pci_per_year"),
    )


def gx_suite(E, df: pl.DataFrame, expected: dict) -> list:
    """E is great_expectations.expectations (imported only when a suite is built)."""
    return [
        E.ExpectColumnValuesToBeInSet(column="province_key", value_set=expected["province_keys"]),
        # each index's coverage equals the headline values held in the fact table, year by year
        *(
            E.ExpectColumnSumToBeBetween(
                column=f"_check_has_{i}", min_value=expected[f"n_{i}"], max_value=expected[f"n_{i}"]
            )
            for i in INDICES_HELD
        ),
        # PCI covers at most 64 units a year (42 in 2005, 64 with Hà Tây in 2006-2008, 63 from 2009)
        E.ExpectColumnValuesToBeBetween(column="_check_pci_per_year", min_value=0, max_value=64),
    ]
