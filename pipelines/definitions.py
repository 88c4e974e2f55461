"""The one Dagster Definitions of the project (workspace.yaml points here)."""
from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.checks import build_checks
from assets.gx_checks import build_gx_checks
from assets.normalise import stg_normalise, stg_reference, stg_scores
from assets.plans import raw_plan_files, stg_plans
from assets.publish import build_publish_asset
from assets.sql_models import build_sql_assets
from pipelines.warehouse import BUILD_DB

PYTHON_ASSETS = [raw_plan_files, stg_plans, stg_reference, stg_normalise, stg_scores]
PYTHON_TABLES = {k.path[-1] for a in PYTHON_ASSETS for k in a.keys}

BUILD_DB.parent.mkdir(parents=True, exist_ok=True)
sql_assets = build_sql_assets(PYTHON_TABLES)
core_and_marts = [a.key.path[-1] for a in sql_assets]
publish_asset = build_publish_asset(core_and_marts)

all_checks = [*build_checks(), *build_gx_checks()]

full_rebuild = dg.define_asset_job(
    "full_rebuild",
    selection=dg.AssetSelection.all(),
    description="Materialise every asset and publish the warehouse.",
    # one DuckDB writer at a time: steps run in one process, in dependency order
    executor_def=dg.in_process_executor,
)

defs = dg.Definitions(
    assets=[*PYTHON_ASSETS, *sql_assets, publish_asset],
    asset_checks=all_checks,
    jobs=[full_rebuild],
    resources={"duckdb": DuckDBResource(database=str(BUILD_DB))},
    executor=dg.in_process_executor,
)
