"""Publish: copy the checked build into warehouse/governance.duckdb atomically."""

import dagster as dg

from pipelines.warehouse import BUILD_DB, MARTS_DIR, PUBLISHED_DB, publish, publish_marts


def build_publish_asset(upstream: list[str], tables: set[str]) -> dg.AssetsDefinition:
    """`tables`: every table an asset of this project makes; anything else in the build is stale."""
    @dg.asset(
        key="warehouse_published",
        group_name="publish",
        kinds={"duckdb"},
        owners=["team:governance-data"],
        deps=[dg.AssetKey(u) for u in upstream],
        retry_policy=dg.RetryPolicy(max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL),
        description="The published warehouse analysts open (warehouse/governance.duckdb) and the Parquet marts (warehouse/marts/). Replaced atomically, "
                    "only after every blocking check upstream has passed; a failed run leaves the previous file.",
    )
    def warehouse_published(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        path = publish(BUILD_DB, PUBLISHED_DB, keep=tables)
        context.log.info(f"published {path}")
        marts = publish_marts(BUILD_DB, MARTS_DIR)
        context.log.info(f"published marts under {MARTS_DIR}: {marts}")
        return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(path)),
                                              "size_bytes": path.stat().st_size,
                                              "marts_dir": dg.MetadataValue.path(str(MARTS_DIR)),
                                              **{f"rows_{k}": v for k, v in marts.items()}})

    return warehouse_published
