"""Contract of `bridge_task_agency` (its SQL: bridge_task_agency.sql beside this file): types, keys, column docs and checks."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from pipelines.quality.contract_rules import (
    DOC_ID,
)


class BridgeTaskAgency(pa.DataFrameModel):
    """Which agencies lead or support each task."""

    task_id: str = pa.Field(description="FK to fct_plan_task")
    agency_id: str = pa.Field(description="FK to dim_agency")
    role: str = pa.Field(
        isin=["lead", "support"],
        description='lead (chủ trì) / support (phối hợp; also agencies invited with "Mời", "Đề nghị")',
    )
    as_written: str = pa.Field(str_length={"min_value": 2}, description="The words of the plan that named the agency")
    document_id: str = pa.Field(str_matches=DOC_ID, description="FK to dim_document")

    class Config:
        strict = True
        unique = ["task_id", "agency_id", "role"]

    @pa.dataframe_check
    @classmethod
    def task_belongs_to_document(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("task_id").str.starts_with(pl.col("document_id")))


CONTRACT = BridgeTaskAgency
