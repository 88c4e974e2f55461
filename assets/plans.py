"""Plan documents: raw files -> staging tables (documents, tasks, findings, quarantine)."""

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from pipelines.domain.ingest import discover, raw_roots
from pipelines.schemas import STAGING_MODELS, column_docs
from pipelines.warehouse import stage_plans, write_staging, write_table

from ._meta import table_metadata

OWNERS = ["team:governance-data"]


@dg.asset(
    key="raw_plan_files",
    group_name="raw",
    kinds={"python", "duckdb"},
    owners=OWNERS,
    description="Every file under a plans/ folder of a raw root (raw/ and GOVDATA_RAW_EXTRA): path, size, sha256.",
)
def raw_plan_files(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
    import hashlib

    rows = []
    for f in discover("plans"):
        data = f.path.read_bytes()
        rows.append({"raw_root": f.root_label, "source_path": f.source_path, "size_bytes": len(data),
                     "sha256": hashlib.sha256(data).hexdigest()})
    df = pl.DataFrame(rows, schema={"raw_root": pl.String, "source_path": pl.String,
                                    "size_bytes": pl.Int64, "sha256": pl.String})
    with duckdb.get_connection() as con:
        write_table(con, "raw_plan_files", df)
    context.log.info(f"{df.height} plan files under {', '.join(str(r) for r in raw_roots())}")
    return dg.MaterializeResult(metadata=table_metadata(df, raw_roots=", ".join(str(r) for r in raw_roots())))


_STG_DESCRIPTIONS = {
    "stg_documents": "One row per plan file that decoded and parsed: encoding, issuer, numbers, dates, signer, title, years, indices.",
    "stg_plan_tasks": "Every task of every plan as written, from all readers (narrative, pipe table, tab table), with line ranges.",
    "stg_findings": "Data-quality findings raised while reading the plans (repeated blocks, numbering, conflicting dates...).",
    "stg_quarantine": "Plan files that could not be read (empty, binary, undecodable, no tasks), with the reason.",
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(name, group_name="staging", kinds={"python", "duckdb"}, owners=OWNERS,
                     description=desc, deps=["raw_plan_files"])
        for name, desc in _STG_DESCRIPTIONS.items()
    ],
)
def stg_plans(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """Parse all plans (a process pool over both cores) and write the staging tables."""
    staged = stage_plans(progress=lambda i, n: context.log.info(f"parsed {i}/{n} documents"))
    with duckdb.get_connection() as con:
        write_staging(con, staged)
    frames = {"stg_documents": staged.documents, "stg_plan_tasks": staged.tasks,
              "stg_findings": staged.findings, "stg_quarantine": staged.quarantine}
    accounted = staged.documents.height + staged.quarantine.height
    context.log.info(f"{staged.files_seen} files: {staged.documents.height} documents, "
                     f"{staged.quarantine.height} quarantined, {staged.tasks.height} tasks")
    for name, df in frames.items():
        extra = {}
        if name == "stg_documents":
            extra = {"files_seen": staged.files_seen, "files_accounted_for": accounted}
        yield dg.MaterializeResult(asset_key=name, metadata=table_metadata(df, column_docs(STAGING_MODELS[name]), **extra))
