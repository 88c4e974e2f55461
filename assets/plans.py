"""Plan documents: raw files -> staging tables (documents, tasks, findings, quarantine)."""

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from assets._meta import table_metadata, table_metadata_from_db
from assets.resources import SettingsResource
from pipelines.automation import check_kind_folders, partition_key_for, record_read_state
from pipelines.quality.schemas import STAGING_MODELS, column_docs
from pipelines.sources.plans.ingest import RawReadError, discover, raw_roots, read_raw
from pipelines.staging.incremental import sync_plans
from pipelines.warehouse.db import write_table

OWNERS = ["team:governance-data"]


@dg.asset(
    key="raw_plan_files",
    group_name="raw",
    kinds={"python", "duckdb"},
    owners=OWNERS,
    description="Every file under a plans/ folder of a raw root (raw/ and GOVDATA_RAW_EXTRA): path, size, sha256.",
    retry_policy=dg.RetryPolicy(max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL),
)
def raw_plan_files(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, settings: SettingsResource
) -> dg.MaterializeResult:
    import hashlib

    s = settings.get()
    check_kind_folders(s)  # a plans/ or scores/ folder gone since the release stops the run, naming it
    record_read_state("plans", s)  # before reading: a change from here on is a change to rebuild
    rows = []
    for f in discover("plans", settings=s):
        try:
            data = read_raw(f, s.max_file_bytes)
        except RawReadError:  # stg_plans quarantines it with the reason
            data = None
        rows.append(
            {
                "raw_root": f.root_label,
                "source_path": f.source_path,
                "size_bytes": None if data is None else len(data),
                "sha256": None if data is None else hashlib.sha256(data).hexdigest(),
            }
        )
    df = pl.DataFrame(
        rows, schema={"raw_root": pl.String, "source_path": pl.String, "size_bytes": pl.Int64, "sha256": pl.String}
    )
    with duckdb.get_connection() as con:
        write_table(con, "raw_plan_files", df)
    roots = ", ".join(str(r) for r in raw_roots(s))
    context.log.info(f"{df.height} plan files under {roots}")
    return dg.MaterializeResult(metadata=table_metadata(df, raw_roots=roots))


_STG_DESCRIPTIONS = {
    "stg_documents": "One row per plan file that decoded and parsed: encoding, issuer, numbers, dates, signer, title, years, indices.",
    "stg_plan_tasks": "Every task of every plan as written, from all readers (narrative, pipe table, tab table), with line ranges.",
    "stg_findings": "Data-quality findings raised while reading the plans (repeated blocks, numbering, conflicting dates...).",
    "stg_quarantine": "Plan files that could not be read (empty, binary, undecodable, no tasks), with the reason.",
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            name,
            group_name="staging",
            kinds={"python", "duckdb"},
            owners=OWNERS,
            description=desc,
            deps=["raw_plan_files", "raw_plan_document"],
        )
        for name, desc in _STG_DESCRIPTIONS.items()
    ],
    retry_policy=dg.RetryPolicy(max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL),
)
def stg_plans(context: dg.AssetExecutionContext, duckdb: DuckDBResource, settings: SettingsResource):
    """Bring the plan staging tables up to date: only new or changed files are parsed (both cores), a changed or
    deleted file's rows leave, unchanged documents are not touched."""
    s = settings.get()
    files = discover("plans", settings=s)
    with duckdb.get_connection() as con:
        report = sync_plans(
            con,
            files,
            cache_dir=s.parse_cache_dir,
            settings=s,
            progress=lambda i, n, unchanged: context.log.info(
                f"{i}/{n} new or changed documents read ({unchanged} unchanged documents kept)"
            ),
        )
        context.log.info(
            f"{report.files_seen} files: {report.added} new or changed ({report.reused_from_cache} of them "
            f"parsed before), {report.removed} removed or replaced, {report.unchanged} unchanged"
            + ("; parser changed: everything staged again" if report.full_restage else "")
        )
        n_docs = con.execute("SELECT count(*) FROM stg_documents").fetchall()[0][0]
        n_quarantined = con.execute("SELECT count(*) FROM stg_quarantine").fetchall()[0][0]
        for name in _STG_DESCRIPTIONS:
            extra = {}
            if name == "stg_documents":
                extra = {
                    "files_seen": report.files_seen,
                    "files_accounted_for": n_docs + n_quarantined,
                    "files_parsed_or_restaged": report.added,
                    "files_unchanged": report.unchanged,
                    "files_removed_or_replaced": report.removed,
                }
            yield dg.MaterializeResult(
                asset_key=name, metadata=table_metadata_from_db(con, name, column_docs(STAGING_MODELS[name]), **extra)
            )


# One dynamic partition per plan file (the sensor adds and removes them); parsing one file touches only the parse
# cache, never DuckDB, so these runs never compete with the warehouse writer.
PLAN_FILES = "plan_files"
plan_files_partitions = dg.DynamicPartitionsDefinition(name=PLAN_FILES)


@dg.asset(
    key="raw_plan_document",
    group_name="raw",
    kinds={"python"},
    owners=OWNERS,
    partitions_def=plan_files_partitions,
    retry_policy=dg.RetryPolicy(max_retries=2, delay=2),
    description="One plan file, parsed into the parse cache (keyed by content hash and parser version). A new or "
    "changed file is parsed once here; stg_plans then reuses the result instead of parsing it again.",
)
def raw_plan_document(context: dg.AssetExecutionContext, settings: SettingsResource) -> dg.MaterializeResult:
    from functools import partial

    from pipelines.sources.plans.parse_cache import process_cached_alone, stopped_alone
    from pipelines.staging.frames import Isolation, run_alone

    s = settings.get()
    key = context.partition_key
    matches = [f for f in discover("plans", settings=s) if partition_key_for(f) == key]
    if not matches:
        raise dg.Failure(f"plan file {key} is no longer under any raw root; the sensor removes its partition")
    # read in a process of its own under the memory ceiling, never in this one (a retry included)
    iso = Isolation(s.worker_memory_mb * 2**20, stopped_alone, lambda parts: parts[0])
    result, reused = run_alone(partial(process_cached_alone, cache_dir=s.parse_cache_dir, settings=s), matches[0], iso)
    meta = {"reused_from_cache": reused, "source_path": key}
    if result.quarantine:
        meta["quarantined"] = result.quarantine["reason"]
        context.log.warning(f"{key} quarantined: {result.quarantine['reason']}")
    else:
        assert result.document is not None  # a document that is not quarantined has its row
        sev = [x["severity"] for x in result.findings]
        meta.update(
            {
                "document_id": result.document["document_id"],
                "n_tasks": len(result.tasks),
                "sha256": result.document["sha256"],
                **{f"n_findings_{s}": sev.count(s) for s in ("error", "warning", "info")},
            }
        )
        context.log.info(f"{key}: {len(result.tasks)} tasks ({'reused' if reused else 'parsed'})")
    return dg.MaterializeResult(metadata=meta)
