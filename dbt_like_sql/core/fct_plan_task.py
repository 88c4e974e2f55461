"""Contract of `fct_plan_task` (its SQL: fct_plan_task.sql beside this file): types, keys, column docs and checks."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from pipelines.quality.contract_rules import (
    DOC_ID,
    INDICATOR,
)
from pipelines.quality.schemas import (
    INDICATOR_RULES,
    TIMELINE_KINDS,
    StgPlanTasks,
)


class FctPlanTask(StgPlanTasks):
    """One row per task of a plan, with its conformed indicator and parsed dates: the staging task contract (columns
    as written, line range) plus the normalised columns."""

    task_id: str = pa.Field(
        unique=True,
        str_matches=r"^[0-9a-f]{16}-\d{4,}$",
        description="document_id-NNNN, the task's order in its document",
    )
    document_id: str = pa.Field(str_matches=DOC_ID, description="FK to dim_document")
    indicator_code: str = pa.Field(
        nullable=True,
        str_matches=INDICATOR,
        description="Conformed indicator code (PAPI.D1 ... / PAR.*); NULL for a section of neither index or an unmapped heading",
    )
    indicator_rule: str = pa.Field(
        isin=INDICATOR_RULES,
        description="How the code was found: alias, combined_heading_task_keywords, inferred_from_neighbours, outside_indices, unmapped",
    )
    subindicator_code: str = pa.Field(
        nullable=True,
        str_matches=r"^PAPI\.D\d\.",
        description="PAPI sub-dimension concept, when the sub-section names one",
    )
    due_start: pl.Date = pa.Field(nullable=True, description="First day of the timeline")
    due_end: pl.Date = pa.Field(nullable=True, description="Deadline: last day of the timeline")
    recurrence: str = pa.Field(nullable=True, description="continuous / annual / semiannual / quarterly / monthly")
    timeline_kind: str = pa.Field(isin=TIMELINE_KINDS, description="Form of the timeline")
    timeline_event: str = pa.Field(nullable=True, description="Event an event-relative timeline depends on, as written")

    @pa.dataframe_check
    @classmethod
    def due_start_before_end(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("due_start").is_null() | pl.col("due_end").is_null() | (pl.col("due_start") <= pl.col("due_end"))
        )

    @pa.dataframe_check
    @classmethod
    def subindicator_under_its_dimension(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("subindicator_code").is_null()
            | pl.col("subindicator_code").str.starts_with(pl.col("indicator_code") + ".")
        )


CONTRACT = FctPlanTask
