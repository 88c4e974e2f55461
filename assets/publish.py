"""Publish: the checked build becomes a new release (database + marts), switched in with one symlink flip."""

import dagster as dg

from pipelines.automation import built_state_file
from pipelines.domain.ingest import labelled_roots
from pipelines.domain.parse_cache import parser_version
from pipelines.release import publish_release

from .resources import SettingsResource


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
        state = built_state_file(s.build_db.parent)
        build_id, marts = publish_release(
            s.build_db,
            s.warehouse_dir,
            keep_tables=tables | {"build_info"},
            info=info,
            extra_files=[state] if state else (),
        )
        context.log.info(f"published release {build_id}: {s.published_db} and {s.marts_dir}")
        return dg.MaterializeResult(
            metadata={
                "build_id": build_id,
                "path": dg.MetadataValue.path(str(s.published_db)),
                "size_bytes": s.published_db.stat().st_size,
                "marts_dir": dg.MetadataValue.path(str(s.marts_dir)),
                **{f"rows_{k}": v for k, v in marts.items()},
            }
        )

    return warehouse_published
