"""Sensor on the raw roots and the yearly reload schedule. The decisions are plain functions (tested on their own);
the Dagster objects only carry them out."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import dagster as dg

from assets.plans import partition_key_for, plan_files_partitions
from pipelines.domain.ingest import RawFile, discover, file_fingerprint, shown_path
from pipelines.settings import Settings

TZ = "Asia/Ho_Chi_Minh"
# PAPI for year N is launched in April-May of N+1; the PAR Index around the same time
YEARLY_CRON = "0 6 1 6 *"  # 06:00 on 1 June, Vietnam time
WRITER_TAG = {"govdata/duckdb_writer": "true"}  # dagster.yaml lets one run with this tag run at a time


# ---------------------------------------------------------------- plain decisions

@dataclass(frozen=True)
class FileState:
    size: int
    mtime_ns: int
    sha256: str


def scan(kind: str, previous: dict[str, FileState], settings: Settings | None = None) -> dict[str, FileState]:
    """Current state of every file under <root>/<kind>/ of `settings`' raw roots; bytes are hashed only when size
    or mtime moved."""
    out: dict[str, FileState] = {}
    for f in discover(kind, settings=settings):
        key = _key(kind, f)
        try:
            st = f.path.stat()
        except OSError:  # a link loop or a dangling link: the run quarantines it; here it is a file without bytes
            out[key] = FileState(-1, -1, "")
            continue
        old = previous.get(key)
        if old and old.size == st.st_size and old.mtime_ns == st.st_mtime_ns:
            out[key] = old
        else:
            out[key] = FileState(st.st_size, st.st_mtime_ns, file_fingerprint(f))
    return out


def _key(kind: str, f: RawFile) -> str:
    return partition_key_for(f) if kind == "plans" else (f.source_path if f.root_label == "raw" else shown_path(f.path))


@dataclass
class Changes:
    added: list[str]
    changed: list[str]
    removed: list[str]

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def diff(previous: dict[str, FileState], current: dict[str, FileState]) -> Changes:
    return Changes(
        added=sorted(k for k in current if k not in previous),
        changed=sorted(k for k in current if k in previous and current[k].sha256 != previous[k].sha256),
        removed=sorted(k for k in previous if k not in current),
    )


def state_digest(state: dict[str, FileState]) -> str:
    return hashlib.sha256("\n".join(f"{k}\t{v.sha256}" for k, v in sorted(state.items())).encode()).hexdigest()[:16]


def previous_index_year(at: dt.datetime) -> int:
    """The index year a reload at `at` asks for: the year before, in Vietnam time."""
    return at.astimezone(ZoneInfo(TZ)).year - 1


# ---------------------------------------------------------------- Dagster

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


def _load_cursor(cursor: str | None) -> dict[str, dict[str, FileState]]:
    raw = json.loads(cursor) if cursor else {}
    return {kind: {k: FileState(*v) for k, v in raw.get(kind, {}).items()} for kind in ("plans", "scores")}


def _dump_cursor(state: dict[str, dict[str, FileState]]) -> str:
    return json.dumps({kind: {k: [v.size, v.mtime_ns, v.sha256] for k, v in s.items()} for kind, s in state.items()})


def evaluate_raw_files(cursor: str | None, known_partitions: list[str], log=None,
                       settings: Settings | None = None) -> dg.SensorResult:
    previous = _load_cursor(cursor)
    current = {kind: scan(kind, previous[kind], settings) for kind in ("plans", "scores")}
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
    requests = []
    if new_parts:
        requests.append(plan_files_partitions.build_add_request(new_parts))
    if gone_parts:
        requests.append(plan_files_partitions.build_delete_request(gone_parts))
    return dg.SensorResult(run_requests=runs, dynamic_partitions_requests=requests, cursor=_dump_cursor(current))


@dg.sensor(
    name="raw_files_sensor",
    jobs=[parse_plan_document, full_rebuild],
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Watches plans/ and scores/ under every raw root. A new or changed plan gets its partition parsed "
                "(run key: path and hash); any change, deletions included, requests one warehouse rebuild, so a "
                "deleted file's rows leave the warehouse.",
)
def raw_files_sensor(context: dg.SensorEvaluationContext):
    return evaluate_raw_files(context.cursor, context.instance.get_dynamic_partitions(plan_files_partitions.name),
                              context.log)


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
