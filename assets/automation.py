"""The Dagster side of automation: the jobs, the raw-files sensor and the yearly reload schedule. Each carries out
a plain decision of pipelines/automation.py."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import dagster as dg

from assets.plans import PLAN_FILES, plan_files_partitions
from assets.resources import SettingsResource
from pipelines.automation import (
    TZ,
    WRITER_TAG,
    YEARLY_CRON,
    FileState,
    decide_raw_files,
    dump_cursor,
    previous_index_year,
    published_state,
)
from pipelines.settings import Settings
from pipelines.sources.plans.ingest import labelled_roots

PARTITIONED = dg.AssetSelection.assets("raw_plan_document", "raw_index_year")

full_rebuild = dg.define_asset_job(
    "full_rebuild",
    selection=dg.AssetSelection.all() - PARTITIONED,
    description="Build every table from the raw roots (unchanged plans come from the parse cache), run every "
    "check, and publish the warehouse and marts only if the blocking checks pass.",
    executor_def=dg.in_process_executor,  # one DuckDB writer: the steps run one after another in one process
    tags=WRITER_TAG,
)
parse_plan_document = dg.define_asset_job(
    "parse_plan_document",
    selection=dg.AssetSelection.assets("raw_plan_document"),
    description="Parse one plan file into the parse cache.",
)
index_year_arrival = dg.define_asset_job(
    "index_year_arrival",
    selection=dg.AssetSelection.assets("raw_index_year"),
    description="Check that an index year's scores are under the raw roots.",
)


def evaluate_raw_files(
    cursor: str | None,
    known_partitions: Sequence[str],
    log=None,
    settings: Settings | None = None,
    built: dict[str, dict[str, FileState]] | None = None,
) -> dg.SensorResult:
    """One tick of the raw-files sensor: the decision of pipelines.automation.decide_raw_files as run and
    partition requests (`built`: the state the published warehouse was built from)."""
    d = decide_raw_files(cursor, known_partitions, settings, built)
    runs = [
        dg.RunRequest(
            run_key=f"parse:{k}:{d.current['plans'][k].sha256}", job_name=parse_plan_document.name, partition_key=k
        )
        for k in d.to_parse
    ]
    if d.rebuild:
        runs.append(
            dg.RunRequest(
                run_key=f"rebuild:{d.digest}",
                job_name=full_rebuild.name,
                tags={
                    "govdata/trigger": "raw_files_sensor",
                    "govdata/changes": json.dumps({"plans": vars(d.plans), "scores": vars(d.scores)})[:1000],
                },
            )
        )
        if log:
            log.info(f"plans {vars(d.plans)}; scores {vars(d.scores)}")
    requests: list[dg.AddDynamicPartitionsRequest | dg.DeleteDynamicPartitionsRequest] = []
    if d.new_partitions:
        requests.append(plan_files_partitions.build_add_request(d.new_partitions))
    if d.gone_partitions:
        requests.append(plan_files_partitions.build_delete_request(d.gone_partitions))
    return dg.SensorResult(run_requests=runs, dynamic_partitions_requests=requests, cursor=dump_cursor(d.current))


@dg.sensor(
    name="raw_files_sensor",
    jobs=[parse_plan_document, full_rebuild],
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Watches plans/ and scores/ under every raw root against the files the published warehouse was "
    "built from (warehouse/current/raw_state.json). A new or changed plan gets its partition parsed "
    "(run key: path and hash); any change, deletions included, requests one warehouse rebuild, so a "
    "deleted file's rows leave the warehouse. An up-to-date warehouse launches nothing.",
)
def raw_files_sensor(context: dg.SensorEvaluationContext, settings: SettingsResource):
    s = settings.get()
    return evaluate_raw_files(
        context.cursor,
        context.instance.get_dynamic_partitions(PLAN_FILES),
        context.log,
        s,
        built=published_state(s.warehouse_dir, labelled_roots(s, check=False)),
    )


def yearly_request(at: dt.datetime) -> dg.RunRequest:
    year = previous_index_year(at)
    return dg.RunRequest(run_key=f"index-year:{year}", partition_key=str(year), tags={"govdata/index_year": str(year)})


@dg.schedule(
    name="yearly_index_reload",
    cron_schedule=YEARLY_CRON,
    execution_timezone=TZ,
    job=index_year_arrival,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="On 1 June (Vietnam time), after PAPI and the PAR Index of the previous year are usually out: "
    "check that year's scores arrived; when they have, rebuild_after_new_index_year rebuilds.",
)
def yearly_index_reload(context: dg.ScheduleEvaluationContext):
    return yearly_request(context.scheduled_execution_time)


@dg.run_status_sensor(
    name="rebuild_after_new_index_year",
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[index_year_arrival],
    request_job=full_rebuild,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="A new index year was found under the raw roots: rebuild the warehouse with it.",
)
def rebuild_after_new_index_year(context: dg.RunStatusSensorContext):
    year = context.dagster_run.tags.get("dagster/partition", "")
    return dg.RunRequest(
        run_key=f"yearly-rebuild:{year}:{context.dagster_run.run_id}",
        tags={"govdata/index_year": year, "govdata/trigger": "yearly_index_reload"},
    )
