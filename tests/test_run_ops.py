"""`make run` operations (issue 18.8): dead runs marked failed, one run at a time, a log per run; a missing raw
root stops `make run` before anything is built (18.6)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg

from pipelines.cli import run as make_run

PROJECT = Path(__file__).resolve().parents[1]


def _run_cli(home: Path, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli.run"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT), "DAGSTER_HOME": str(home), **env},
        timeout=120,
    )


def test_instance_config_turns_run_monitoring_on(tmp_path):
    shutil.copy(PROJECT / ".dagster_home" / "dagster.yaml", tmp_path / "dagster.yaml")
    instance = dg.DagsterInstance.from_config(str(tmp_path))
    try:
        assert instance.run_monitoring_enabled
        assert instance.run_monitoring_max_resume_run_attempts == 0
        assert instance.run_monitoring_start_timeout_seconds == 180
    finally:
        instance.dispose()


def test_a_second_make_run_exits_with_a_clear_message(tmp_path):
    with make_run.RunLock(tmp_path):
        r = _run_cli(tmp_path)
    assert r.returncode == 3
    assert "another `make run` is running (pid" in r.stderr and str(os.getpid()) in r.stderr
    assert not (tmp_path / "logs").exists()


def test_a_missing_root_stops_make_run_before_building(tmp_path):
    r = _run_cli(tmp_path, GOVDATA_RAW_EXTRA=str(tmp_path / "mistyped_root"))
    assert r.returncode == 2
    assert "raw root not found" in r.stderr and "mistyped_root" in r.stderr and "GOVDATA_DROP_ROOTS" in r.stderr
    assert not (tmp_path / "logs").exists()


def test_runs_whose_make_run_died_are_marked_failed(tmp_path):
    from dagster._core.storage.dagster_run import DagsterRun

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    instance = dg.DagsterInstance.local_temp(str(tmp_path))
    try:
        for run_id, pid in (("dead", dead.pid), ("alive", os.getpid())):
            instance.add_run(
                DagsterRun(
                    job_name="full_rebuild",
                    run_id=run_id,
                    status=dg.DagsterRunStatus.STARTED,
                    tags={make_run.LAUNCHER_TAG: str(pid)},
                )
            )
        assert make_run.fail_dead_runs(instance) == ["dead"]
        assert instance.get_run_by_id("dead").status == dg.DagsterRunStatus.FAILURE
        assert instance.get_run_by_id("alive").status == dg.DagsterRunStatus.STARTED
    finally:
        instance.dispose()


def test_each_run_has_its_own_log(tmp_path):
    import datetime as dt

    first = make_run.new_log(tmp_path, dt.datetime(2026, 1, 1, 10, 0, 0))
    first.write_text("one")
    second = make_run.new_log(tmp_path, dt.datetime(2026, 1, 1, 10, 5, 0))
    assert first != second and first.read_text() == "one"
    assert (tmp_path / "last_run.log").resolve() == second.resolve()


def test_the_suite_never_builds_into_an_exported_warehouse_folder(tmp_path):
    """conftest assigns its own folder, whatever the shell exported (it used setdefault)."""
    exported = tmp_path / "my_real_warehouse"
    from pipelines.settings import Settings

    WAREHOUSE_DIR = Settings.from_env().warehouse_dir

    assert WAREHOUSE_DIR.name.startswith("govdata-test-wh-")
    probe = subprocess.run(
        [sys.executable, "-c", "import tests.conftest, os; print(os.environ['GOVDATA_WAREHOUSE_DIR'])"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        env={**os.environ, "GOVDATA_WAREHOUSE_DIR": str(exported), "PYTHONPATH": str(PROJECT)},
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() != str(exported) and "govdata-test-wh-" in probe.stdout


def test_old_spools_and_half_written_cache_entries_are_removed(tmp_path):
    build, cache = tmp_path / "build", tmp_path / "cache"
    (build / "spool-old" / "stg_plan_tasks").mkdir(parents=True)
    (build / "spool-running").mkdir()
    (cache / "ab").mkdir(parents=True)
    (cache / "ab" / "x.tmp").write_bytes(b"half")
    (cache / "ab" / "entry.pkl").write_bytes(b"kept")
    old = 1_000_000_000
    for p in (build / "spool-old", cache / "ab" / "x.tmp"):
        os.utime(p, (old, old))
    removed = make_run.clean_build_leftovers(build, [cache])
    assert sorted(p.name for p in removed) == ["spool-old", "x.tmp"]
    assert (build / "spool-running").exists() and (cache / "ab" / "entry.pkl").exists()


def test_only_the_last_logs_are_kept(tmp_path, monkeypatch):
    import datetime as dt

    monkeypatch.setattr(make_run, "KEEP_LOGS", 3)
    made = []
    for i in range(6):
        made.append(make_run.new_log(tmp_path, dt.datetime(2026, 1, 1, 10, i)))
        made[-1].write_text("x")
    assert sorted((tmp_path / "logs").iterdir()) == made[-4:]  # the 3 kept when the 6th was made, and the 6th


def test_a_failed_step_does_not_leave_the_build_file_open(tmp_path):
    """dagster-duckdb closed its connection only after a clean step: a failed step kept the build file open with
    the build's config, and the next test's plain connect was refused until garbage collection."""
    import duckdb

    from assets.definitions import BuildDuckDB
    from pipelines.settings import Settings

    BUILD_CONFIG = Settings.from_env().build_config

    db = tmp_path / "build.duckdb"

    @dg.asset(required_resource_keys={"duckdb_res"})
    def failing(context):
        with context.resources.duckdb_res.get_connection() as con:
            con.execute("CREATE TABLE t AS SELECT 1 AS x").fetchall()
            raise RuntimeError("a step fails with the connection open")

    result = dg.materialize(
        [failing],
        resources={"duckdb_res": BuildDuckDB(database=str(db), connection_config=BUILD_CONFIG)},
        raise_on_error=False,
    )
    assert not result.success
    con = duckdb.connect(str(db))  # another config: refused while the failed step's connection lived
    assert con.execute("SELECT x FROM t").fetchall() == [(1,)]
    con.close()


def test_killing_make_run_alone_leaves_the_lock_with_its_dagster_child(tmp_path):
    """Issue 24.4: kill -9 of the `make run` process leaves its Dagster child running; the lock goes with the child,
    so the next `make run` refuses (and never marks that live run failed) until the child ends."""
    import signal
    import time

    # the same main(), with a child that only sleeps in place of the Dagster job
    driver = (
        "import sys; import pipelines.cli.run as r; "
        "r.dagster_command = lambda pid: [sys.executable, '-c', 'import time; time.sleep(120)']; "
        "sys.exit(r.main())"
    )
    env = {**os.environ, "PYTHONPATH": str(PROJECT), "DAGSTER_HOME": str(tmp_path)}
    parent = subprocess.Popen([sys.executable, "-c", driver], cwd=PROJECT, env=env, stdout=subprocess.DEVNULL)
    lock = tmp_path / "run.lock"
    deadline = time.time() + 90
    while "dagster pid" not in (lock.read_text() if lock.exists() else "") and time.time() < deadline:
        time.sleep(0.2)
    child_pid = int(lock.read_text().rsplit("dagster pid ", 1)[1])
    try:
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        assert make_run._alive(child_pid)
        r = _run_cli(tmp_path)
        assert r.returncode == 3, r.stderr
        assert f"pid {parent.pid}" in r.stderr and f"dagster pid {child_pid}" in r.stderr
        assert "marked failed" not in r.stdout
    finally:
        os.kill(child_pid, signal.SIGKILL)
    deadline = time.time() + 30
    while True:  # the child gone, the lock is free
        try:
            with make_run.RunLock(tmp_path):
                break
        except make_run.Busy:
            assert time.time() < deadline, "the lock outlived the child"
            time.sleep(0.2)
