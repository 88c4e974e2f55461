"""Contract of `mart_province_scores` (its SQL: mart_province_scores.sql beside this file): types, keys, column docs and checks."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from pipelines.quality.contract_rules import (
    BASE_YEAR,
    INDICATOR,
    MAX_UNITS,
    NATIONAL_MEAN_SOURCES,
    SCORE_SOURCES,
    rank_within_n,
    within_papi_scale,
)
from pipelines.quality.schemas import (
    INDICES,
    LEVELS,
)


class MartProvinceScores(pa.DataFrameModel):
    """Official index scores for cross-province comparison."""

    province_key: str = pa.Field(str_matches=r"^2004-\d\d$", description="Province (vintage 2004, as PAPI reports it)")
    province_name: str = pa.Field(description="Province name")
    unit_2025_key: str = pa.Field(str_matches=r"^2025-\d\d$", description="The 2025 unit the province became part of")
    unit_2025_name: str = pa.Field(description="Name of that 2025 unit")
    region: str = pa.Field(description="GSO six-region grouping")
    year: int = pa.Field(ge=2005, le=2100, description="Index year")
    indicator_code: str = pa.Field(str_matches=INDICATOR, description="Indicator")
    family: str = pa.Field(isin=INDICES, description="PAPI / PAR_INDEX / PCI / SIPAS")
    level: str = pa.Field(isin=LEVELS, description="total / dimension / subdimension / area / subindex (PCI)")
    indicator_name_en: str = pa.Field(description="Indicator name in English")
    score: float = pa.Field(
        nullable=True, ge=0, le=100, description="Official value; NULL where the index has none (never imputed)"
    )
    rank: int = pa.Field(nullable=True, ge=1, le=MAX_UNITS, description="Rank among the provinces with a value")
    n_ranked: int = pa.Field(nullable=True, ge=1, le=MAX_UNITS, description="Provinces ranked")
    national_mean: float = pa.Field(
        nullable=True,
        ge=0,
        le=100,
        description="National mean of the indicator that year: the mean over the provinces with a value "
        "when the year's table is complete and official, else the published national "
        "figure; NULL when only partial (press) figures are held",
    )
    n_provinces: int = pa.Field(
        ge=0, le=MAX_UNITS, description="Provinces the national mean covers (0 when there is none)"
    )
    national_mean_source: str = pa.Field(
        nullable=True,
        isin=NATIONAL_MEAN_SOURCES,
        description="mean_of_complete_official_table / published_national_figure; NULL when national_mean is NULL",
    )
    comparable_with_previous: bool = pa.Field(
        description="False when the indicator's methodology changed this year (ref_methodology_break): the score is "
        "not comparable with the previous year's"
    )
    change_since_previous_year: float = pa.Field(
        nullable=True,
        description="score minus the score of the previous calendar year (NULL if either is missing, "
        "e.g. a year the index skipped, or across a methodology break)",
    )
    comparable_since: pl.Int32 = pa.Field(
        ge=2005,
        le=2100,
        description="First year of the comparable period this row belongs to: the latest methodology "
        "break of the indicator up to this year (ref_methodology_break), else the first "
        "year the indicator is held; a change between two years of one period is comparable",
    )
    base_year: pl.Int32 = pa.Field(
        isin=[BASE_YEAR],
        description=f"Base year of change_since_base_year: {BASE_YEAR}, the first year of the "
        "8-dimension PAPI (scale 8-80), the period every plan since then targets. Any "
        "other base: mart_score_change (one row per base year)",
    )
    comparable_with_base_year: bool = pa.Field(
        description="True when the year is after base_year and no methodology break of the indicator lies in "
        "(base_year, year], i.e. comparable_since <= base_year"
    )
    change_since_base_year: float = pa.Field(
        nullable=True,
        description="score minus the province's score in base_year; NULL when not "
        "comparable_with_base_year (a methodology break in between, or the year is not "
        "after the base) or when either score is missing",
    )
    source: str = pa.Field(isin=[x for x in SCORE_SOURCES if x != "plan_text"], description="Source of the value")
    source_ref: str = pa.Field(description="file:line, file#sheet!row, or the derivation")
    is_partial: bool = pa.Field(description="True for sources that cover only some provinces (press figures)")

    class Config:
        strict = True
        unique = ["province_key", "year", "indicator_code"]

    @pa.dataframe_check
    @classmethod
    def papi_within_scale_of_its_year(cls, data) -> pl.LazyFrame:
        return within_papi_scale(data.lazyframe)

    @pa.dataframe_check
    @classmethod
    def mean_exactly_with_its_source(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("national_mean").is_null() == pl.col("national_mean_source").is_null())

    @pa.dataframe_check
    @classmethod
    def no_change_across_a_break(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("comparable_with_previous") | pl.col("change_since_previous_year").is_null()
        )

    @pa.dataframe_check
    @classmethod
    def no_change_since_the_base_across_a_break(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(
            (
                pl.col("comparable_with_base_year")
                == ((pl.col("year") > pl.col("base_year")) & (pl.col("comparable_since") <= pl.col("base_year")))
            )
            & (pl.col("comparable_with_base_year") | pl.col("change_since_base_year").is_null())
        )

    @pa.dataframe_check
    @classmethod
    def rank_within_n_ranked(cls, data) -> pl.LazyFrame:
        return rank_within_n(data.lazyframe)


CONTRACT = MartProvinceScores


# ---------------------------------------------------------------- what only Great Expectations checks
# The column rules (keys, ranges, value sets) are generated from the contract above (pipelines/quality/expectations.py);
# these need facts of the upstream tables, or recompute a figure in Python independently of the SQL.

PAPI_YEAR_MEANS = {  # plausible band for the national mean of PAPI.TOTAL, by scale (6-60 until 2017, 8-80 since)
    "6_60": (30.0, 45.0),
    "8_80": (35.0, 55.0),
}
TOTAL_TOLERANCE = 1e-6


def gx_expected(con) -> dict:
    """What the mart must hold, read from the tables it is built from."""

    def one(sql: str):
        return con.execute(sql).fetchall()[0][0]

    def col(sql: str) -> list:
        return [r[0] for r in con.execute(sql).fetchall()]

    return {
        "row_count": one("SELECT count(*) FROM fct_indicator_score WHERE is_preferred AND source <> 'plan_text'"),
        "province_keys": col("SELECT province_key FROM dim_province WHERE vintage = 2004"),
        "unit_2025_keys": col("SELECT province_key FROM dim_province WHERE vintage = 2025"),
        "indicator_codes": col("SELECT indicator_code FROM dim_indicator"),
        # rows and cells quarantined while loading scores: known gaps of the coverage, not failures
        "known_gaps": one("SELECT count(*) FROM stg_score_quarantine WHERE source_ref IS NOT NULL"),
    }


def _sum_of_dimensions(df: pl.DataFrame) -> pl.DataFrame:
    """_check_total_minus_dimensions on PAPI total rows: total minus the sum of that province-year's dimension
    scores, only where every dimension of the year is present (else NULL, which GX skips)."""
    dims = (
        df.filter((pl.col("family") == "PAPI") & (pl.col("level") == "dimension"))
        .group_by("province_key", "year")
        .agg(pl.col("score").sum().alias("_dims"), pl.col("score").null_count().alias("_missing"))
    )
    out = df.join(dims, on=["province_key", "year"], how="left", maintain_order="left")
    diff = pl.when((pl.col("indicator_code") == "PAPI.TOTAL") & (pl.col("_missing") == 0)).then(
        pl.col("score") - pl.col("_dims")
    )
    return out.with_columns(diff.alias("_check_total_minus_dimensions")).drop("_dims", "_missing")


def gx_check_columns(df: pl.DataFrame, expected: dict) -> pl.DataFrame:
    df = _sum_of_dimensions(df)
    return df.with_columns(pl.len().over("year", "indicator_code").alias("_check_rows_in_year_indicator"))


def gx_suite(E, df: pl.DataFrame, expected: dict) -> list:
    """E is great_expectations.expectations (imported only when a suite is built)."""
    papi = df.filter(pl.col("family") == "PAPI")
    ex: list = [
        E.ExpectColumnValuesToBeInSet(column="province_key", value_set=expected["province_keys"]),
        E.ExpectColumnValuesToBeInSet(column="indicator_code", value_set=expected["indicator_codes"]),
        E.ExpectColumnValuesToBeInSet(column="unit_2025_key", value_set=expected["unit_2025_keys"]),
    ]
    if not papi.height:
        return ex
    ex += [
        # every PAPI indicator of a year lists all 63 provinces; a missing score is a NULL row, not a gap; a
        # quarantined cell is a known gap (PCI is not held to 63: 42 in 2005, 64 in 2006-2008)
        E.ExpectColumnValuesToBeBetween(
            column="_check_rows_in_year_indicator",
            min_value=63 - expected.get("known_gaps", 0),
            max_value=63,
            row_condition='family=="PAPI"',
            condition_parser="pandas",
        ),
        E.ExpectColumnValuesToBeBetween(
            column="_check_total_minus_dimensions", min_value=-TOTAL_TOLERANCE, max_value=TOTAL_TOLERANCE
        ),
        E.ExpectColumnValuesToNotBeNull(
            column="score", mostly=0.95, row_condition='family=="PAPI"', condition_parser="pandas"
        ),
    ]
    for scale, years in (("6_60", "year<=2017"), ("8_80", "year>=2018")):
        totals = papi.filter(pl.col("indicator_code") == "PAPI.TOTAL")
        if totals.filter((pl.col("year") <= 2017) if scale == "6_60" else (pl.col("year") >= 2018)).height:
            lo, hi = PAPI_YEAR_MEANS[scale]
            ex.append(
                E.ExpectColumnMeanToBeBetween(
                    column="score",
                    min_value=lo,
                    max_value=hi,
                    row_condition=f'indicator_code=="PAPI.TOTAL" & {years}',
                    condition_parser="pandas",
                )
            )
    return ex
