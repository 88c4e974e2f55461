"""The Dagster side of automation: the jobs, the raw-files sensor and the yearly reload schedule. Each carries out
a plain decision of pipelines/automation.py."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import dagster as dg

from pipelines import automation
from pipelines.automation import (
    TZ,
    WRITER_TAG,
    YEARLY_CRON,
    diff,
    dump_cursor,
    load_cursor,
    previous_index_year,
    state_digest,
)
from pipelines.settings import Settings

from .plans import PLAN_FILES, plan_files_partitions
from .resources import SettingsResource

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
    "parse_plan_document", selection=dg.AssetSelection.assets("raw_plan_document"),
    description="Parse one plan file into the parse cache.")
index_year_arrival = dg.define_asset_job(
    "index_year_arrival", selection=dg.AssetSelection.assets("raw_index_year"),
    description="Check that an index year's scores are under the raw roots.")


def evaluate_raw_files(cursor: str | None, known_partitions: Sequence[str], log=None,
                       settings: Settings | None = None) -> dg.SensorResult:
    previous = load_cursor(cursor)
    current = {kind: automation.scan(kind, previous[kind], settings) for kind in ("plans", "scores")}
    plans, scores = diff(previous["plans"], current["plans"]), diff(previous["scores"], current["scores"])
    known = set(known_partitions)
    new_parts = sorted(set(current["plans"]) - known)
    gone_parts = sorted(known - set(current["plans"]))
    runs = [dg.RunRequest(run_key=f"parse:{k}:{current['plans'][k].sha256}", job_name=parse_plan_document.name,
                          partition_key=k)
            for k in sorted(set(plans.added + plans.changed) | set(new_parts))]
    if plans or scores:
        digest = state_digest({**current["plans"], **current["scores"]})
        runs.append(dg.RunRequest(run_key=f"rebuild:{digest}", job_name=full_rebuild.name, tags={
            "govdata/trigger": "raw_files_sensor",
            "govdata/changes": json.dumps({"plans": vars(plans), "scores": vars(scores)})[:1000]}))
        if log:
            log.info(f"plans {vars(plans)}; scores {vars(scores)}")
    requests: list[dg.AddDynamicPartitionsRequest | dg.DeleteDynamicPartitionsRequest] = []
    if new_parts:
        requests.append(plan_files_partitions.build_add_request(new_parts))
    if gone_parts:
        requests.append(plan_files_partitions.build_delete_request(gone_parts))
    return dg.SensorResult(run_requests=runs, dynamic_partitions_requests=requests, cursor=dump_cursor(current))


@dg.sensor(
    name="raw_files_sensor",
    jobs=[parse_plan_document, full_rebuild],
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Watches plans/ and scores/ under every raw root. A new or changed plan gets its partition parsed "
                "(run key: path and hash); any change, deletions included, requests one warehouse rebuild, so a "
                "deleted file's rows leave the warehouse.",
)
def raw_files_sensor(context: dg.SensorEvaluationContext, settings: SettingsResource):
    return evaluate_raw_files(context.cursor, context.instance.get_dynamic_partitions(PLAN_FILES),
                              context.log, settings.get())


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
    return dg.RunRequest(run_key=f"yearly-rebuild:{year}:{context.dagster_run.run_id}",
                         tags={"govdata/index_year": year, "govdata/trigger": "yearly_index_reload"})
