"""What the table contracts share: key patterns, value sets and the checks of more than one table (the PAPI scale
of a year, a rank within the provinces ranked). Each table's own contract is beside its SQL:
`dbt_like_sql/<layer>/<table>.py`."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import polars as pl

from pipelines.sources.scores.scores import columns_for_year, dimensions_for_year, total_scale

DOC_ID = r"^[0-9a-f]{16}$"
PROVINCE_KEY = r"^(2004|2025)-\d\d$"
INDICATOR = r"^(PAPI|PAR|PCI|SIPAS)\.[A-Z0-9_.]+$"
SCORE_SOURCES = [
    "papi_official_workbook",
    "papi_panel",
    "plan_text",
    "par_published",
    "par_tidy",
    "pci_workbook",
    "pci_wikipedia",
    "sipas_published",
]
MAX_UNITS = 64  # provinces an index year can rank: 64 in PCI 2006-2008 (Hà Tây), 63 otherwise
OFFICIAL_PAPI = ["papi_official_workbook", "papi_panel"]
STATUSES = ["met", "not_met", "not_evaluable"]
NATIONAL_MEAN_SOURCES = ["mean_of_complete_official_table", "published_national_figure"]
# the default base year of change_since_base_year (dbt_like_sql/marts/mart_province_scores.sql, cfg): the first
# year of the 8-dimension PAPI
BASE_YEAR = 2018
RANGE_SLACK = 0.01  # the same tolerance the loader uses (two published SC81 values sit just under 1/3)


@lru_cache(maxsize=1)
def papi_scales() -> pl.DataFrame:
    """Range of every PAPI indicator in every year it was published: total n..10n, dimension 1..10,
    sub-dimension 1/k..10/k for a dimension of k sub-dimensions that year."""
    rows = []
    for year in range(2011, dt.date.today().year + 1):
        cols = columns_for_year(year)
        if not cols:
            continue
        lo, hi = total_scale(year)
        rows.append((year, "PAPI.TOTAL", lo, hi))
        rows += [(year, d, 1.0, 10.0) for d in dimensions_for_year(year)]
        rows += [(year, c.indicator_code, *c.scale) for c in cols.values()]
    return pl.DataFrame(
        rows,
        schema={"year": pl.Int64, "indicator_code": pl.String, "scale_min": pl.Float64, "scale_max": pl.Float64},
        orient="row",
    )


def within_papi_scale(lf: pl.LazyFrame, only_sources: list[str] | None = None) -> pl.LazyFrame:
    """True where the score is NULL, not PAPI, or inside the range of its indicator in its year;
    a PAPI code PAPI did not publish that year fails."""
    joined = lf.with_row_index("_i").join(papi_scales().lazy(), on=["year", "indicator_code"], how="left")
    in_scope = pl.col("indicator_code").str.starts_with("PAPI.") & pl.col("score").is_not_null()
    if only_sources:
        in_scope = in_scope & pl.col("source").is_in(only_sources)
    ok = ~in_scope | (
        pl.col("scale_min").is_not_null()
        & pl.col("score").is_between(pl.col("scale_min") - RANGE_SLACK, pl.col("scale_max") + RANGE_SLACK)
    )
    return joined.sort("_i").select(ok.alias("within_scale"))


def rank_within_n(lf: pl.LazyFrame) -> pl.LazyFrame:
    return lf.select(
        pl.col("rank").is_null() | pl.col("n_ranked").is_null() | pl.col("rank").is_between(1, pl.col("n_ranked"))
    )
