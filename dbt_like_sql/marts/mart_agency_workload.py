"""Contract of `mart_agency_workload` (its SQL: mart_agency_workload.sql beside this file): types, keys, column docs and checks."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from pipelines.quality.contract_rules import (
    PROVINCE_KEY,
)


class MartAgencyWorkload(pa.DataFrameModel):
    """Who carries the plans: per province, agency and role."""

    province_key: str = pa.Field(
        nullable=True,
        str_matches=PROVINCE_KEY,
        description="Province of the plan (NULL when the plan's province is unknown)",
    )
    agency_id: str = pa.Field(description="FK to dim_agency")
    agency_code: str = pa.Field(
        description="Code of the agency in raw/reference/agencies.csv, the same in every "
        "province (SO_NOI_VU): group on it to compare one kind of agency across provinces"
    )
    agency_name: str = pa.Field(description="Canonical Vietnamese name")
    sector: str = pa.Field(description="Sector of the agency")
    level: str = pa.Field(
        isin=["central", "province", "district", "commune", "mass_organisation", "party", "public"],
        description="Level of the agency: central / province / district / commune / mass_organisation / party / public",
    )
    is_group: bool = pa.Field(description="True for a generic group of agencies")
    role: str = pa.Field(isin=["lead", "support"], description="lead / support")
    n_tasks: int = pa.Field(ge=1, description="Tasks naming the agency in that role")
    n_documents: int = pa.Field(ge=1, description="Plans naming it in that role")

    class Config:
        strict = True
        unique = ["province_key", "agency_id", "role"]

    @pa.dataframe_check
    @classmethod
    def documents_at_most_tasks(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("n_documents") <= pl.col("n_tasks"))


CONTRACT = MartAgencyWorkload


# ---------------------------------------------------------------- what only Great Expectations checks
# The column rules (keys, ranges, value sets) are generated from the contract above (pipelines/quality/expectations.py);
# these need facts of the upstream tables.

# a near-duplicate plan is counted once: the marts leave out the documents with a near_duplicate_of finding
COUNTED = (
    "document_id NOT IN (SELECT document_id FROM dq_finding WHERE rule = 'near_duplicate_of' "
    "AND document_id IS NOT NULL)"
)


def gx_expected(con) -> dict:
    """What the mart must hold, read from the tables it is built from. A generic group named in two provinces'
    plans counts once per province."""

    def one(sql: str):
        return con.execute(sql).fetchall()[0][0]

    return {
        "row_count": one(
            "SELECT count(*) FROM (SELECT DISTINCT d.province_key, b.agency_id, b.role "
            f"FROM bridge_task_agency b JOIN dim_document d USING (document_id) WHERE b.{COUNTED})"
        ),
        "agency_ids": [r[0] for r in con.execute("SELECT agency_id FROM dim_agency").fetchall()],
        "n_task_mentions": one(f"SELECT count(*) FROM bridge_task_agency WHERE {COUNTED}"),
    }


def gx_suite(E, df: pl.DataFrame, expected: dict) -> list:
    """E is great_expectations.expectations (imported only when a suite is built)."""
    n = expected["n_task_mentions"]
    return [
        E.ExpectColumnValuesToBeInSet(column="agency_id", value_set=expected["agency_ids"]),
        E.ExpectColumnSumToBeBetween(column="n_tasks", min_value=n, max_value=n),
    ]
