"""Contract of `mart_plan_coverage` (its SQL: mart_plan_coverage.sql beside this file): types, keys, column docs and checks."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from pipelines.quality.contract_rules import (
    DOC_ID,
    INDICATOR,
    PROVINCE_KEY,
)
from pipelines.sources.plans.conform import DOC_TYPE_VALUES, FIRST_DATE


class MartPlanCoverage(pa.DataFrameModel):
    """What each plan covers, per document and indicator."""

    document_id: str = pa.Field(str_matches=DOC_ID, description="Plan")
    province_key: str = pa.Field(nullable=True, str_matches=PROVINCE_KEY, description="Province of the plan")
    issuer_name: str = pa.Field(nullable=True, description="Issuer of the plan")
    year: int = pa.Field(nullable=True, ge=FIRST_DATE.year, le=2100, description="First plan year")
    doc_type: str = pa.Field(nullable=True, isin=list(DOC_TYPE_VALUES), description="Type of the document")
    indicator_code: str = pa.Field(
        nullable=True, str_matches=INDICATOR, description="Indicator; NULL for tasks outside the indices"
    )
    n_tasks: int = pa.Field(
        ge=0,
        description="Tasks under the indicator (0: the plan sets a target on it but lists no task, or the document "
        "yields no task: one row with indicator_code NULL and no_task_reason)",
    )
    no_task_reason: str = pa.Field(
        nullable=True, description="Why a document without tasks yields none (NULL for a document with tasks)"
    )
    n_lead_agencies: int = pa.Field(ge=0, description="Distinct lead agencies of those tasks")
    n_tasks_with_lead: int = pa.Field(ge=0, description="Tasks with at least one lead agency (chủ trì)")
    n_tasks_with_deadline: int = pa.Field(ge=0, description="Tasks with a parsed due_end")
    share_tasks_with_lead: float = pa.Field(
        nullable=True, ge=0, le=1, description="n_tasks_with_lead / n_tasks (NULL when the indicator has no task)"
    )
    share_tasks_with_deadline: float = pa.Field(
        nullable=True, ge=0, le=1, description="n_tasks_with_deadline / n_tasks (NULL when the indicator has no task)"
    )
    n_targets: int = pa.Field(ge=0, description="Numeric targets on the indicator in the document")

    class Config:
        strict = True
        unique = ["document_id", "indicator_code"]

    @pa.dataframe_check
    @classmethod
    def deadlines_at_most_tasks(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("n_tasks_with_deadline") <= pl.col("n_tasks"))

    @pa.dataframe_check
    @classmethod
    def leads_at_most_tasks(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("n_tasks_with_lead") <= pl.col("n_tasks"))

    @pa.dataframe_check
    @classmethod
    def a_task_or_a_target(cls, data) -> pl.LazyFrame:
        # a row with neither is the one row of a document without tasks, and says why
        return data.lazyframe.select(
            ((pl.col("n_tasks") + pl.col("n_targets")) >= 1) | pl.col("no_task_reason").is_not_null()
        )


CONTRACT = MartPlanCoverage


# ---------------------------------------------------------------- what only Great Expectations checks
# The column rules (keys, ranges, value sets) are generated from the contract above (pipelines/quality/expectations.py);
# these need facts of the upstream tables.

# a near-duplicate plan is counted once: the marts leave out the documents with a near_duplicate_of finding
COUNTED = (
    "document_id NOT IN (SELECT document_id FROM dq_finding WHERE rule = 'near_duplicate_of' "
    "AND document_id IS NOT NULL)"
)


def gx_expected(con) -> dict:
    """What the mart must hold, read from the tables it is built from."""

    def one(sql: str):
        return con.execute(sql).fetchall()[0][0]

    return {
        "row_count": one(
            "SELECT count(*) FROM (SELECT document_id, indicator_code FROM fct_plan_task "
            f"WHERE {COUNTED} UNION SELECT document_id, indicator_code FROM fct_plan_target "
            f"WHERE {COUNTED} UNION SELECT document_id, NULL FROM dim_document AS e WHERE {COUNTED} AND NOT EXISTS "
            "(SELECT 1 FROM fct_plan_task AS x WHERE x.document_id = e.document_id) AND NOT EXISTS "
            "(SELECT 1 FROM fct_plan_target AS x WHERE x.document_id = e.document_id))"
        ),
        "document_ids": [r[0] for r in con.execute(f"SELECT document_id FROM dim_document WHERE {COUNTED}").fetchall()],
        "n_tasks": one(f"SELECT count(*) FROM fct_plan_task WHERE {COUNTED}"),
        "n_targets": one(f"SELECT count(*) FROM fct_plan_target WHERE {COUNTED}"),
    }


def gx_check_columns(df: pl.DataFrame, expected: dict) -> pl.DataFrame:
    # set membership as a column: an expectation holding 20,000 ids spent seconds in GX's config handling
    known = pl.Series(expected["document_ids"], dtype=pl.String).implode()
    return df.with_columns(pl.col("document_id").is_in(known).alias("_check_document_known"))


def gx_suite(E, df: pl.DataFrame, expected: dict) -> list:
    """E is great_expectations.expectations (imported only when a suite is built)."""
    n_docs = len(expected["document_ids"])
    return [
        # the distinct documents equal dim_document's: all known, and as many as there are
        E.ExpectColumnValuesToBeInSet(column="_check_document_known", value_set=[True]),
        E.ExpectColumnUniqueValueCountToBeBetween(column="document_id", min_value=n_docs, max_value=n_docs),
        E.ExpectColumnSumToBeBetween(column="n_tasks", min_value=expected["n_tasks"], max_value=expected["n_tasks"]),
        E.ExpectColumnSumToBeBetween(
            column="n_targets", min_value=expected["n_targets"], max_value=expected["n_targets"]
        ),
        E.ExpectColumnValuesToBeBetween(
            column="n_lead_agencies", min_value=0, max_value=0, row_condition="n_tasks==0", condition_parser="pandas"
        ),
    ]
