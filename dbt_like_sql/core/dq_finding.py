"""Contract of `dq_finding` (its SQL: dq_finding.sql beside this file): types, keys, column docs and checks."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from pipelines.quality.contract_rules import (
    DOC_ID,
)
from pipelines.quality.schemas import (
    SEVERITIES,
)


class DqFinding(pa.DataFrameModel):
    """Data-quality findings an analyst can act on."""

    finding_id: str = pa.Field(
        unique=True, str_matches=r"^[0-9a-f]{32}$", description="Hash of rule, document, lines and message"
    )
    rule: str = pa.Field(
        str_matches=r"^[a-z_]+$", description="Rule id, e.g. date_conflict, numbering_duplicate, repeated_block"
    )
    severity: str = pa.Field(isin=SEVERITIES, description="error / warning / info")
    document_id: str = pa.Field(
        nullable=True, str_matches=DOC_ID, description="Document the finding is about (NULL for score files)"
    )
    source_path: str = pa.Field(description="File the finding is about")
    line_start: int = pa.Field(nullable=True, ge=1, description="First line concerned")
    line_end: int = pa.Field(nullable=True, ge=1, description="Last line concerned")
    message: str = pa.Field(
        str_length={"min_value": 10}, description="What a person should know, with the values concerned"
    )
    related_table: str = pa.Field(nullable=True, description="Table of the row concerned")
    related_id: str = pa.Field(nullable=True, description="Key of the row concerned in related_table")
    source_location: str = pa.Field(
        nullable=True,
        description="Where line_start is in the original file: 'page 3' "
        "(PDF), 'paragraph 41' or 'table 2 row 5' (Word, HTML tables), an HTML element "
        "path; NULL for plain text (line_start is the place) and for findings without a line",
    )
    confidence: str = pa.Field(
        isin=["normal", "low"],
        description="low when the document's text was read by OCR "
        "(dim_document.text_source = 'ocr': a misread letter can make or hide a finding); "
        "normal otherwise",
    )

    class Config:
        strict = True

    @pa.dataframe_check
    @classmethod
    def line_range_ordered(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("line_end").is_null() | (pl.col("line_end") >= pl.col("line_start")))

    @pa.dataframe_check
    @classmethod
    def related_pair_complete(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("related_table").is_null() == pl.col("related_id").is_null())


CONTRACT = DqFinding
