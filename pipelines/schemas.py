"""Each table's contract in one place: Pandera model (types, nulls, allowed values, ranges, keys)
and column docs. The docs feed `COMMENT ON` in the warehouse and the asset's column schema."""
from __future__ import annotations

import pandera.polars as pa
import polars as pl

SEVERITIES = ["error", "warning", "info"]
SOURCE_KINDS = ["table", "narrative"]
READERS = ["narrative", "pipe_table", "tab_table"]
ISSUER_LEVELS = ["province", "district", "commune"]
INDICES = ["PAPI", "PAR_INDEX"]


class StgDocuments(pa.DataFrameModel):
    """One row per plan file that decoded and parsed. Grain: document_id."""

    document_id: str = pa.Field(unique=True, str_length={"min_value": 16, "max_value": 16},
                                description="Stable id: first 16 hex of sha256 of the NFC-normalised text")
    source_path: str = pa.Field(description="Path relative to its raw root, e.g. plans/000_x.txt")
    raw_root: str = pa.Field(description="'raw' for the embedded input, else the absolute extra root")
    sha256: str = pa.Field(str_length={"min_value": 64, "max_value": 64}, description="sha256 of the file's bytes")
    size_bytes: int = pa.Field(gt=0, description="File size in bytes")
    encoding: str = pa.Field(isin=["utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "utf-16", "cp1258"],
                             description="Detected encoding of the bytes")
    n_lines: int = pa.Field(gt=0, description="Lines in the normalised text (line numbers refer to it)")
    readers: str = pa.Field(description="Readers that produced tasks, comma-separated")
    issuer_name: str = pa.Field(nullable=True, description="Issuing People's Committee, canonical spelling")
    issuer_level: str = pa.Field(nullable=True, isin=ISSUER_LEVELS, description="province / district / commune")
    province_code: str = pa.Field(nullable=True, str_length={"min_value": 2, "max_value": 2},
                                  description="GSO 2004 code of the issuer's province")
    doc_type: str = pa.Field(nullable=True, isin=["Quyết định", "Kế hoạch"], description="Type of the issued document")
    doc_numbers: list[str] = pa.Field(nullable=True, description="Document numbers, e.g. ['3897/QĐ-UBND']")
    issue_date: pl.Date = pa.Field(nullable=True, description="Issue date from the header (conflicts are findings)")
    signer: str = pa.Field(nullable=True, description="Person who signed, as written")
    title: str = pa.Field(nullable=True, description="Plan title as written")
    plan_year_start: int = pa.Field(nullable=True, ge=2000, le=2100, description="First plan year")
    plan_year_end: int = pa.Field(nullable=True, ge=2000, le=2100, description="Last plan year; NULL when open-ended")
    indices: list[str] = pa.Field(nullable=True, description="Indices the plan targets: PAPI, PAR_INDEX")
    province_name: str = pa.Field(nullable=True, description="Province name (vintage 2004)")
    n_tasks: int = pa.Field(gt=0, description="Tasks extracted from the document")

    class Config:
        strict = True
        coerce = False


class StgPlanTasks(pa.DataFrameModel):
    """One row per task as written. Grain: (document_id, task_seq); task_id = document_id-seq."""

    task_id: str = pa.Field(unique=True, description="document_id + '-' + 4-digit sequence in the document")
    document_id: str = pa.Field(description="FK to dim_document")
    task_seq: int = pa.Field(ge=1, description="Order of the task in the document")
    source_path: str = pa.Field(description="Provenance: file relative to its raw root")
    task_ref: str = pa.Field(nullable=True, description="The row's own number/letter when the plan gives one, e.g. 3.4.b")
    source_kind: str = pa.Field(isin=SOURCE_KINDS, description="table / narrative")
    reader: str = pa.Field(isin=READERS, description="Reader that extracted the row")
    section_ref: str = pa.Field(nullable=True, description="Number of the section the task sits in")
    section_as_written: str = pa.Field(nullable=True, description="Section (dimension/criterion) name as written")
    section_heading: str = pa.Field(nullable=True, description="Whole section heading line")
    subsection_as_written: str = pa.Field(nullable=True, description="Sub-section / sub-dimension as written")
    family_context: str = pa.Field(nullable=True, isin=INDICES, description="Index named by a heading above the task")
    section_inferred: bool = pa.Field(description="True when the heading was lost in the export")
    task_text: str = pa.Field(str_length={"min_value": 3}, description="Task text, HTML stripped, whitespace collapsed")
    output_text: str = pa.Field(nullable=True, description="Output/product column as written")
    lead_as_written: str = pa.Field(nullable=True, description="Lead agency (chủ trì) as written")
    support_as_written: str = pa.Field(nullable=True, description="Coordinating agencies (phối hợp) as written")
    timeline_text: str = pa.Field(nullable=True, description="Timeline as written")
    note_text: str = pa.Field(nullable=True, description="Notes column as written")
    line_start: int = pa.Field(ge=1, description="First line of the task in the normalised text")
    line_end: int = pa.Field(ge=1, description="Last line of the task in the normalised text")

    class Config:
        strict = True
        unique = ["document_id", "task_seq"]

    @pa.dataframe_check
    def line_range_ordered(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("line_end") >= pl.col("line_start"))


class StgFindings(pa.DataFrameModel):
    """Data-quality findings raised while reading. Grain: one finding."""

    rule: str = pa.Field(description="Rule id, e.g. date_conflict, numbering_duplicate")
    severity: str = pa.Field(isin=SEVERITIES, description="error / warning / info")
    document_id: str = pa.Field(nullable=True, description="Document the finding is about")
    source_path: str = pa.Field(nullable=True, description="File the finding is about")
    line_start: int = pa.Field(nullable=True, ge=1, description="First line concerned")
    line_end: int = pa.Field(nullable=True, ge=1, description="Last line concerned")
    message: str = pa.Field(str_length={"min_value": 5}, description="What a person should know")
    related_table: str = pa.Field(nullable=True, description="Table of the row concerned")
    related_id: str = pa.Field(nullable=True, description="Key of the row concerned")

    class Config:
        strict = True


class StgQuarantine(pa.DataFrameModel):
    """Rejected files or rows, with the reason. Grain: one rejection."""

    source_path: str = pa.Field(description="File relative to its raw root")
    raw_root: str = pa.Field(description="'raw' or the extra root")
    sha256: str = pa.Field(nullable=True, description="sha256 of the bytes (NULL when unreadable)")
    stage: str = pa.Field(isin=["read", "decode", "parse", "score_load"], description="Stage that rejected it")
    reason: str = pa.Field(str_length={"min_value": 5}, description="Why, in words")
    detected_at: pl.Datetime = pa.Field(description="When (UTC)")

    class Config:
        strict = True
        unique = ["raw_root", "source_path", "stage"]


STAGING_MODELS: dict[str, type[pa.DataFrameModel]] = {
    "stg_documents": StgDocuments,
    "stg_plan_tasks": StgPlanTasks,
    "stg_findings": StgFindings,
    "stg_quarantine": StgQuarantine,
}


def polars_schema(model: type[pa.DataFrameModel]) -> dict[str, pl.DataType]:
    """Explicit polars dtypes, so an empty table still has its columns and types."""
    out: dict[str, pl.DataType] = {}
    for name, col in model.to_schema().columns.items():
        dt = col.dtype.type
        out[name] = dt
    return out


def column_docs(model: type[pa.DataFrameModel]) -> dict[str, str]:
    return {name: (col.description or "") for name, col in model.to_schema().columns.items()}
