"""The one Dagster Definitions of the project (workspace.yaml points here): the only module of pipelines/ that
imports assets/, to wire them with the resources built from Settings.from_env()."""

from __future__ import annotations

from contextlib import contextmanager

import dagster as dg
import duckdb
from dagster._utils.backoff import backoff
from dagster_duckdb import DuckDBResource

from assets.automation import (
    full_rebuild,
    index_year_arrival,
    parse_plan_document,
    raw_files_sensor,
    rebuild_after_new_index_year,
    yearly_index_reload,
)
from assets.checks import build_checks
from assets.gx_checks import build_gx_checks
from assets.normalise import raw_index_year, stg_normalise, stg_ref_population, stg_reference, stg_scores
from assets.plans import raw_plan_document, raw_plan_files, stg_plans
from assets.publish import build_publish_asset
from assets.report import report_html
from assets.resources import SettingsResource
from assets.sql_models import build_sql_assets
from pipelines.settings import Settings


class BuildDuckDB(DuckDBResource):
    """DuckDBResource whose connection is closed even when the step fails: dagster-duckdb closes it only after a
    clean exit, so a failed step left the build file open (with this config) until garbage collection, and the next
    connection with another config in the same process was refused."""

    @contextmanager
    def get_connection(self):
        conn = backoff(
            fn=duckdb.connect,
            retry_on=(RuntimeError, duckdb.IOException),
            max_retries=10,
            kwargs={
                "database": self.database,
                "read_only": False,
                "config": {"custom_user_agent": "dagster", **self.connection_config},
            },
        )
        try:
            yield conn
        finally:
            conn.close()


PYTHON_ASSETS = [raw_plan_files, stg_plans, stg_reference, stg_ref_population, stg_normalise, stg_scores]
PYTHON_TABLES = {k.path[-1] for a in PYTHON_ASSETS for k in a.keys}

settings = Settings.from_env()  # the one place the environment is read; assets get it as a resource
settings.build_db.parent.mkdir(parents=True, exist_ok=True)
sql_assets = build_sql_assets(PYTHON_TABLES)
core_and_marts = [a.key.path[-1] for a in sql_assets]
publish_asset = build_publish_asset(core_and_marts, PYTHON_TABLES | set(core_and_marts))

all_checks = [*build_checks(), *build_gx_checks()]

defs = dg.Definitions(
    assets=[*PYTHON_ASSETS, raw_plan_document, raw_index_year, *sql_assets, publish_asset, report_html],
    asset_checks=all_checks,
    jobs=[full_rebuild, parse_plan_document, index_year_arrival],
    sensors=[raw_files_sensor, rebuild_after_new_index_year],
    schedules=[yearly_index_reload],
    resources={
        "duckdb": BuildDuckDB(database=str(settings.build_db), connection_config=settings.build_config),
        "settings": SettingsResource.of(settings),
    },
    executor=dg.in_process_executor,
)
