"""Each table's contract in one place: Pandera model (types, nulls, allowed values, ranges, keys)
and column docs. The docs feed `COMMENT ON` in the warehouse and the asset's column schema."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from pipelines.sources.plans.conform import DOC_TYPE_VALUES, FIRST_DATE
from pipelines.sources.plans.formats import FORMATS, TEXT_SOURCES

SEVERITIES = ["error", "warning", "info"]
SOURCE_KINDS = ["table", "narrative"]
# the text layouts' table readers, and a Word/HTML/PDF file's own tables (formats.TableSpan) as "<format>_table"
READERS = ["narrative", "pipe_table", "tab_table", "md_table", "grid_table", "bar_table"] + [
    f"{fmt}_table" for fmt in FORMATS if fmt != "txt"
]
ISSUER_LEVELS = ["national", "central", "province", "district", "commune"]
# national: the Government, the Prime Minister, the National Assembly; central: a ministry or a national office
INDICES = ["PAPI", "PAR_INDEX", "PCI", "SIPAS"]


class StgDocuments(pa.DataFrameModel):
    """One row per plan file that decoded and parsed. Grain: document_id."""

    document_id: str = pa.Field(
        unique=True,
        str_length={"min_value": 16, "max_value": 16},
        description="Stable id: first 16 hex of sha256 of the NFC-normalised text",
    )
    source_path: str = pa.Field(description="Path relative to its raw root, e.g. plans/000_x.txt")
    raw_root: str = pa.Field(
        description="Raw root by position: 'raw' for the embedded input, 'extra<n>' for the n-th folder of GOVDATA_RAW_EXTRA (never a machine path)"
    )
    sha256: str = pa.Field(str_length={"min_value": 64, "max_value": 64}, description="sha256 of the file's bytes")
    size_bytes: int = pa.Field(gt=0, description="File size in bytes")
    encoding: str = pa.Field(
        isin=["utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "utf-16", "cp1258", "binary"],
        description="Detected encoding of a text or HTML file; 'binary' for Word and PDF",
    )
    format: str = pa.Field(isin=list(FORMATS), description="File format read: txt / docx / pdf / html / doc")
    page_count: int = pa.Field(nullable=True, ge=0, description="Pages of a PDF; NULL for other formats")
    text_source: str = pa.Field(
        isin=list(TEXT_SOURCES),
        description="native (the file's own text), converted (a .doc through antiword or LibreOffice), ocr (Tesseract on a scanned PDF)",
    )
    n_lines: int = pa.Field(gt=0, description="Lines in the normalised text (line numbers refer to it)")
    readers: str = pa.Field(description="Readers that produced tasks, comma-separated")
    issuer_name: str = pa.Field(
        nullable=True,
        description="Issuer: a People's Committee or Council (canonical spelling), or a body above the provinces as "
        "its masthead prints it (issuer_level central)",
    )
    issuer_level: str = pa.Field(
        nullable=True, isin=ISSUER_LEVELS, description="national / central / province / district / commune"
    )
    province_code: str = pa.Field(
        nullable=True, str_length={"min_value": 2, "max_value": 2}, description="GSO 2004 code of the issuer's province"
    )
    doc_type: str = pa.Field(
        nullable=True, isin=list(DOC_TYPE_VALUES), description="Type of the issued document (its opening heading)"
    )
    doc_numbers: list[str] = pa.Field(nullable=True, description="Document numbers, e.g. ['3897/QĐ-UBND']")
    issue_date: pl.Date = pa.Field(nullable=True, description="Issue date from the header (conflicts are findings)")
    signer: str = pa.Field(nullable=True, description="Person who signed, as written")
    title: str = pa.Field(nullable=True, description="Plan title as written")
    plan_year_start: int = pa.Field(nullable=True, ge=FIRST_DATE.year, le=2100, description="First plan year")
    plan_year_end: int = pa.Field(
        nullable=True, ge=FIRST_DATE.year, le=2100, description="Last plan year; NULL when open-ended"
    )
    indices: list[str] = pa.Field(nullable=True, description="Indices the plan targets: PAPI, PAR_INDEX")
    province_name: str = pa.Field(
        nullable=True, description="Province name (of the province in force at the issue date)"
    )
    province_vintage: int = pa.Field(
        nullable=True,
        isin=[2004, 2025],
        description="2004: one of the 63 provinces; 2025: one of the 34 units in force "
        "from 1 July 2025 (a plan issued since then)",
    )
    n_tasks: int = pa.Field(ge=0, description="Tasks extracted from the document (0: no_task_reason says why)")
    no_task_reason: str = pa.Field(
        nullable=True,
        description="Why the document yields no task (not a plan, with its type; or nothing in it assigns work); "
        "NULL when it has tasks",
    )

    class Config:
        strict = True
        coerce = False


class StgPlanTasks(pa.DataFrameModel):
    """One row per task as written. Grain: (document_id, task_seq); task_id = document_id-seq."""

    task_id: str = pa.Field(unique=True, description="document_id + '-' + 4-digit sequence in the document")
    document_id: str = pa.Field(description="FK to dim_document")
    task_seq: int = pa.Field(ge=1, description="Order of the task in the document")
    source_path: str = pa.Field(description="Provenance: file relative to its raw root")
    task_ref: str = pa.Field(
        nullable=True, description="The row's own number/letter when the plan gives one, e.g. 3.4.b"
    )
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
    source_location: str = pa.Field(
        nullable=True,
        description="Where the task's first line is in the original file: "
        "'page 3' (PDF), 'paragraph 41' or 'table 2 row 5' (Word, HTML tables), an HTML "
        "element path; NULL for plain text (line_start is the place)",
    )

    class Config:
        strict = True
        unique = ["document_id", "task_seq"]

    @pa.dataframe_check
    @classmethod
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
    source_location: str = pa.Field(
        nullable=True,
        description="Where line_start is in the original file: 'page 3' "
        "(PDF), 'paragraph 41' or 'table 2 row 5' (Word, HTML tables), an HTML element "
        "path; NULL for plain text (line_start is the place) and for findings without a line",
    )

    class Config:
        strict = True


class StgQuarantine(pa.DataFrameModel):
    """Rejected files or rows, with the reason. Grain: one rejection."""

    source_path: str = pa.Field(description="File relative to its raw root")
    raw_root: str = pa.Field(description="'raw' or 'extra<n>' (the n-th folder of GOVDATA_RAW_EXTRA)")
    sha256: str = pa.Field(nullable=True, description="sha256 of the bytes (NULL when unreadable)")
    stage: str = pa.Field(
        isin=["read", "decode", "parse", "score_load"],
        description="Stage that rejected it: read / decode / parse / score_load",
    )
    reason: str = pa.Field(str_length={"min_value": 5}, description="Why it was rejected, in words")
    source_ref: str = pa.Field(
        nullable=True, description="Row or cell rejected (file:line:column, file#sheet!row); NULL for a whole file"
    )
    # no detected_at: the time of a build lives only in build_info, so two builds of the same input are identical

    class Config:
        strict = True
        unique = ["raw_root", "source_path", "stage", "source_ref"]


LEVELS = ["total", "dimension", "subdimension", "area", "subindex"]
INDICATOR_RULES = [
    "alias",
    "outside_indices",
    "combined_heading_task_keywords",
    "combined_heading_first",
    "inferred_from_neighbours",
    "unmapped",
    "no_heading",
    "from_subdimension",
    "from_subsection",
    "family_total",
]
TIMELINE_KINDS = ["dated", "deadline", "recurring", "event", "phased", "unparsed", "empty"]
COMPARATORS = [">=", ">", "=", "<=", "<"]
UNITS = ["percent", "points", "rank", "rank_change", "count", "other"]


class StgTaskNormalised(pa.DataFrameModel):
    """Conformed codes and dates of each task. Grain: task_id."""

    task_id: str = pa.Field(unique=True, description="FK to fct_plan_task")
    document_id: str = pa.Field(description="FK to dim_document")
    family: str = pa.Field(nullable=True, isin=INDICES, description="Index family used to read the heading")
    indicator_code: str = pa.Field(
        nullable=True,
        str_matches=r"^(PAPI|PAR|PCI|SIPAS)\.",
        description="Conformed indicator (NULL: no index, or unmapped)",
    )
    indicator_rule: str = pa.Field(isin=INDICATOR_RULES, description="How the code was found")
    subindicator_code: str = pa.Field(nullable=True, str_matches=r"^PAPI\.D\d\.", description="Conformed sub-dimension")
    subindicator_rule: str = pa.Field(nullable=True, description="How the sub-dimension was found")
    due_start: pl.Date = pa.Field(nullable=True, description="First day of the timeline")
    due_end: pl.Date = pa.Field(nullable=True, description="Deadline: last day of the timeline")
    recurrence: str = pa.Field(
        nullable=True, description="continuous / annual / semiannual / quarterly / monthly, comma-separated"
    )
    timeline_kind: str = pa.Field(isin=TIMELINE_KINDS, description="Form of the timeline")
    timeline_event: str = pa.Field(
        nullable=True, description="Event the timeline depends on, as written (no date guessed)"
    )

    class Config:
        strict = True

    @pa.dataframe_check
    @classmethod
    def start_before_end(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("due_start").is_null() | pl.col("due_end").is_null() | (pl.col("due_start") <= pl.col("due_end"))
        )


class StgTaskAgency(pa.DataFrameModel):
    """Canonical agencies a task names. Grain: (task_id, agency_code, role)."""

    task_id: str = pa.Field(description="FK to fct_plan_task")
    document_id: str = pa.Field(description="FK to dim_document")
    agency_code: str = pa.Field(description="Canonical agency (raw/reference/agencies.csv)")
    agency_province_key: str = pa.Field(nullable=True, description="Province of the agency; NULL for generic groups")
    agency_unit_key: str = pa.Field(
        nullable=True,
        str_matches=r"^((2004|2025)-\d\d(/[a-z0-9-]+)?|UNRESOLVED)$",
        description="Unit the body belongs to, relative to the issuer: the province "
        "(2004-33), a district-level unit or commune (2004-33/thanh-pho-hung-yen), "
        "UNRESOLVED when the plan's province is unknown; NULL for groups",
    )
    agency_unit_level: str = pa.Field(
        nullable=True, isin=["province", "district", "commune"], description="Level of that unit"
    )
    name_vi: str = pa.Field(description="Canonical Vietnamese name")
    role: str = pa.Field(isin=["lead", "support"], description="lead (chủ trì) / support (phối hợp, invited)")
    as_written: str = pa.Field(description="The words of the plan that named it")

    class Config:
        strict = True
        unique = ["task_id", "agency_code", "role"]


class StgPlanTargets(pa.DataFrameModel):
    """Numeric targets stated in plans. Grain: target_id."""

    target_id: str = pa.Field(unique=True, description="Hash of document, line and quote")
    document_id: str = pa.Field(description="FK to dim_document")
    task_id: str = pa.Field(nullable=True, description="Task whose lines hold the target, if any")
    indicator_code: str = pa.Field(nullable=True, description="Indicator the target is about")
    province_key: str = pa.Field(nullable=True, description="Province of the plan")
    target_year: int = pa.Field(nullable=True, ge=FIRST_DATE.year, le=2100, description="Year the target is for")
    metric_text: str = pa.Field(description="What is measured, as written")
    comparator: str = pa.Field(isin=COMPARATORS, description=">=, >, =, <=, <")
    value: float = pa.Field(ge=0, description='Target value; the decimal comma read as a point ("6,00 điểm" = 6.00)')
    unit: str = pa.Field(isin=UNITS, description="percent / points / rank / rank_change / count / other")
    share_comparator: str = pa.Field(
        nullable=True,
        isin=COMPARATORS,
        description='For "100% đơn vị đạt trên 90%": the comparator on the share of units',
    )
    share_value: float = pa.Field(
        nullable=True, ge=0, le=100, description="The share of units (percent) that must meet the target"
    )
    paired_with_target_id: str = pa.Field(
        nullable=True, description='The target this one is paired with ("…, trong đó ít nhất 70% đơn vị đạt trên 95%")'
    )
    line: int = pa.Field(ge=1, description="Line of the quote in the normalised text")
    quote: str = pa.Field(description="The words of the target")
    source_path: str = pa.Field(description="Plan file")
    source_location: str = pa.Field(
        nullable=True,
        description="Where the quote's line is in the original file: "
        "'page 3' (PDF), 'paragraph 41' or 'table 2 row 5' (Word, HTML tables), an HTML "
        "element path; NULL for plain text (line is the place)",
    )

    class Config:
        strict = True

    @pa.dataframe_check
    @classmethod
    def percent_at_most_100(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("unit") != "percent") | (pl.col("value") <= 100))


class StgPlanQuotedScores(pa.DataFrameModel):
    """Index scores a plan states about its own province. Grain: (document_id, line, indicator_code, year)."""

    document_id: str = pa.Field(description="FK to dim_document")
    province_key: str = pa.Field(nullable=True, description="Province of the plan")
    year: int = pa.Field(ge=2006, le=2100, description="Index year the value is for")
    indicator_code: str = pa.Field(str_matches=r"^PAPI\.", description="Indicator quoted")
    score: float = pa.Field(nullable=True, ge=0, le=80, description="Value as written")
    rank: int = pa.Field(nullable=True, ge=1, description="Rank as written")
    n_ranked: int = pa.Field(nullable=True, ge=1, description="Out of how many, as written")
    claim: str = pa.Field(nullable=True, description="increase / decrease / sum_of_N_dimensions, as written")
    previous_score: float = pa.Field(nullable=True, description="The 'from' value of 'tăng từ A lên B'")
    previous_year: int = pa.Field(nullable=True, description="Year of the 'from' value")
    line: int = pa.Field(ge=1, description="Line of the quote")
    quote: str = pa.Field(description="The words of the plan")
    source_path: str = pa.Field(description="Plan file")
    source_ref: str = pa.Field(description="file:line")

    class Config:
        strict = True
        unique = ["document_id", "line", "indicator_code", "year"]


class StgIndexScores(pa.DataFrameModel):
    """Official index cells (PAPI workbook and panel; a user's full PAR table; the PCI workbooks and the Wikipedia PCI
    table), one per province, year, indicator and source. Missing cells are NULL rows. Grain: (province_key, year,
    indicator_code, source). The range of each row is its index's scale (scores.score_problem): a row outside it is
    quarantined while staging, so this contract holds for every staged row."""

    province_key: str = pa.Field(
        str_matches=r"^2004-\d\d$", description="Province (vintage 2004; 2004-28 is Hà Tây, 2005-2008)"
    )
    province_code: str = pa.Field(description="GSO code")
    year: int = pa.Field(ge=2005, le=2100, description="Index year")
    indicator_code: str = pa.Field(str_matches=r"^(PAPI|PAR|PCI|SIPAS)\.", description="Indicator")
    level: str = pa.Field(isin=LEVELS, description="subdimension / dimension / total / area / subindex")
    score: float = pa.Field(nullable=True, ge=0, le=100, description="Published value; NULL where the source is empty")
    source: str = pa.Field(
        isin=["papi_official_workbook", "papi_panel", "par_tidy", "pci_workbook", "pci_wikipedia"],
        description="Layout it came from",
    )
    source_ref: str = pa.Field(description="file:line or file#sheet!row or file#sheet!cell")
    source_column: str = pa.Field(description="Column in the source (SCdk, header or cell column)")
    source_path: str = pa.Field(description="File relative to its raw root")
    raw_root: str = pa.Field(description="Raw root")

    class Config:
        strict = True
        unique = ["province_key", "year", "indicator_code", "source"]

    @pa.dataframe_check
    @classmethod
    def within_index_scale(cls, data) -> pl.LazyFrame:
        """PAPI 6-60 total until 2017 / 8-80 from 2018, dimensions 1-10; PAR 0-100; PCI 0-100 headline and 0-10
        sub-indices; SIPAS 0-100; the year inside the indicator's years."""
        from pipelines.sources.scores.scores import scale_frame

        sc = scale_frame().lazy()
        j = data.lazyframe.with_row_index("_i").join(sc, on=["indicator_code", "year"], how="left")
        ok = pl.col("score").is_null() | pl.col("score").is_between(pl.col("lo") - 0.01, pl.col("hi") + 0.01)
        return j.sort("_i").select((pl.col("lo").is_not_null() & ok).alias("within_scale"))


class StgParPublished(pa.DataFrameModel):
    """PAR Index figures printed in news reports (partial). Grain: reference line."""

    year: int = pa.Field(ge=2012, le=2100, description="PAR Index year")
    unit_as_written: str = pa.Field(description="Province or NATIONAL_MEAN_63 as written")
    province_key: str = pa.Field(nullable=True, description="Province; NULL for national figures")
    province_code: str = pa.Field(nullable=True, description="GSO code")
    rank: int = pa.Field(nullable=True, ge=1, le=63, description="Published rank")
    score: float = pa.Field(nullable=True, ge=0, le=100, description="PAR Index, percent")
    source_ref: str = pa.Field(unique=True, description="Reference file and line")
    source_url: str = pa.Field(description="Where it was printed")
    note: str = pa.Field(nullable=True, description="Caveats from the reference")

    class Config:
        strict = True


class StgSipasPublished(pa.DataFrameModel):
    """SIPAS (citizen satisfaction, percent) figures printed in news reports (partial by nature: never a national
    table). Grain: reference line."""

    year: int = pa.Field(ge=2017, le=2100, description="SIPAS year")
    unit_as_written: str = pa.Field(description="Province, NATIONAL or LOWEST as written")
    province_key: str = pa.Field(nullable=True, description="Province; NULL for national figures and unnamed provinces")
    province_code: str = pa.Field(nullable=True, description="GSO code")
    rank: int = pa.Field(nullable=True, ge=1, le=63, description="Published rank")
    score: float = pa.Field(nullable=True, ge=0, le=100, description="SIPAS, percent")
    source_ref: str = pa.Field(unique=True, description="Reference file and line")
    source_url: str = pa.Field(description="Where it was printed")
    note: str = pa.Field(nullable=True, description="What the figure is, and caveats from the reference")

    class Config:
        strict = True


STAGING_MODELS: dict[str, type[pa.DataFrameModel]] = {
    "stg_documents": StgDocuments,
    "stg_plan_tasks": StgPlanTasks,
    "stg_findings": StgFindings,
    "stg_quarantine": StgQuarantine,
    "stg_task_normalised": StgTaskNormalised,
    "stg_task_agency": StgTaskAgency,
    "stg_plan_targets": StgPlanTargets,
    "stg_plan_quoted_scores": StgPlanQuotedScores,
    "stg_normalise_findings": StgFindings,
    "stg_index_scores": StgIndexScores,
    "stg_par_published": StgParPublished,
    "stg_sipas_published": StgSipasPublished,
    "stg_score_quarantine": StgQuarantine,
    "stg_score_findings": StgFindings,
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
