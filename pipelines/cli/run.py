"""`make run`: one warehouse build at a time, a log per run, dead runs marked failed, a missing root stops it.

    python -m pipelines.cli.run            (DAGSTER_HOME must be set, as the Makefile does)

- A lock (fcntl.flock on $DAGSTER_HOME/run.lock) held for the whole run: a second `make run` exits at once with a
  message saying which run holds it; the kernel releases the lock when the holder dies, even by kill -9. The
  Dagster child inherits the locked file, so the lock lasts until the child ends too: killing this process alone
  leaves a run that still holds it, and the next `make run` refuses instead of marking that live run failed.
- The raw roots are checked first: a missing GOVDATA_RAW_EXTRA root stops here, before anything is built.
- Runs of earlier `make run`s still STARTED although their process is gone are marked FAILED (they would hold the
  run queue: "Maximum is 2").
- The Dagster output goes to $DAGSTER_HOME/logs/run-<UTC time>.log; last_run.log links to the newest.
- The run talks while it works: the log is followed as Dagster writes it, and each stage that starts and each
  progress line (documents read of total, with a rate) is printed at once, with the seconds since the start
  (`Progress`). The summary lines (SUMMARY) follow at the end; then whether the release changed at all
  (pipelines/cli/summary.py compares the rows of the previous release with the new one).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
import subprocess
import sys
from pathlib import Path

LAUNCHER_TAG = "govdata/make_run_pid"
SUMMARY = re.compile(r"documents read|new or changed|normalised \(|RUN_SUCCESS|published release|left the release")
STEP_START = re.compile(r'Started execution of step "([^"]+)"')
CHECK_STEP = re.compile(r"_(pandera|keys|gx|rows|dq)_")  # the checks of an asset run as steps of their own
# progress an asset logs as it goes: "12/40 new or changed documents read", "3/5 new documents normalised"
COUNTED = re.compile(r"(\d+)/(\d+) (new or changed documents read|new documents normalised)")
ERRORS = re.compile(r"STEP_FAILURE|RUN_FAILURE|Error|error:")


def dagster_home() -> Path:
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        raise SystemExit("DAGSTER_HOME is not set (the Makefile sets it to .dagster_home)")
    return Path(home)


class Busy(Exception):
    pass


class RunLock:
    """Exclusive, non-blocking flock on <home>/run.lock; the file says who holds it."""

    def __init__(self, home: Path):
        self.path = home / "run.lock"
        self.fh = None

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            fh.close()
            raise Busy(f"another `make run` is running ({holder}); wait for it to finish, then run again") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}, started {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%S} UTC")
        fh.flush()
        self.fh = fh
        return self

    def note_child(self, pid: int) -> None:
        """Say in the lock file which Dagster process holds the lock with us (it outlives us if we are killed)."""
        fh = self.fh
        assert fh is not None, "note_child inside the with block"
        fh.seek(0)
        holder = fh.read().split(", dagster pid")[0]
        fh.seek(0)
        fh.truncate()
        fh.write(f"{holder}, dagster pid {pid}")
        fh.flush()

    def __exit__(self, *exc):
        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fail_dead_runs(instance=None) -> list[str]:
    """Mark FAILED the runs started by `make run` whose process is gone (we hold the lock, so none is running)."""
    import dagster as dg

    instance = instance or dg.DagsterInstance.get()
    dead = []
    runs = instance.get_runs(
        filters=dg.RunsFilter(
            statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.NOT_STARTED]
        )
    )
    for run in runs:
        pid = run.tags.get(LAUNCHER_TAG)
        if pid and not _alive(int(pid)):
            instance.report_run_failed(run, message=f"the `make run` process (pid {pid}) died: run marked failed")
            dead.append(run.run_id)
    return dead


STALE_SECONDS = 6 * 3600  # a stage's spool lives minutes; older ones were left by a killed run


def clean_build_leftovers(build_dir: Path, cache_dirs: list[Path], older_than: float = STALE_SECONDS) -> list[Path]:
    """Spool folders (build/spool-*) and half-written cache entries (*.tmp) a killed run left, once they are old
    enough that no running stage can own them (a run from the UI may be staging right now)."""
    import shutil
    import time

    cutoff = time.time() - older_than
    removed = []
    candidates = list(build_dir.glob("spool-*")) if build_dir.is_dir() else []
    for d in cache_dirs:
        if d.is_dir():
            candidates += d.glob("*/*.tmp")
    for p in candidates:
        try:
            if p.lstat().st_mtime < cutoff:
                shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
                removed.append(p)
        except OSError:
            pass
    return removed


KEEP_LOGS = 50


def new_log(home: Path, now: dt.datetime | None = None) -> Path:
    now = now or dt.datetime.now(dt.UTC)
    logs = home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    for old in sorted(logs.glob("run-*.log"))[: -KEEP_LOGS or None]:  # names sort by time
        old.unlink(missing_ok=True)
    log = logs / f"run-{now:%Y%m%dT%H%M%S}-{os.getpid()}.log"
    tmp = home / f".last_run.{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(os.path.join("logs", log.name), tmp)
    os.replace(tmp, home / "last_run.log")  # last_run.log: the newest run, never a file two runs share
    return log


def release_change(before: dict | None, after: dict | None) -> str:
    """One line: did this run change what analysts see?"""
    if after is None:
        return "no release published"
    if before is None:
        return "first release: nothing to compare with"
    changed = sorted(t for t in set(before) | set(after) if before.get(t) != after.get(t))
    if not changed:
        return "nothing changed: the new release holds the same rows as the previous one"
    return f"changed since the previous release: {len(changed)} tables ({', '.join(changed[:10])}{' …' if len(changed) > 10 else ''})"


def dagster_command(launcher_pid: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "dagster",
        "job",
        "execute",
        "-m",
        "assets.definitions",
        "-j",
        "full_rebuild",
        "--tags",
        json.dumps({LAUNCHER_TAG: str(launcher_pid)}),
    ]


class Progress:
    """Turns the lines of the Dagster log, as they come, into short progress lines: the stage now running, and
    documents done of total with a rate. Plain Python: Dagster's own log is the source, nothing is added to it."""

    def __init__(self, out=None, clock=None):
        import time

        self.clock = clock or time.monotonic
        self.start = self.clock()
        self.stage_start = self.start
        self.out = out or sys.stdout
        self.stages = self.checks = 0

    def say(self, text: str) -> None:
        print(f"[{self.clock() - self.start:5.0f}s] {text}", file=self.out, flush=True)

    def line(self, line: str) -> None:
        if m := STEP_START.search(line):
            if CHECK_STEP.search(m.group(1)):
                self.checks += 1
                return
            self.stage_start = self.clock()
            self.stages += 1
            self.say(f"stage {self.stages}: {m.group(1)} (checks run so far: {self.checks})")
        elif m := COUNTED.search(line):
            done, total = int(m.group(1)), int(m.group(2))
            took = max(self.clock() - self.stage_start, 1e-6)
            self.say(f"{done}/{total} {' '.join(m.group(3).split()[-2:])} ({done / took:.1f}/s)")


def follow(log: Path, child: subprocess.Popen, progress: Progress, poll: float = 0.5) -> int:
    """Read `log` as the child writes it, passing each whole line to `progress`, until the child ends."""
    import time

    pos, rest = 0, ""
    while True:
        rc = child.poll()
        with open(log, encoding="utf-8", errors="replace") as fh:
            fh.seek(pos)
            chunk = fh.read()
            pos = fh.tell()
        lines = (rest + chunk).split("\n")
        rest = lines.pop()
        for ln in lines:
            progress.line(ln)
        if rc is not None:
            if rest:
                progress.line(rest)
            return rc
        time.sleep(poll)


def main() -> int:
    from pipelines.automation import VanishedFolderError, check_kind_folders
    from pipelines.publish.release import clean_leftovers_if_idle
    from pipelines.settings import Settings
    from pipelines.sources.plans.ingest import MissingRootError, labelled_roots

    settings = Settings.from_env()
    home = dagster_home()
    try:
        with RunLock(home) as lock:
            try:
                roots = labelled_roots(settings)
                check_kind_folders(settings)
            except (MissingRootError, VanishedFolderError) as e:
                print(f"make run STOPPED before building: {e}", file=sys.stderr)
                return 2
            print("raw roots: " + ", ".join(f"{label}={path}" for path, label in roots))
            for run_id in fail_dead_runs():
                print(f"marked failed: run {run_id} (its make run process died)")
            clean_leftovers_if_idle(settings.warehouse_dir)
            clean_build_leftovers(settings.build_db.parent, [settings.parse_cache_dir, settings.normalise_cache_dir])
            from pipelines.cli.summary import release_fingerprint

            before = release_fingerprint(settings.published_db)
            log = new_log(home)
            progress = Progress()
            progress.say(f"building (Dagster's full log: {log}); stages and progress follow")
            with open(log, "w") as out:
                # the child inherits the locked file (pass_fds): the flock is freed only when both are gone
                child = subprocess.Popen(
                    dagster_command(os.getpid()), stdout=out, stderr=subprocess.STDOUT, pass_fds=(lock.fh.fileno(),)
                )
                lock.note_child(child.pid)
                rc = follow(log, child, progress)
            text = log.read_text(encoding="utf-8", errors="replace").splitlines()
            if rc == 0:
                for line in text:
                    if SUMMARY.search(line):
                        print(line.split(" - ")[-1])
                print(f"log: {log}")
                print(release_change(before, release_fingerprint(settings.published_db)))
                return 0
            for line in [ln for ln in text if ERRORS.search(ln)][-20:]:
                print(line)
            print(f"make run FAILED: full log in {log}", file=sys.stderr)
            return 1
    except Busy as e:
        print(f"make run REFUSED: {e}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
