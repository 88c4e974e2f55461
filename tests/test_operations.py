"""Operations: the raw-files sensor, the yearly schedule, the parse cache, failed runs, and what the UI shows."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import polars as pl
import pytest

from assets import automation as sensors
from pipelines import automation
from pipelines.sources.plans.ingest import discover
from tests.conftest import HANOI_PAPI, HCMC_PAPI, HCMC_PAR, QUANG_NGAI


@pytest.fixture
def root(tmp_path, monkeypatch):
    """A raw root of its own, so the sensor sees only what the test puts there."""
    (tmp_path / "plans").mkdir()
    (tmp_path / "scores").mkdir()
    monkeypatch.setattr(automation, "discover", lambda kind, **kw: discover(kind, roots=[tmp_path]))
    return tmp_path


def _runs(result: dg.SensorResult):
    return sorted((r.job_name, r.partition_key) for r in result.run_requests or [])


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sensor_requests_runs_for_added_changed_and_removed_files(root):
    a, b = root / "plans" / "a.txt", root / "plans" / "b.txt"
    shutil.copy(HCMC_PAPI, a)
    shutil.copy(QUANG_NGAI, b)
    first = sensors.evaluate_raw_files(None, [])
    key = str(a)  # outside raw/, a partition is keyed by its absolute path
    assert _runs(first) == [("full_rebuild", None), ("parse_plan_document", str(a)), ("parse_plan_document", str(b))]
    parse_a = next(r for r in first.run_requests if r.partition_key == key)
    assert parse_a.run_key == f"parse:{key}:{_sha(a)}"
    (add,) = first.dynamic_partitions_requests
    assert add.partitions_def_name == "plan_files" and sorted(add.partition_keys) == [str(a), str(b)]

    # nothing changed: nothing requested
    again = sensors.evaluate_raw_files(first.cursor, [str(a), str(b)])
    assert again.run_requests == [] and again.dynamic_partitions_requests == []

    # a changed plan: its own partition only (new run key), and one rebuild
    shutil.copy(HANOI_PAPI, a)
    changed = sensors.evaluate_raw_files(again.cursor, [str(a), str(b)])
    assert _runs(changed) == [("full_rebuild", None), ("parse_plan_document", str(a))]
    assert changed.run_requests[0].run_key == f"parse:{key}:{_sha(a)}" != parse_a.run_key

    # a removed plan: its partition goes, and a rebuild drops its rows
    b.unlink()
    removed = sensors.evaluate_raw_files(changed.cursor, [str(a), str(b)])
    assert _runs(removed) == [("full_rebuild", None)]
    (delete,) = removed.dynamic_partitions_requests
    assert list(delete.partition_keys) == [str(b)]
    assert '"removed": ["' + str(b) + '"]' in removed.run_requests[0].tags["govdata/changes"]

    # a new score file: a rebuild, no plan partition
    (root / "scores" / "par_index_2024.csv").write_text("year,province_code,indicator_code,score\n", encoding="utf-8")
    scores = sensors.evaluate_raw_files(removed.cursor, [str(a)])
    assert _runs(scores) == [("full_rebuild", None)]


def test_the_same_state_gives_the_same_rebuild_run_key(root):
    shutil.copy(HCMC_PAPI, root / "plans" / "a.txt")
    one = sensors.evaluate_raw_files(None, [])
    two = sensors.evaluate_raw_files(None, [])
    key = [r.run_key for r in one.run_requests if r.job_name == "full_rebuild"]
    assert key == [r.run_key for r in two.run_requests if r.job_name == "full_rebuild"]


@pytest.mark.parametrize(
    "at, year",
    [
        (dt.datetime(2025, 6, 1, 6, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), 2024),
        # 31 Dec 2025 20:00 UTC is already 1 Jan 2026 in Vietnam
        (dt.datetime(2025, 12, 31, 20, 0, tzinfo=dt.UTC), 2025),
        (dt.datetime(2025, 12, 31, 16, 0, tzinfo=dt.UTC), 2024),
    ],
)
def test_yearly_schedule_requests_the_previous_year_in_vietnam_time(at, year):
    assert automation.previous_index_year(at) == year


def test_yearly_schedule_definition():
    s = sensors.yearly_index_reload
    assert (s.cron_schedule, s.execution_timezone) == ("0 6 1 6 *", "Asia/Ho_Chi_Minh")
    assert s.default_status == dg.DefaultScheduleStatus.RUNNING
    from assets.definitions import defs

    ctx = dg.build_schedule_context(
        repository_def=defs.get_repository_def(),
        scheduled_execution_time=dt.datetime(2026, 6, 1, 6, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
    )
    (req,) = sensors.yearly_index_reload.evaluate_tick(ctx).run_requests
    assert (req.partition_key, req.run_key, req.tags["govdata/index_year"]) == ("2025", "index-year:2025", "2025")
    assert sensors.raw_files_sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert sensors.rebuild_after_new_index_year.default_status == dg.DefaultSensorStatus.RUNNING


def test_a_fresh_warehouse_reuses_the_parse_cache(tmp_path):
    """Parses are cached by content and parser version: a warehouse built from scratch with the same cache parses
    nothing; a renamed file reuses its parse under its new path; an edited one is parsed again."""
    from tests.conftest import stage_files

    root = tmp_path / "root"
    (root / "plans").mkdir(parents=True)
    for p in (HCMC_PAPI, QUANG_NGAI, HANOI_PAPI):
        shutil.copy(p, root / "plans" / p.name)
    files = lambda: discover("plans", roots=[root])  # noqa: E731
    first, _, staged1, _ = stage_files(files(), tmp_path, db="one.duckdb")
    second, _, staged2, _ = stage_files(files(), tmp_path, db="two.duckdb")
    assert (first.added, first.reused_from_cache, second.added, second.reused_from_cache) == (3, 0, 3, 3)
    assert staged2.tasks.equals(staged1.tasks) and staged2.findings.sort(pl.all()).equals(
        staged1.findings.sort(pl.all())
    )
    (root / "plans" / HANOI_PAPI.name).rename(root / "plans" / "hanoi_2021.txt")
    text = (root / "plans" / QUANG_NGAI.name).read_text(encoding="utf-8")
    (root / "plans" / QUANG_NGAI.name).write_text(text + "\n", encoding="utf-8")
    third, _, staged3, _ = stage_files(files(), tmp_path, db="two.duckdb")
    assert (third.added, third.reused_from_cache, third.removed, third.unchanged) == (2, 1, 2, 1)
    assert sorted(staged3.documents["source_path"]) == [
        "plans/000_fc9f8ecdecbcee10.txt",
        "plans/001_5d5a89fb325a0d90.txt",
        "plans/hanoi_2021.txt",
    ]
    hanoi = staged3.tasks.filter(staged3.tasks["document_id"] == "14f81197b396b4ee")
    assert hanoi.height == 51 and set(hanoi["source_path"]) == {"plans/hanoi_2021.txt"}
    # a deleted file leaves
    (root / "plans" / "hanoi_2021.txt").unlink()
    fourth, _, staged4, _ = stage_files(files(), tmp_path, db="two.duckdb")
    assert (staged4.documents.height, staged4.tasks.height, fourth.added) == (2, 50 + 67, 0)


def test_a_run_that_fails_midway_leaves_the_published_files_byte_identical(built, tmp_path):
    """A SQL model fails halfway through the graph (its input table is gone): nothing after it runs, nothing is
    published."""
    from assets import definitions
    from pipelines.settings import Settings

    s = Settings.from_env()
    BUILD_DB, MARTS_DIR = s.build_db, s.marts_dir

    _, published = built

    def fingerprint():
        return {str(f): _sha(f) for f in [published, *sorted(MARTS_DIR.rglob("*.parquet"))]}

    before = fingerprint()
    saved = tmp_path / "build.duckdb"
    shutil.copy(BUILD_DB, saved)
    try:
        con = duckdb.connect(str(BUILD_DB))
        con.execute("DROP TABLE stg_task_agency").fetchall()
        con.close()
        result = dg.materialize(
            [*definitions.sql_assets, definitions.publish_asset],
            resources=definitions.defs.resources,
            raise_on_error=False,
        )
    finally:
        shutil.copy(saved, BUILD_DB)
    assert not result.success
    failed = {e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"}
    assert "bridge_task_agency" in failed
    done = {m.asset_key.path[-1] for m in result.get_asset_materialization_events()}
    assert "fct_plan_task" in done and "warehouse_published" not in done and "mart_agency_workload" not in done
    assert fingerprint() == before


LAYER_GROUPS = {"raw", "staging", "intermediate", "core", "marts", "publish", "report"}


def test_every_asset_explains_itself_in_the_ui():
    from assets.definitions import defs

    graph = defs.resolve_asset_graph()
    keys = list(graph.get_all_asset_keys())
    assert len(keys) == 49  # 41 + stg_ref_provinces_dissolved, stg_sipas_published, mart_index_panel (issue 17)
    #                         + ref_methodology_break, report_html, mart_score_change, mart_scores_2025_units (issue 16)
    #                         + stg_ref_population (GSO's population, issue 25.3)
    for key in keys:
        node = graph.get(key)
        name = key.path[-1]
        assert node.group_name in LAYER_GROUPS, name
        layer = {
            "stg": "staging",
            "int": "intermediate",
            "dim": "core",
            "fct": "core",
            "bridge": "core",
            "dq": "core",
            "quarantine": "core",
            "mart": "marts",
            "raw": "raw",
            "warehouse": "publish",
            "ref": "core",
            "report": "report",
        }
        assert node.group_name == layer[name.split("_")[0]], name
        assert node.description and len(node.description) > 40, name
        assert node.kinds and node.owners == ["team:governance-data"], name
    checks = {c.name for c in graph.asset_check_keys}
    assert {"pandera_fct_plan_task", "keys_fct_plan_task", "gx_mart_province_scores"} <= checks


def test_incremental_staging_touches_only_what_changed(tmp_path, monkeypatch):
    """The staging tables follow the files: a second sync parses nothing; a changed file's rows are replaced, a
    deleted file's rows leave, a copy is quarantined as a duplicate; a new parser restages everything."""
    from pipelines.staging import incremental

    root = tmp_path / "root"
    (root / "plans").mkdir(parents=True)
    for p in (HCMC_PAPI, QUANG_NGAI, HANOI_PAPI):
        shutil.copy(p, root / "plans" / p.name)
    con = duckdb.connect(str(tmp_path / "build.duckdb"))
    caches = {"cache_dir": tmp_path / "parsed"}, {"cache_dir": tmp_path / "normalised"}

    def sync():
        plans = incremental.sync_plans(con, discover("plans", roots=[root]), workers=1, **caches[0])
        norm = incremental.sync_normalised(con, workers=1, **caches[1])
        return plans, norm

    def counts():
        return tuple(
            con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
            for t in ("stg_documents", "stg_plan_tasks", "stg_task_normalised", "stg_quarantine")
        )

    plans, norm = sync()
    assert (plans.added, plans.unchanged, norm.added) == (3, 0, 3)
    assert counts() == (3, 50 + 67 + 51, 50 + 67 + 51, 0)
    plans, norm = sync()
    assert (plans.added, plans.removed, plans.unchanged, norm.added, norm.unchanged) == (0, 0, 3, 0, 3)
    # the Hà Nội plan replaced by the HCMC PAR plan under the same name: only its rows change
    shutil.copy(HCMC_PAR, root / "plans" / HANOI_PAPI.name)
    plans, norm = sync()
    assert (plans.added, plans.removed, plans.unchanged, norm.added, norm.removed) == (1, 1, 2, 1, 1)
    assert counts() == (3, 50 + 67 + 85, 50 + 67 + 85, 0)
    assert con.execute("SELECT count(*) FROM stg_plan_tasks WHERE document_id = '14f81197b396b4ee'").fetchall() == [
        (0,)
    ]
    # a byte-identical copy is one document: quarantined with the reason
    shutil.copy(QUANG_NGAI, root / "plans" / "copy_of_quang_ngai.txt")
    sync()
    assert con.execute("SELECT source_path, reason FROM stg_quarantine").fetchall() == [
        ("plans/copy_of_quang_ngai.txt", "duplicate of plans/001_5d5a89fb325a0d90.txt (same normalised text)")
    ]
    # the original goes: the copy becomes the document
    (root / "plans" / QUANG_NGAI.name).unlink()
    sync()
    assert con.execute("SELECT source_path FROM stg_documents WHERE document_id = 'b4b9dfe0cf6bfabe'").fetchall() == [
        ("plans/copy_of_quang_ngai.txt",)
    ]
    assert counts() == (3, 50 + 67 + 85, 50 + 67 + 85, 0)
    # a new parser version: everything is staged again
    monkeypatch.setattr(incremental, "parser_version", lambda: "a-new-parser")
    plans, _ = sync()
    assert (plans.full_restage, plans.added, plans.unchanged) == (True, 3, 0)
    assert counts() == (3, 50 + 67 + 85, 50 + 67 + 85, 0)


def test_staging_bookkeeping_is_not_published(built):
    _, published = built
    con = duckdb.connect(str(published), read_only=True)
    names = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
    con.close()
    assert "stg_plan_tasks" in names and not [t for t in names if t.startswith("_")]


def test_publish_leaves_out_bookkeeping_and_tables_no_asset_makes(tmp_path):
    """A renamed SQL model leaves its old table in the build file; analysts must not see it."""
    from pipelines.publish.files import publish

    build = tmp_path / "build.duckdb"
    con = duckdb.connect(str(build))
    for t in ("fct_plan_task", "_staging_state", "stg_papi_scores"):
        con.execute(f'CREATE TABLE "{t}" AS SELECT 1 AS x').fetchall()
    con.execute("COMMENT ON COLUMN fct_plan_task.x IS 'kept with its doc'").fetchall()
    con.close()
    out = publish(build, tmp_path / "published.duckdb", keep={"fct_plan_task", "dim_document"})
    con = duckdb.connect(str(out), read_only=True)
    assert [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()] == ["fct_plan_task"]
    assert con.execute("SELECT comment FROM duckdb_columns() WHERE table_name = 'fct_plan_task'").fetchall() == [
        ("kept with its doc",)
    ]
    con.close()


def test_unchanged_files_are_not_read_again_to_find_what_changed(tmp_path, monkeypatch):
    """file_hashes: a file with the size and modification time recorded at its last hash keeps that hash unread."""
    import os

    from pipelines.staging.incremental import file_hashes

    root = tmp_path / "root"
    (root / "plans").mkdir(parents=True)
    for p in (HCMC_PAPI, QUANG_NGAI):
        shutil.copy(p, root / "plans" / p.name)
    con = duckdb.connect(str(tmp_path / "build.duckdb"))
    files = discover("plans", roots=[root])
    first = file_hashes(con, files)
    assert sorted(first.values()) == sorted(_sha(p) for p in (HCMC_PAPI, QUANG_NGAI))
    # the HCMC plan is edited (new bytes, new mtime); the other must not be read at all
    edited = root / "plans" / HCMC_PAPI.name
    edited.write_bytes(HCMC_PAPI.read_bytes() + b"\n")
    st = edited.stat()
    os.utime(edited, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    from pipelines.staging import incremental

    real_read = incremental.read_raw
    read = []
    monkeypatch.setattr(incremental, "read_raw", lambda f: read.append(f.path.name) or real_read(f))
    second = file_hashes(con, files)
    assert read == [HCMC_PAPI.name]
    # a root given explicitly is labelled by its folder name (a configured one by its position), never its path
    assert second[("root", "plans/" + HCMC_PAPI.name)] == hashlib.sha256(edited.read_bytes()).hexdigest()
    assert second[("root", "plans/" + QUANG_NGAI.name)] == _sha(QUANG_NGAI)


def _sync_once(tmp_path, name: str, files, defer_from: int, monkeypatch) -> tuple[list[str], dict, list, object]:
    """sync_plans into the build file `name` with deferral from `defer_from` files; (files read by file_hashes in
    this process, the _file_hashes rows, every staging table's rows, the sync's report)."""
    from pipelines.settings import Settings
    from pipelines.staging import incremental

    real_read = incremental.read_raw
    read: list[str] = []

    def counted(f):
        read.append(f.path.name)
        return real_read(f)

    monkeypatch.setattr(incremental, "read_raw", counted)
    monkeypatch.setattr(incremental, "DEFER_HASHING_FROM", defer_from)
    con = duckdb.connect(str(tmp_path / f"{name}.duckdb"))
    report = incremental.sync_plans(con, files, workers=1, cache_dir=tmp_path / f"cache_{name}", settings=Settings())
    hashes = {(r, p): (size, sha) for r, p, size, _, sha in con.execute('SELECT * FROM "_file_hashes"').fetchall()}
    tables = [
        con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall()
        for t in (*incremental.PLAN_TABLES, incremental.DOC_LINES)
    ]
    con.close()
    return read, hashes, tables, report


def test_files_never_staged_are_hashed_by_the_parse_not_read_twice(tmp_path, monkeypatch):
    """A first build does not read and hash every file before parsing it: the parse reads it and its hash is
    recorded from the staged row. The staging is the same as with every file hashed first; an unreadable file is
    quarantined with its reason and gets no recorded hash; the next run reads none of the others."""
    root = tmp_path / "root"
    (root / "plans").mkdir(parents=True)
    for p in (HCMC_PAPI, QUANG_NGAI):
        shutil.copy(p, root / "plans" / p.name)
    (root / "plans" / "huge.txt").write_bytes(b"x" * 200_000)
    monkeypatch.setenv("GOVDATA_MAX_FILE_BYTES", "100000")  # huge.txt cannot be read, by anyone
    files = discover("plans", roots=[root])
    read, hashes, tables, _ = _sync_once(tmp_path, "deferred", files, 2, monkeypatch)
    assert read == []  # nothing read in this process before the parse
    assert hashes == {
        ("root", "plans/" + p.name): (p.stat().st_size, _sha(p)) for p in (HCMC_PAPI, QUANG_NGAI)
    }  # the hashes the parse found, unreadable huge.txt without one
    quarantine = tables[3]
    assert [(q[0], q[2], q[3]) for q in quarantine] == [("plans/huge.txt", None, "read")]
    assert "above the size limit of 100000 bytes" in quarantine[0][4]
    # the same staging (and hashes) as when every file is hashed before parsing
    read_first, hashes_first, tables_first, _ = _sync_once(tmp_path, "hashed_first", files, 10**9, monkeypatch)
    assert sorted(read_first) == sorted([HCMC_PAPI.name, QUANG_NGAI.name, "huge.txt"])
    assert (hashes_first, tables_first) == (hashes, tables) and len(tables[1]) > 20
    # the next run on the deferred build reads only the unreadable file (to try it again), and restages nothing else
    read, hashes_next, tables_next, report = _sync_once(tmp_path, "deferred", files, 2, monkeypatch)
    assert (hashes_next, tables_next) == (hashes, tables)
    assert read == ["huge.txt"] and (report.unchanged, report.added) == (2, 1)


def test_normalise_falls_back_to_the_staged_rows_when_the_parse_cache_is_gone(tmp_path):
    """Normalisation reads a document's tasks from the parse cache; with the cache gone and the file changed since
    staging, the staged rows in DuckDB are used (the staging is the record until the next sync)."""
    from pipelines.staging import incremental

    root = tmp_path / "root"
    (root / "plans").mkdir(parents=True)
    shutil.copy(QUANG_NGAI, root / "plans" / QUANG_NGAI.name)
    con = duckdb.connect(str(tmp_path / "build.duckdb"))
    incremental.sync_plans(con, discover("plans", roots=[root]), workers=1, cache_dir=tmp_path / "parsed")
    shutil.rmtree(tmp_path / "parsed")
    (root / "plans" / QUANG_NGAI.name).write_bytes(HCMC_PAR.read_bytes())
    rep = incremental.sync_normalised(
        con, workers=1, cache_dir=tmp_path / "normalised", parse_cache_dir=tmp_path / "parsed"
    )
    assert rep.added == 1
    assert con.execute("SELECT count(*), count(DISTINCT document_id) FROM stg_task_normalised").fetchall() == [(67, 1)]
    assert con.execute("SELECT DISTINCT document_id FROM stg_task_normalised").fetchall() == [("b4b9dfe0cf6bfabe",)]


def test_an_up_to_date_warehouse_launches_no_run_when_the_daemon_starts(built, tmp_path, monkeypatch):
    """`make run`, then `make ui`: the daemon's first ticks (a fresh sensor cursor, no plan partition registered
    yet) launch nothing, because the published release records the raw files it was built from; a plan added
    afterwards gets its parse run and one rebuild."""
    from assets.definitions import defs, settings
    from assets.resources import SettingsResource
    from pipelines.sources.plans.ingest import labelled_roots

    resources = {"settings": SettingsResource.of(settings)}
    state = automation.published_state(settings.warehouse_dir, labelled_roots(settings))
    assert state is not None and set(state["plans"]) == {str(p) for p in _plan_keys()}
    # the score files the build read are recorded too (none when ../shared/data is not beside the checkout)
    assert set(state["scores"]) == set(automation.scan("scores", {}, settings))
    instance = dg.DagsterInstance.ephemeral()
    repo = defs.get_repository_def()
    tick = sensors.raw_files_sensor.evaluate_tick(
        dg.build_sensor_context(instance=instance, repository_def=repo, resources=resources)
    )
    assert tick.run_requests == []
    (add,) = tick.dynamic_partitions_requests  # the plans get their partitions, without a parse
    assert sorted(add.partition_keys) == sorted(state["plans"])
    # the next tick, with the cursor and the partitions: still nothing
    instance.add_dynamic_partitions("plan_files", list(add.partition_keys))
    again = sensors.raw_files_sensor.evaluate_tick(
        dg.build_sensor_context(instance=instance, repository_def=repo, cursor=tick.cursor, resources=resources)
    )
    assert again.run_requests == [] and again.dynamic_partitions_requests == []
    # the yearly schedule fires on 1 June only, and the run-status sensor has no run to react to
    assert (
        sensors.rebuild_after_new_index_year.evaluate_tick(
            dg.build_sensor_context(instance=instance, repository_def=repo)
        ).run_requests
        == []
    )

    # an input changes: a new plan under another root -> its parse and one rebuild
    extra = tmp_path / "extra"
    (extra / "plans").mkdir(parents=True)
    shutil.copy(HANOI_PAPI, extra / "plans" / "new.txt")
    real = automation.discover
    monkeypatch.setattr(automation, "discover", lambda kind, **kw: [*real(kind, **kw), *discover(kind, roots=[extra])])
    # (the plain decision: a partitioned run request needs the daemon's partition-loading context)
    changed = sensors.evaluate_raw_files(again.cursor, list(add.partition_keys), settings=settings, built=state)
    assert _runs(changed) == [("full_rebuild", None), ("parse_plan_document", str(extra / "plans" / "new.txt"))]


def _plan_keys():
    from assets.definitions import settings

    return [automation.partition_key_for(f) for f in discover("plans", settings=settings)]


def test_without_a_published_state_the_sensor_falls_back_to_its_cursor(root):
    """No release yet (or one published before releases carried their raw state): every plan is new."""
    shutil.copy(HCMC_PAPI, root / "plans" / "a.txt")
    first = sensors.evaluate_raw_files(None, [], built=None)
    assert _runs(first) == [("full_rebuild", None), ("parse_plan_document", str(root / "plans" / "a.txt"))]
    # the same files as a build recorded: nothing to do, the partition registered without a parse
    built = {kind: automation.scan(kind, {}) for kind in automation.KINDS}
    up_to_date = sensors.evaluate_raw_files(None, [], built=built)
    assert up_to_date.run_requests == [] and len(up_to_date.dynamic_partitions_requests) == 1


def test_the_read_state_goes_from_the_build_into_the_release_and_decides_alone(root, tmp_path):
    """The plain side, without Dagster: the state recorded before reading, the one file the publish copies, the
    release's state read back, and the decision against it."""
    from pipelines.settings import Settings

    shutil.copy(HCMC_PAPI, root / "plans" / "a.txt")
    settings = Settings(warehouse_dir=tmp_path / "wh")
    build_dir = settings.build_db.parent
    assert automation.built_state_file(build_dir) is None  # nothing read yet: no claim to be up to date
    plans = automation.record_read_state("plans", settings)
    assert list(plans) == [str(root / "plans" / "a.txt")] and plans[str(root / "plans" / "a.txt")].sha256 == _sha(
        root / "plans" / "a.txt"
    )
    assert automation.built_state_file(build_dir) is None  # the scores were not read
    automation.record_read_state("scores", settings)
    state_file = automation.built_state_file(build_dir)
    assert state_file is not None and state_file.name == automation.RAW_STATE
    assert automation.published_state(settings.warehouse_dir) is None  # no release yet
    (settings.warehouse_dir / "current").mkdir()
    shutil.copyfile(state_file, settings.warehouse_dir / "current" / automation.RAW_STATE)  # what the publish does
    built = automation.published_state(settings.warehouse_dir)
    assert built == {"plans": plans, "scores": {}}
    # keyed by the root's label in the release, never by a path of the build machine; read back under the path
    roots = [(root, "extra1")]
    portable = automation.built_state_file(build_dir, roots)
    assert str(root) not in portable.read_text(encoding="utf-8")
    assert list(json.loads(portable.read_text(encoding="utf-8"))["plans"]) == ["extra1/plans/a.txt"]
    shutil.copyfile(portable, settings.warehouse_dir / "current" / automation.RAW_STATE)
    assert automation.published_state(settings.warehouse_dir, roots) == built
    d = automation.decide_raw_files(None, [], settings, built)
    assert (d.to_parse, d.new_partitions, d.rebuild) == ([], [str(root / "plans" / "a.txt")], False)
    # a file changed after the build read it: its parse and a rebuild
    shutil.copy(QUANG_NGAI, root / "plans" / "a.txt")
    d = automation.decide_raw_files(automation.dump_cursor(d.current), [str(root / "plans" / "a.txt")], settings, built)
    assert (d.to_parse, d.plans.changed, d.rebuild) == (
        [str(root / "plans" / "a.txt")],
        [str(root / "plans" / "a.txt")],
        True,
    )
