"""Publish: the checked build becomes a new release (database + marts), switched in with one symlink flip."""

import dagster as dg

from assets.resources import SettingsResource
from pipelines.automation import built_state_file
from pipelines.publish.release import current_build_id, documents_leaving, publish_release
from pipelines.report.page import build_report
from pipelines.sources.plans.ingest import labelled_roots
from pipelines.sources.plans.parse_cache import parser_version


def build_publish_asset(upstream: list[str], tables: set[str]) -> dg.AssetsDefinition:
    """`tables`: every table an asset of this project makes; anything else in the build is stale."""

    @dg.asset(
        key="warehouse_published",
        group_name="publish",
        kinds={"duckdb"},
        owners=["team:governance-data"],
        deps=[dg.AssetKey(u) for u in upstream],
        retry_policy=dg.RetryPolicy(max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL),
        description="The published warehouse analysts open (warehouse/governance.duckdb) and the Parquet marts "
        "(warehouse/marts/): one release folder (warehouse/releases/<build_id>/) switched in with one "
        "symlink flip (warehouse/current), only after every blocking check upstream has passed; a failed "
        "or killed run leaves the previous release, database and marts together.",
    )
    def warehouse_published(context: dg.AssetExecutionContext, settings: SettingsResource) -> dg.MaterializeResult:
        s = settings.get()
        info = {
            "raw_roots": ", ".join(label for _, label in labelled_roots(s)),
            "parser_version": parser_version(),
            "dagster_run_id": context.run_id,
        }
        # the raw files the build read go with the release: the sensor compares the files with them
        state = built_state_file(s.build_db.parent, labelled_roots(s))
        leaving = documents_leaving(s.warehouse_dir, s.build_db)
        before = current_build_id(s.warehouse_dir)
        build_id, marts = publish_release(
            s.build_db,
            s.warehouse_dir,
            keep_tables=tables | {"build_info"},
            info=info,
            extra_files=[state] if state else (),
            # the report is written into the release before the switch (report_html then describes it)
            report=lambda db, out, bid: build_report(db, out, bid, cache_dir=s.report_cache_dir),
        )
        kept = build_id == before  # the build's content key is the current release's: nothing to publish
        if kept:
            context.log.info(f"nothing changed since release {build_id}: kept, no new release")
        else:
            context.log.info(f"published release {build_id}: {s.published_db} and {s.marts_dir}")
        # named one per line: a document never leaves a release unseen (the run summary prints these lines)
        context.log.info(f"documents that left the release: {len(leaving)}")
        for line in leaving:
            context.log.info(f"document left the release: {line}")
        return dg.MaterializeResult(
            metadata={
                "build_id": build_id,
                "release": "kept (content unchanged)" if kept else "new",
                "path": dg.MetadataValue.path(str(s.published_db)),
                "size_bytes": s.published_db.stat().st_size,
                "marts_dir": dg.MetadataValue.path(str(s.marts_dir)),
                "documents_left": len(leaving),
                **{f"rows_{k}": v for k, v in marts.items()},
            }
        )

    return warehouse_published
