"""Contracts of the tables the SQL models build (dimensions, facts, marts): Pandera model, checks and column docs
in one place. The column docs become `COMMENT ON COLUMN` in the warehouse and the asset's column schema; the SQL
file keeps only the table description and grain. Cross-table rules (foreign keys) are SQL checks in assets/checks.py.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import pandera.polars as pa
import polars as pl

from pipelines.domain.conform import DOC_TYPE_VALUES, FIRST_DATE

from .domain.scores import columns_for_year, dimensions_for_year, total_scale
from .schemas import (
    COMPARATORS,
    INDICATOR_RULES,
    INDICES,
    ISSUER_LEVELS,
    LEVELS,
    SEVERITIES,
    TIMELINE_KINDS,
    StgPlanTargets,
    StgPlanTasks,
    StgQuarantine,
)

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


def _within_papi_scale(lf: pl.LazyFrame, only_sources: list[str] | None = None) -> pl.LazyFrame:
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


def _rank_within_n(lf: pl.LazyFrame) -> pl.LazyFrame:
    return lf.select(
        pl.col("rank").is_null() | pl.col("n_ranked").is_null() | pl.col("rank").is_between(1, pl.col("n_ranked"))
    )


# ---------------------------------------------------------------- dimensions


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
    format: str = pa.Field(
        isin=["txt", "docx", "pdf", "html", "doc"], description="File format read: txt / docx / pdf / html / doc"
    )
    page_count: int = pa.Field(nullable=True, ge=0, description="Pages of a PDF; NULL for other formats")
    text_source: str = pa.Field(
        isin=["native", "converted", "ocr"],
        description="native (the file's own text), converted (a .doc through antiword or LibreOffice), ocr (Tesseract on a scanned PDF)",
    )
    issuer_name: str = pa.Field(
        nullable=True,
        description="Issuer: a People's Committee or Council (canonical spelling), or a body above the provinces as "
        "its masthead prints it (issuer_level central)",
    )
    issuer_level: str = pa.Field(
        nullable=True, isin=ISSUER_LEVELS, description="central / province / district / commune"
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


class DimProvince(pa.DataFrameModel):
    """Provinces in two vintages: 63 until 30 June 2025, 34 units from 1 July 2025."""

    province_key: str = pa.Field(
        unique=True,
        str_matches=PROVINCE_KEY,
        description="vintage-code, e.g. 2004-79 (Hồ Chí Minh until 2025), 2025-79 (the merged unit)",
    )
    vintage: pl.Int32 = pa.Field(
        isin=[2004, 2025],
        description="2004 (GSO 2004 code list, 63 provinces) or 2025 (Resolution 202/2025/QH15, 34 units)",
    )
    code: str = pa.Field(str_matches=r"^\d\d$", description="GSO code (2 digits); reused across vintages")
    name_vi: str = pa.Field(description="Vietnamese name")
    name_ascii: str = pa.Field(description="Name without diacritics")
    unit_type: str = pa.Field(description="Province or centrally-run city")
    region: str = pa.Field(description="GSO six-region grouping (for 2025 units: the region of the seat province)")
    iso_3166_2: str = pa.Field(nullable=True, str_matches=r"^VN-", description="ISO 3166-2 code (2004 vintage)")
    valid_from: pl.Date = pa.Field(
        nullable=True, description="First day the unit existed in this form (NULL for Hà Tây: not recorded here)"
    )
    valid_to: pl.Date = pa.Field(nullable=True, description="Last day (NULL while in force)")
    successor_key: str = pa.Field(
        nullable=True,
        str_matches=r"^(2025|2004)-\d\d$",
        description="For a 2004 province, the 2025 unit it became part of (Hà Tây: Hà Nội 2004-01, merged 1 August 2008)",
    )
    papi_panel_code: str = pa.Field(nullable=True, description="Province code in the PAPI panel files")

    class Config:
        strict = True

    @pa.dataframe_check
    @classmethod
    def sixty_three_then_thirty_four(cls, data) -> pl.LazyFrame:
        """63 provinces of the 2004 vintage in force until 30 June 2025 (plus Hà Tây, dissolved on 1 August 2008,
        the one 2004 row with a valid_to before 2025), and 34 units from 1 July 2025."""
        in_force = (pl.col("vintage") == 2004) & (
            pl.col("valid_to").is_null() | (pl.col("valid_to") >= dt.date(2025, 6, 30))
        )
        n = in_force.sum().over("vintage")
        dissolved = (pl.col("vintage") == 2004) & ~in_force
        return data.lazyframe.select(
            (in_force & (n == 63))
            | (dissolved & (pl.col("province_key") == "2004-28"))
            | ((pl.col("vintage") == 2025) & (pl.len().over("vintage") == 34))
        )

    @pa.dataframe_check
    @classmethod
    def every_2004_province_has_a_successor(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("vintage") != 2004) | pl.col("successor_key").is_not_null())


class DimIndicator(pa.DataFrameModel):
    """PAPI total, dimensions and sub-dimension concepts; the PAR Index and its areas; PCI headline and sub-indices;
    SIPAS."""

    indicator_code: str = pa.Field(
        unique=True,
        str_matches=INDICATOR,
        description="PAPI.TOTAL, PAPI.D1 ... PAPI.D8, PAPI.Dn.<CONCEPT>, PAR.TOTAL, PAR.<AREA>, "
        "PCI.TOTAL, PCI.TOTAL_UNWEIGHTED, PCI.<SUB_INDEX>, SIPAS.TOTAL",
    )
    family: str = pa.Field(isin=INDICES, description="PAPI / PAR_INDEX / PCI / SIPAS")
    level: str = pa.Field(isin=LEVELS, description="total / dimension / subdimension / area / subindex (PCI)")
    parent_code: str = pa.Field(
        nullable=True, description="The dimension of a sub-dimension, the total of a dimension or area"
    )
    name_vi: str = pa.Field(description="Vietnamese name")
    name_en: str = pa.Field(description="English name")
    first_year: pl.Int32 = pa.Field(ge=2005, le=2100, description="First year the index published it")
    last_year: pl.Int32 = pa.Field(
        nullable=True, ge=2005, le=2100, description="Last year it was published (NULL while current)"
    )
    scale_min: float = pa.Field(
        nullable=True,
        ge=0,
        description="Lowest possible score (sub-dimensions: over all periods; see int_papi_columns_by_year for a year)",
    )
    scale_max: float = pa.Field(nullable=True, gt=0, le=100, description="Highest possible score")
    note: str = pa.Field(nullable=True, description="Renamings and caveats")
    source_columns: str = pa.Field(nullable=True, description="Panel columns that carried it, by period")

    class Config:
        strict = True

    @pa.dataframe_check
    @classmethod
    def only_totals_have_no_parent(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("level") == "total") == pl.col("parent_code").is_null())

    @pa.dataframe_check
    @classmethod
    def scale_ordered(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("scale_min").is_null() | (pl.col("scale_min") < pl.col("scale_max")))


class DimAgency(pa.DataFrameModel):
    """Canonical agencies named by some plan: one per agency per province, one per generic group."""

    agency_id: str = pa.Field(
        unique=True,
        str_matches=r"^((2004|2025)-\d\d(/[a-z0-9-]+)?|GROUP|UNRESOLVED):[A-Z0-9_]+$",
        description="<unit_key>:<agency_code> for an agency (the unit it belongs to: 2004-79, "
        "2004-33/thanh-pho-hung-yen), GROUP:<agency_code> for a generic group, "
        "UNRESOLVED:<agency_code> when the plan's province could not be read",
    )
    agency_code: str = pa.Field(
        description="Code in raw/reference/agencies.csv (shared by the same agency in every province)"
    )
    name_vi: str = pa.Field(description="Canonical Vietnamese name, titles dropped and abbreviations expanded")
    name_en: str = pa.Field(description="English name")
    province_key: str = pa.Field(
        nullable=True,
        str_matches=PROVINCE_KEY,
        description="Province of the agency (vintage 2004); NULL for generic groups",
    )
    unit_key: str = pa.Field(
        nullable=True,
        description="Unit the body belongs to: the province, a district-level "
        "unit or commune under it, UNRESOLVED; NULL for groups",
    )
    unit_level: str = pa.Field(nullable=True, isin=["province", "district", "commune"], description="Level of the unit")
    parent_unit_key: str = pa.Field(nullable=True, description="Province a district-level unit or commune belongs to")
    sector: str = pa.Field(
        description="home_affairs, justice, finance, information_communications, health, education, ..."
    )
    level: str = pa.Field(
        isin=["central", "province", "district", "commune", "mass_organisation", "party", "public"],
        description="central / province / district / commune / mass_organisation / party / public",
    )
    agency_type: str = pa.Field(
        description="department, inspectorate, police, steering_committee, party, media, group, ..."
    )
    is_group: bool = pa.Field(description="True for a generic group of agencies")

    class Config:
        strict = True

    @pa.dataframe_check
    @classmethod
    def groups_have_no_province(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("is_group") == pl.col("agency_id").str.starts_with("GROUP:"))

    @pa.dataframe_check
    @classmethod
    def unit_key_in_id(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("is_group") | pl.col("agency_id").str.starts_with(pl.col("unit_key") + ":"))


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


# ---------------------------------------------------------------- facts


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


class FctPlanTarget(StgPlanTargets):
    """Numeric targets stated in plans, from task rows and narrative lines: the staging contract, with the keys'
    formats and the rank and points ranges on top."""

    document_id: str = pa.Field(str_matches=DOC_ID, description="FK to dim_document")
    indicator_code: str = pa.Field(nullable=True, str_matches=INDICATOR, description="Indicator the target is about")
    province_key: str = pa.Field(nullable=True, str_matches=PROVINCE_KEY, description="Province of the plan")
    is_index_target: bool = pa.Field(
        description="True for a target on an index's own value: a PAPI score, rank or rank change, the PAR Index, PCI "
        "or SIPAS headline score or rank, the PAR Index or SIPAS percent (mart_target_vs_actual evaluates these)"
    )
    restates_target_id: str = pa.Field(
        nullable=True,
        description="For an index target the plan states again (same indicator, year, comparator, value "
        "and unit, e.g. in the preamble and in the objectives): the first statement, the one "
        "mart_target_vs_actual evaluates; NULL for the first statement and other targets",
    )

    @pa.dataframe_check
    @classmethod
    def only_index_targets_restate(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("restates_target_id").is_null()
            | (pl.col("is_index_target") & (pl.col("restates_target_id") != pl.col("target_id")))
        )

    @pa.dataframe_check
    @classmethod
    def rank_target_within_63(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("unit") != "rank") | pl.col("value").is_between(1, 63))

    @pa.dataframe_check
    @classmethod
    def papi_points_within_total_scale(cls, data) -> pl.LazyFrame:
        # a PAPI points target is at most the 80-point total of 2018 onwards
        return data.lazyframe.select(
            (pl.col("unit") != "points")
            | ~pl.col("indicator_code").str.starts_with("PAPI.").fill_null(False)
            | (pl.col("value") <= 80)
        )


class FctIndicatorScore(pa.DataFrameModel):
    """Index scores by province, year, indicator and source (official, plan text, press)."""

    province_key: str = pa.Field(
        str_matches=r"^2004-\d\d$", description="Province (vintage 2004, as the indices report it)"
    )
    year: int = pa.Field(ge=2005, le=2100, description="Index year")
    indicator_code: str = pa.Field(str_matches=INDICATOR, description="FK to dim_indicator")
    source: str = pa.Field(isin=SCORE_SOURCES, description=" / ".join(SCORE_SOURCES))
    source_ref: str = pa.Field(description="file:line, file#sheet!row, or the derivation")
    level: str = pa.Field(isin=LEVELS, description="total / dimension / subdimension / area / subindex (PCI)")
    score: float = pa.Field(
        nullable=True, ge=0, le=100, description="The value; NULL where the source has none (never 0, never imputed)"
    )
    rank: int = pa.Field(
        nullable=True,
        ge=1,
        le=MAX_UNITS,
        description="Rank among provinces with a value (plan_text: the rank the plan states)",
    )
    n_ranked: int = pa.Field(nullable=True, ge=1, le=MAX_UNITS, description="Number of provinces ranked")
    derivation: str = pa.Field(description="published / sum_of_subdimensions / sum_of_dimensions / stated_in_plan")
    document_id: str = pa.Field(
        nullable=True, str_matches=DOC_ID, description="Plan that states the score (plan_text rows)"
    )
    is_partial: bool = pa.Field(description="True for sources that cover only some provinces (press figures)")
    is_preferred: bool = pa.Field(description="True on the official row marts use for a province, year and indicator")
    reconciliation: str = pa.Field(
        nullable=True,
        isin=["matches", "contradicts", "not_checkable"],
        description="For plan_text rows: matches / contradicts / not_checkable",
    )
    official_score: float = pa.Field(
        nullable=True, description="For plan_text rows: the official value it was checked against"
    )

    class Config:
        strict = True
        unique = ["province_key", "year", "indicator_code", "source", "source_ref"]

    @pa.dataframe_check
    @classmethod
    def official_papi_within_scale_of_its_year(cls, data) -> pl.LazyFrame:
        """Total 6-60 until 2017 and 8-80 from 2018; dimension 1-10; sub-dimension 1/k-10/k of its period."""
        return _within_papi_scale(data.lazyframe, OFFICIAL_PAPI)

    @pa.dataframe_check
    @classmethod
    def rank_within_n_ranked(cls, data) -> pl.LazyFrame:
        return _rank_within_n(data.lazyframe)

    @pa.dataframe_check
    @classmethod
    def plan_rows_carry_their_document(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("source") == "plan_text") == pl.col("document_id").is_not_null())

    @pa.dataframe_check
    @classmethod
    def plan_text_never_preferred(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(~((pl.col("source") == "plan_text") & pl.col("is_preferred")))


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


class RefMethodologyBreak(pa.DataFrameModel):
    """Methodology breaks: the first year an indicator was measured differently from the year before."""

    indicator_code: str = pa.Field(str_matches=INDICATOR, description="FK to dim_indicator")
    year: pl.Int32 = pa.Field(ge=2009, le=2100, description="First year of the new methodology")
    kind: str = pa.Field(
        isin=["dimensions_changed", "sub_dimensions_changed"],
        description="dimensions_changed (dimensions added) / sub_dimensions_changed (added, dropped, redefined)",
    )
    what_changed_en: str = pa.Field(description="What changed, in English")
    what_changed_vi: str = pa.Field(description="What changed, in Vietnamese")

    class Config:
        strict = True
        unique = ["indicator_code", "year"]


# ---------------------------------------------------------------- marts


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
        return _within_papi_scale(data.lazyframe)

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
        return _rank_within_n(data.lazyframe)


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


class MartTargetVsActual(pa.DataFrameModel):
    """Every score or rank target on an index (PAPI; PAR Index, PCI, SIPAS headlines) against the official value."""

    target_id: str = pa.Field(unique=True, description="FK to fct_plan_target")
    document_id: str = pa.Field(str_matches=DOC_ID, description="Plan")
    plan_number: str = pa.Field(
        nullable=True,
        description="The plan's document number(s) as issued, e.g. 3897/QĐ-UBND "
        "('; ' between several); NULL when none was read",
    )
    issuer_name: str = pa.Field(nullable=True, description="Body that issued the plan (see dim_document.issuer_level)")
    plan_year_start: int = pa.Field(nullable=True, ge=FIRST_DATE.year, le=2100, description="First plan year")
    plan_year_end: int = pa.Field(
        nullable=True, ge=FIRST_DATE.year, le=2100, description="Last plan year; NULL when open-ended"
    )
    province_key: str = pa.Field(nullable=True, str_matches=PROVINCE_KEY, description="Province of the plan")
    indicator_code: str = pa.Field(
        str_matches=r"^(PAPI\.|PAR\.TOTAL$|PCI\.TOTAL$|SIPAS\.TOTAL$)",
        description="PAPI indicator, or the PAR Index, PCI or SIPAS headline",
    )
    year: int = pa.Field(nullable=True, ge=2005, le=2100, description="Target year")
    comparator: str = pa.Field(isin=COMPARATORS, description=">=, >, =, <=, <")
    target_value: float = pa.Field(ge=0, description="Target value")
    unit: str = pa.Field(
        isin=["points", "rank", "rank_change", "percent"],
        description="points / rank / rank_change / percent (PAR Index and SIPAS values are percent)",
    )
    actual_value: float = pa.Field(
        nullable=True, description="Official score, rank, or rank places gained in the target year"
    )
    actual_score: float = pa.Field(nullable=True, ge=0, le=100, description="Official score in the target year")
    actual_rank: int = pa.Field(nullable=True, ge=1, le=MAX_UNITS, description="Official rank in the target year")
    n_ranked: int = pa.Field(nullable=True, ge=1, le=MAX_UNITS, description="Provinces ranked that year")
    status: str = pa.Field(isin=STATUSES, description="met / not_met / not_evaluable")
    status_reason: str = pa.Field(
        nullable=True,
        description="Why a target is not evaluable (district-level plan, year not held, only partial press figures, no official value)",
    )
    quote: str = pa.Field(description="The words of the target")
    line: int = pa.Field(ge=1, description="Line of the quote (the target's first statement in the plan)")
    restated_at_lines: list[int] = pa.Field(
        nullable=True,
        description="Other lines of the plan that state the same target again (fct_plan_target."
        "restates_target_id); NULL when it is stated once",
    )
    source_path: str = pa.Field(description="Plan file")

    class Config:
        strict = True

    @pa.dataframe_check
    @classmethod
    def reason_exactly_when_not_evaluable(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("status") == "not_evaluable") == pl.col("status_reason").is_not_null())

    @pa.dataframe_check
    @classmethod
    def evaluated_targets_have_a_value(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("status") == "not_evaluable") | pl.col("actual_value").is_not_null())


class MartIndexPanel(pa.DataFrameModel):
    """Cross-index panel: PAPI, PCI, PAR Index and SIPAS side by side per province and year, with coverage flags."""

    province_key: str = pa.Field(
        str_matches=r"^2004-\d\d$", description="Province (vintage 2004; 2004-28 Hà Tây for PCI 2005-2008)"
    )
    province_name: str = pa.Field(description="Province name")
    year: int = pa.Field(ge=2005, le=2100, description="Index year")
    papi_total: float = pa.Field(
        nullable=True, ge=6, le=80, description="PAPI total (6-60 until 2017, 8-80 from 2018); NULL where not held"
    )
    papi_d1: float = pa.Field(nullable=True, ge=1, le=10, description="PAPI D1 Participation at local levels")
    papi_d2: float = pa.Field(nullable=True, ge=1, le=10, description="PAPI D2 Transparency")
    papi_d3: float = pa.Field(nullable=True, ge=1, le=10, description="PAPI D3 Vertical accountability")
    papi_d4: float = pa.Field(nullable=True, ge=1, le=10, description="PAPI D4 Control of corruption")
    papi_d5: float = pa.Field(nullable=True, ge=1, le=10, description="PAPI D5 Public administrative procedures")
    papi_d6: float = pa.Field(nullable=True, ge=1, le=10, description="PAPI D6 Public service delivery")
    papi_d7: float = pa.Field(nullable=True, ge=1, le=10, description="PAPI D7 Environmental governance (from 2018)")
    papi_d8: float = pa.Field(nullable=True, ge=1, le=10, description="PAPI D8 E-governance (from 2018)")
    pci_total: float = pa.Field(nullable=True, ge=0, le=100, description="PCI headline, weighted (0-100)")
    pci_total_unweighted: float = pa.Field(
        nullable=True, ge=0, le=100, description="PCI unweighted, where printed (2007, 2008, 2010)"
    )
    pci_entry_costs: float = pa.Field(nullable=True, ge=0, le=10, description="PCI sub-index Entry costs (0-10)")
    pci_land_access: float = pa.Field(nullable=True, ge=0, le=10, description="PCI sub-index Land access (0-10)")
    pci_transparency: float = pa.Field(nullable=True, ge=0, le=10, description="PCI sub-index Transparency (0-10)")
    pci_time_costs: float = pa.Field(nullable=True, ge=0, le=10, description="PCI sub-index Time costs (0-10)")
    pci_informal_charges: float = pa.Field(
        nullable=True, ge=0, le=10, description="PCI sub-index Informal charges (0-10)"
    )
    pci_policy_bias: float = pa.Field(
        nullable=True, ge=0, le=10, description="PCI sub-index Policy bias (0-10; not published 2009-2012)"
    )
    pci_proactivity: float = pa.Field(nullable=True, ge=0, le=10, description="PCI sub-index Proactivity (0-10)")
    pci_business_support: float = pa.Field(
        nullable=True, ge=0, le=10, description="PCI sub-index Business support (0-10)"
    )
    pci_labor_training: float = pa.Field(
        nullable=True, ge=0, le=10, description="PCI sub-index Labor training (0-10; from 2006)"
    )
    pci_legal_institutions: float = pa.Field(
        nullable=True, ge=0, le=10, description="PCI sub-index Legal institutions (0-10; from 2006)"
    )
    pci_policy_consistency: float = pa.Field(
        nullable=True, ge=0, le=10, description="PCI sub-index Implementation and consistency of policies (2005 only)"
    )
    par_index: float = pa.Field(nullable=True, ge=0, le=100, description="PAR Index, percent")
    par_is_partial: bool = pa.Field(description="True when the PAR value comes from press figures (partial source)")
    sipas: float = pa.Field(nullable=True, ge=0, le=100, description="SIPAS satisfaction, percent")
    sipas_is_partial: bool = pa.Field(
        description="True when the SIPAS value comes from press figures (always, for now)"
    )
    has_papi: bool = pa.Field(description="A PAPI total is held for the province and year")
    has_pci: bool = pa.Field(description="A PCI headline is held")
    has_par: bool = pa.Field(description="A PAR Index value is held")
    has_sipas: bool = pa.Field(description="A SIPAS value is held")
    n_indices: pl.Int32 = pa.Field(ge=0, le=4, description="How many of the four headline values are held")

    class Config:
        strict = True
        unique = ["province_key", "year"]

    @pa.dataframe_check
    @classmethod
    def flags_follow_values(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("has_papi") == pl.col("papi_total").is_not_null())
            & (pl.col("has_pci") == pl.col("pci_total").is_not_null())
            & (pl.col("has_par") == pl.col("par_index").is_not_null())
            & (pl.col("has_sipas") == pl.col("sipas").is_not_null())
        )


class MartScoreChange(pa.DataFrameModel):
    """Change of an official score between any base year and any later year, with the breaks in between."""

    province_key: str = pa.Field(str_matches=r"^2004-\d\d$", description="Province (vintage 2004)")
    province_name: str = pa.Field(description="Province name")
    unit_2025_key: str = pa.Field(str_matches=r"^2025-\d\d$", description="The 2025 unit the province became part of")
    indicator_code: str = pa.Field(str_matches=INDICATOR, description="Indicator")
    family: str = pa.Field(isin=INDICES, description="PAPI / PAR_INDEX / PCI / SIPAS")
    level: str = pa.Field(isin=LEVELS, description="total / dimension / subdimension / area / subindex (PCI)")
    base_year: pl.Int32 = pa.Field(ge=2005, le=2100, description="The base year the analyst chooses (filter on it)")
    year: int = pa.Field(ge=2005, le=2100, description="A later year with a score")
    base_score: float = pa.Field(ge=0, le=100, description="Official score in base_year")
    score: float = pa.Field(ge=0, le=100, description="Official score in year")
    comparable: bool = pa.Field(description="True when no methodology break of the indicator lies in (base_year, year]")
    change: float = pa.Field(
        nullable=True,
        description="score minus base_score; NULL when not comparable (a "
        "methodology break in between: the two scores measure different things)",
    )
    breaks_between: list[int] = pa.Field(
        nullable=True,
        description="Years of the indicator's methodology breaks in (base_year, year] "
        "(ref_methodology_break); NULL when none",
    )

    class Config:
        strict = True
        unique = ["province_key", "indicator_code", "base_year", "year"]

    @pa.dataframe_check
    @classmethod
    def change_exactly_when_comparable(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("comparable") == pl.col("change").is_not_null())
            & (pl.col("comparable") == pl.col("breaks_between").is_null())
            & (pl.col("base_year") < pl.col("year"))
        )


class MartScores2025Units(pa.DataFrameModel):
    """Official scores for the 34 units of 2025: the unweighted mean of the member provinces, with coverage."""

    unit_2025_key: str = pa.Field(str_matches=r"^2025-\d\d$", description="The 2025 unit (FK to dim_province)")
    unit_2025_name: str = pa.Field(description="Name of the 2025 unit")
    year: int = pa.Field(ge=2005, le=2100, description="Index year (the indices reported the old provinces)")
    indicator_code: str = pa.Field(str_matches=INDICATOR, description="Indicator")
    family: str = pa.Field(isin=INDICES, description="PAPI / PAR_INDEX / PCI / SIPAS")
    level: str = pa.Field(isin=LEVELS, description="total / dimension / subdimension / area / subindex (PCI)")
    indicator_name_en: str = pa.Field(description="Indicator name in English")
    score_unweighted: float = pa.Field(
        nullable=True,
        ge=0,
        le=100,
        description="Unweighted mean of the scores of the members that have one (members_covered of them); NULL "
        "when none has. Not the unit's score unless all_members_covered: check it",
    )
    score_pop_weighted: float = pa.Field(
        nullable=True,
        ge=0,
        le=100,
        description="Mean of the members' scores weighted by GSO's average population of population_year "
        "(PX-Web table V02.01, stg_ref_population), over the members_weighted members with both a score and a "
        "population; NULL when none has both (GSO's table starts in 2011)",
    )
    population_year: int = pa.Field(
        nullable=True,
        ge=2011,
        le=2100,
        description="Year of the population used as weights: the score year, or the latest year GSO's table holds "
        "before it (2022 for the 2023 and 2024 scores); NULL with score_pop_weighted",
    )
    members_weighted: int = pa.Field(
        ge=0, le=4, description="Members in the weighted mean (with a score and a population that year)"
    )
    members_total: int = pa.Field(
        ge=1,
        le=4,
        description="Old provinces whose territory is in the unit and that existed that year (Hà Tây until 2008)",
    )
    members_covered: int = pa.Field(ge=0, le=4, description="Members with a score that year")
    all_members_covered: bool = pa.Field(
        description="True when every member has a score (members_covered = "
        "members_total); false: the mean leaves members out"
    )
    member_keys: list[str] = pa.Field(description="The members' province keys (vintage 2004)")
    members_missing: list[str] = pa.Field(
        nullable=True, description="Names of the members without a score; NULL when all are covered"
    )
    is_partial: bool = pa.Field(description="True when a member's value comes from a partial source (press figures)")

    class Config:
        strict = True
        unique = ["unit_2025_key", "year", "indicator_code"]

    @pa.dataframe_check
    @classmethod
    def coverage_adds_up(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("members_covered") <= pl.col("members_total"))
            & (pl.col("all_members_covered") == (pl.col("members_covered") == pl.col("members_total")))
            & (pl.col("score_unweighted").is_null() == (pl.col("members_covered") == 0))
            & (pl.col("members_missing").is_null() == pl.col("all_members_covered"))
            & (pl.col("member_keys").list.len() == pl.col("members_total"))
            & (pl.col("members_weighted") <= pl.col("members_covered"))
            & (pl.col("score_pop_weighted").is_null() == (pl.col("members_weighted") == 0))
            & (pl.col("population_year").is_null() == pl.col("score_pop_weighted").is_null())
            & (pl.col("population_year").is_null() | (pl.col("population_year") <= pl.col("year")))
        )

    @pa.dataframe_check
    @classmethod
    def thirty_four_units_per_indicator_year(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.len().over("year", "indicator_code") == 34)


CORE_MODELS: dict[str, type[pa.DataFrameModel]] = {
    "dim_document": DimDocument,
    "dim_province": DimProvince,
    "dim_indicator": DimIndicator,
    "dim_agency": DimAgency,
    "bridge_task_agency": BridgeTaskAgency,
    "fct_plan_task": FctPlanTask,
    "fct_plan_target": FctPlanTarget,
    "fct_indicator_score": FctIndicatorScore,
    "dq_finding": DqFinding,
    "ref_methodology_break": RefMethodologyBreak,
    "quarantine": StgQuarantine,  # plan and score rejections: the same contract as their staging tables
    "mart_province_scores": MartProvinceScores,
    "mart_plan_coverage": MartPlanCoverage,
    "mart_agency_workload": MartAgencyWorkload,
    "mart_target_vs_actual": MartTargetVsActual,
    "mart_index_panel": MartIndexPanel,
    "mart_score_change": MartScoreChange,
    "mart_scores_2025_units": MartScores2025Units,
}
