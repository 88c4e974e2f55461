"""Contract of `dim_document` (its SQL: dim_document.sql beside this file): types, keys, column docs and checks."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from pipelines.quality.contract_rules import (
    DOC_ID,
    PROVINCE_KEY,
)
from pipelines.quality.schemas import (
    ISSUER_LEVELS,
)
from pipelines.sources.plans.conform import DOC_TYPE_VALUES, FIRST_DATE
from pipelines.sources.plans.formats import FORMATS, TEXT_SOURCES


class DimDocument(pa.DataFrameModel):
    """One row per plan file that was read."""

    document_id: str = pa.Field(
        unique=True, str_matches=DOC_ID, description="Stable id: first 16 hex of sha256 of the NFC-normalised text"
    )
    source_path: str = pa.Field(str_matches=r"^plans/", description="File path relative to its raw root")
    raw_root: str = pa.Field(
        description="Raw root by position: 'raw' for the embedded input, 'extra<n>' for the n-th folder of GOVDATA_RAW_EXTRA (never a machine path)"
    )
    sha256: str = pa.Field(str_matches=r"^[0-9a-f]{64}$", description="sha256 of the file's bytes")
    size_bytes: int = pa.Field(gt=0, description="File size in bytes")
    encoding: str = pa.Field(description="Detected encoding of a text or HTML file; 'binary' for Word and PDF")
    format: str = pa.Field(isin=list(FORMATS), description="File format read: txt / docx / pdf / html / doc")
    page_count: int = pa.Field(nullable=True, ge=0, description="Pages of a PDF; NULL for other formats")
    text_source: str = pa.Field(
        isin=list(TEXT_SOURCES),
        description="native (the file's own text), converted (a .doc through antiword or LibreOffice), ocr (Tesseract on a scanned PDF)",
    )
    issuer_name: str = pa.Field(
        nullable=True,
        description="Issuer: a People's Committee or Council (canonical spelling), or a body above the provinces as "
        "its masthead prints it (issuer_level central)",
    )
    issuer_level: str = pa.Field(
        nullable=True,
        isin=ISSUER_LEVELS,
        description="national (the Government, the Prime Minister, the National Assembly) / central (a ministry, a national office) / province / district / commune",
    )
    province_key: str = pa.Field(
        nullable=True, str_matches=PROVINCE_KEY, description="FK to dim_province: vintage-code, e.g. 2004-79"
    )
    doc_type: str = pa.Field(
        nullable=True, isin=list(DOC_TYPE_VALUES), description="Type of the issued document (its opening heading)"
    )
    doc_numbers: list[str] = pa.Field(nullable=True, description="Document numbers, e.g. [3897/QĐ-UBND]")
    issue_date: pl.Date = pa.Field(
        nullable=True, ge=FIRST_DATE, description="Issue date from the header (conflicts are findings)"
    )
    signer: str = pa.Field(nullable=True, description="Person who signed, as written")
    title: str = pa.Field(nullable=True, description="Plan title as written")
    plan_year_start: int = pa.Field(nullable=True, ge=FIRST_DATE.year, le=2100, description="First plan year")
    plan_year_end: int = pa.Field(
        nullable=True, ge=FIRST_DATE.year, le=2100, description="Last plan year; NULL when open-ended"
    )
    indices: list[str] = pa.Field(nullable=True, description="Indices the plan targets: PAPI, PAR_INDEX")
    n_tasks: int = pa.Field(ge=0, description="Tasks extracted from the document (0: no_task_reason says why)")
    no_task_reason: str = pa.Field(
        nullable=True,
        description="Why the document yields no task (not a plan, with its type; or nothing in it assigns work); "
        "NULL when it has tasks",
    )
    readers: str = pa.Field(description="Readers that produced tasks, comma-separated")
    n_lines: int = pa.Field(gt=0, description="Lines in the normalised text (line numbers refer to it)")
    n_findings_error: int = pa.Field(ge=0, description="Data-quality findings of severity error about this document")
    n_findings_warning: int = pa.Field(ge=0, description="Findings of severity warning")
    n_findings_info: int = pa.Field(ge=0, description="Findings of severity info")

    class Config:
        strict = True

    @pa.dataframe_check
    @classmethod
    def plan_years_ordered(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("plan_year_end").is_null() | (pl.col("plan_year_start") <= pl.col("plan_year_end"))
        )


CONTRACT = DimDocument
