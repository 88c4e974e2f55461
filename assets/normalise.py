"""Normalisation, scores and reference seeds: thin Dagster wrappers over pipelines.staging.frames and
pipelines.staging.incremental."""

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from assets._meta import markdown_preview, table_metadata, table_metadata_from_db
from assets.resources import SettingsResource
from pipelines.automation import record_read_state
from pipelines.normalise.agencies import aliases
from pipelines.normalise.indicators import indicator_aliases
from pipelines.quality.schemas import STAGING_MODELS, column_docs
from pipelines.sources.plans.ingest import raw_roots
from pipelines.staging.frames import REFERENCE_SEEDS, reference_frames, stage_scores
from pipelines.staging.incremental import sync_normalised, used_aliases
from pipelines.warehouse.db import write_table

OWNERS = ["team:governance-data"]


def _specs(descriptions: dict[str, str], deps: list[str], kinds=frozenset({"python", "duckdb"})):
    return [
        dg.AssetSpec(
            n,
            group_name="raw" if n.startswith("raw_") else "staging",
            kinds=set(kinds),
            owners=OWNERS,
            description=d,
            deps=deps,
        )
        for n, d in descriptions.items()
    ]


def _write_and_report(con, frames: dict[str, pl.DataFrame], extra: dict[str, dict] | None = None):
    for name, df in frames.items():
        docs = column_docs(STAGING_MODELS[name]) if name in STAGING_MODELS else {}
        write_table(con, name, df, docs)
    for name, df in frames.items():
        docs = column_docs(STAGING_MODELS[name]) if name in STAGING_MODELS else {}
        yield dg.MaterializeResult(asset_key=name, metadata=table_metadata(df, docs, **(extra or {}).get(name, {})))


_REF_DESC = {
    "stg_ref_provinces": "The 63 provinces in force until 30 June 2025 (raw/reference/provinces_63.csv), as text.",
    "stg_ref_provinces_dissolved": "Provinces dissolved before 2008 that indices still report (Hà Tây, merged into Hà Nội "
    "on 1 August 2008; raw/reference/provinces_dissolved.csv), as text.",
    "stg_ref_merger_2025": "The 34 units from 1 July 2025 and their member provinces (raw/reference/merger_2025.csv).",
    "stg_ref_indicators": "PAPI dimensions, sub-dimension concepts and PAR areas (raw/reference/indicators.csv).",
    "stg_ref_papi_score_columns": "Meaning of each PAPI panel column SCdk by period (raw/reference/papi_score_columns.csv).",
    "stg_ref_agencies": "Canonical agencies and groups with sector, level and type (raw/reference/agencies.csv).",
}


@dg.multi_asset(
    specs=_specs(_REF_DESC, []),
    name="stg_reference",
    retry_policy=dg.RetryPolicy(max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL),
)
def stg_reference(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """Reference seeds, copied as text; casts happen in the dim_ models."""
    frames = reference_frames()
    assert set(frames) == set(REFERENCE_SEEDS)
    with duckdb.get_connection() as con:
        yield from _write_and_report(con, frames)


_NORM_DESC = {
    "stg_task_normalised": "Per task: indicator and sub-dimension codes (mapping file raw/reference/indicator_aliases.csv), "
    "due_start/due_end/recurrence parsed from the timeline.",
    "stg_task_agency": "Per task: canonical agencies (raw/reference/agency_aliases.csv) with role lead/support and the words that named them.",
    "stg_plan_targets": "Numeric targets read from task rows and narrative lines: comparator, value, unit, indicator, year, pairing.",
    "stg_plan_quoted_scores": "Index scores the plans state about their own province, with line and quote.",
    "stg_normalise_findings": "Findings of normalisation: unmapped headings and agencies, deadlines before issue, "
    "contradictions inside a plan (increase to a lower value, totals, baselines).",
}


@dg.multi_asset(
    specs=_specs(_NORM_DESC, ["stg_documents", "stg_plan_tasks"]),
    name="stg_normalise",
    retry_policy=dg.RetryPolicy(max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL),
)
def stg_normalise(context: dg.AssetExecutionContext, duckdb: DuckDBResource, settings: SettingsResource):
    """Normalise the documents staged since the last run; rows of documents that left are dropped."""
    s = settings.get()
    with duckdb.get_connection() as con:
        report = sync_normalised(
            con,
            cache_dir=s.normalise_cache_dir,
            parse_cache_dir=s.parse_cache_dir,
            progress=lambda i, n, unchanged: context.log.info(
                f"{i}/{n} new documents normalised ({unchanged} unchanged documents kept)"
            ),
        )
        context.log.info(
            f"{report.added} documents normalised ({report.reused_from_cache} from the cache), "
            f"{report.removed} removed, {report.unchanged} unchanged"
        )
        used = used_aliases(con)
        unused_agency = sorted(a.alias for a in aliases() if a.alias not in used)
        unmapped = con.sql("SELECT * FROM stg_normalise_findings WHERE rule = 'indicator_unmapped'").pl()
        unknown_agencies = con.sql("SELECT * FROM stg_normalise_findings WHERE rule = 'agency_unknown'").pl()
        if unused_agency:
            context.log.warning(f"agency aliases unused by this corpus: {unused_agency}")
        if unmapped.height:
            context.log.warning(f"{unmapped.height} unmapped headings")
        extra = {
            "stg_task_normalised": {
                "unmapped_headings": dg.MetadataValue.md(markdown_preview(unmapped, n=50)),
                "n_unmapped_headings": unmapped.height,
                "indicator_aliases": len(indicator_aliases()),
                "documents_normalised_now": report.added,
                "documents_unchanged": report.unchanged,
            },
            "stg_task_agency": {
                "unknown_agency_names": dg.MetadataValue.md(markdown_preview(unknown_agencies, n=50)),
                "n_unknown_agency_names": unknown_agencies.height,
                "unused_aliases": ", ".join(unused_agency) or "none",
            },
        }
        for name in _NORM_DESC:
            yield dg.MaterializeResult(
                asset_key=name,
                metadata=table_metadata_from_db(con, name, column_docs(STAGING_MODELS[name]), **extra.get(name, {})),
            )


_SCORE_DESC = {
    "raw_score_files": "Every file under a scores/ folder of a raw root, with the layout it was read as and what it gave.",
    "stg_index_scores": "Official index cells: PAPI workbook 2011-2016 and sub-dimension panel 2011-2024, the VCCI PCI "
    "workbooks 2005-2016 and the Wikipedia PCI table 2006-2015, and a full PAR table when a user "
    "supplies one; one row per province, year, indicator and source; empty cells are NULL rows, "
    "never 0; a row outside its index's scale or years is quarantined.",
    "stg_par_published": "PAR Index figures printed in news reports (raw/reference), partial.",
    "stg_sipas_published": "SIPAS figures printed in news reports (raw/reference/sipas_published_figures.csv), partial.",
    "stg_score_quarantine": "Score files, rows or cells rejected (non-numeric, out of range, duplicate, unknown province).",
    "stg_score_findings": "Findings while loading scores (a 0 that means missing, values slightly outside their range).",
}


@dg.multi_asset(
    specs=_specs(_SCORE_DESC, []),
    name="stg_scores",
    retry_policy=dg.RetryPolicy(max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL),
)
def stg_scores(context: dg.AssetExecutionContext, duckdb: DuckDBResource, settings: SettingsResource):
    s = settings.get()
    record_read_state("scores", s)  # before reading (see pipelines/automation.py RAW_STATE)
    staged = stage_scores(settings=s, cache_dir=s.scores_cache_dir)
    context.log.info(
        f"{staged.files.height} score files under {', '.join(str(r) for r in raw_roots(s))}: "
        f"{staged.scores.height} cells, {staged.quarantine.height} quarantined"
    )
    frames = staged.tables()
    with duckdb.get_connection() as con:
        yield from _write_and_report(con, frames)


# Index years: a window closes on 31 December, so the latest partition is always a finished year.
index_years = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *", start="2011", fmt="%Y", timezone="Asia/Ho_Chi_Minh"
)


@dg.asset(
    key="raw_index_year",
    group_name="raw",
    kinds={"python"},
    owners=OWNERS,
    partitions_def=index_years,
    retry_policy=dg.RetryPolicy(max_retries=2, delay=5),
    description="One index year as found under the raw roots' scores/ folders: cells, missing cells, provinces "
    "with a total, files it came from. Fails with the reason when the year has not been published "
    "into scores/ yet (the yearly schedule asks for the previous year).",
)
def raw_index_year(context: dg.AssetExecutionContext, settings: SettingsResource) -> dg.MaterializeResult:
    year = int(context.partition_key)
    s = settings.get()
    staged = stage_scores(settings=s, cache_dir=s.scores_cache_dir)
    cells = staged.scores.filter(pl.col("year") == year)
    if cells.height == 0:
        raise dg.Failure(
            f"no index scores for {year} under {', '.join(str(r) for r in raw_roots(s))}: put the "
            f"published file in <root>/scores/ (layouts: README, 'Score files') and run again"
        )
    by_source = cells.group_by("source", "source_path").agg(
        pl.len().alias("cells"), pl.col("score").null_count().alias("missing")
    )
    context.log.info(f"{year}: {cells.height} cells, {cells['score'].null_count()} missing")
    return dg.MaterializeResult(
        metadata={
            "year": year,
            "cells": cells.height,
            "missing_cells": cells["score"].null_count(),
            "provinces_with_a_value": cells.filter(pl.col("score").is_not_null())["province_key"].n_unique(),
            "files": dg.MetadataValue.md(markdown_preview(by_source.sort("source_path"), n=20)),
        }
    )


@dg.asset(
    key="stg_ref_population",
    group_name="staging",
    kinds={"python", "duckdb"},
    owners=OWNERS,
    retry_policy=dg.RetryPolicy(max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL),
    description="GSO's average population by province and year (PX-Web table V02.01, 2011-2022), read in place "
    "from reference/population/V02.01.xlsx under a raw root (../shared/data under make); empty when no root "
    "holds it (the population-weighted means of mart_scores_2025_units are then NULL, never guessed).",
)
def stg_ref_population(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, settings: SettingsResource
) -> dg.MaterializeResult:
    from pipelines.staging.frames import POPULATION_DOCS, population_frame

    df, problems, path = population_frame(raw_roots(settings.get()))
    for p in problems:
        context.log.warning(f"population table: {p}")
    with duckdb.get_connection() as con:
        write_table(con, "stg_ref_population", df, POPULATION_DOCS)
    context.log.info(f"population: {df.height} province-years from {path or 'no file (weighted means NULL)'}")
    return dg.MaterializeResult(metadata=table_metadata(df, POPULATION_DOCS))
