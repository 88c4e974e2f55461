"""Parsing and OCR as tasks on a Dask cluster (issue 27; docs/scaling.md).

With GOVDATA_PARSE_ENGINE=dask and GOVDATA_SCHEDULER=tcp://host:8786, each chunk of documents the local pool would
parse is a task on the scheduler, and each scanned page of a PDF a task of its own, so workers on any number of
machines share the work and one long scan. What comes back is what the local pool returns (pipelines/staging/incremental.py:
ParsedChunk, the task and finding rows spooled as Parquet by the worker), in the same order, so the single DuckDB
writer loads the same rows and the release is the same.

A worker that dies mid-document loses nothing: the scheduler runs its task again on another worker (Dask's
allowed-failures, 3 by default); a chunk that still fails runs again one document per task, and a document whose
task keeps killing workers is quarantined with the reason, as in the local pool.

`python -m pipelines.staging.cluster [--workers N] -- COMMAND ...` starts a scheduler and N workers on loopback (Dask's own
`dask scheduler` / `dask worker`, as on a real cluster), runs COMMAND with the settings pointing at them, and stops
them: `make run-cluster`.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from itertools import islice
from pathlib import Path
from typing import Any

from pipelines.settings import PARSE_ENGINE_ENV, PROJECT_DIR, SCHEDULER_ENV, WORKER_MEMORY_ENV, Settings

ALLOWED_FAILURES = 3  # Dask's default: a task whose worker died this many times is given up (KilledWorker)
_configured: int | None = None  # the memory ceiling this worker process was given (set once per process)


def _worker_setup(memory_bytes: int) -> None:
    """In a worker process, once: the parse workers' memory ceiling (as the local pool's), and scanned pages read
    as tasks of the cluster instead of one after another."""
    global _configured
    if _configured == memory_bytes:
        return
    from pipelines.sources.plans.formats import pdf

    resource.setrlimit(resource.RLIMIT_DATA, (memory_bytes, memory_bytes))
    pdf.page_runner = pages_on_cluster
    _configured = memory_bytes


def run_task(fn: Callable[[list], Any], batch: list, memory_bytes: int) -> Any:
    """What a worker runs for a chunk: fn(batch) under the ceiling."""
    _worker_setup(memory_bytes)
    return fn(batch)


# --- OCR: one task per page --------------------------------------------------------------------------------------


def ocr_page_task(data: bytes, i: int, timeout: float) -> tuple[str, Any]:
    """One scanned page on whichever worker is free: ("ok", lines) or ("timeout", None) (a TimeoutExpired does not
    travel back whole)."""
    from pipelines.sources.plans.formats.pdf import ocr_page

    try:
        return "ok", ocr_page(data, i, timeout)
    except subprocess.TimeoutExpired:
        return "timeout", None


def pages_on_cluster(data: bytes, numbers: list[int], seconds: float) -> dict[int, list]:
    """pdf.PageRunner on a worker: every page a task, the document's task waiting without holding its worker's
    slot (worker_client secedes), within the same budget and with the same errors as one page after another."""
    from distributed import wait, worker_client

    from pipelines.sources.plans.formats import FormatError
    from pipelines.sources.plans.formats.pdf import NEEDS_OCR, _budget_spent

    timeout = min(300.0, seconds)
    with worker_client() as client:
        blob = client.scatter(data)  # the file once to the cluster, not once per page
        futs = [client.submit(ocr_page_task, blob, i, timeout, pure=False) for i in numbers]
        try:
            wait(futs, timeout=None if seconds == float("inf") else seconds)
        except TimeoutError:
            done = sum(f.status == "finished" for f in futs)
            client.cancel(futs)
            raise _budget_spent(done, len(numbers), seconds) from None
        out = {}
        for k, (i, f) in enumerate(zip(numbers, futs)):  # the first failed page in page order, as read in order
            kind, lines = f.result()
            if kind == "timeout":
                if timeout < 300:
                    raise _budget_spent(k, len(numbers), seconds)
                raise FormatError(f"{NEEDS_OCR}: Tesseract timed out on page {i + 1}")
            out[i] = lines
        return out


# --- chunks of documents ------------------------------------------------------------------------------------------


def _given_up(e: BaseException) -> str | None:
    """Why a task's document cannot be read on the cluster (None: an error of the code, raised again)."""
    from distributed import KilledWorker

    if isinstance(e, KilledWorker):
        return f"the parse worker died {ALLOWED_FAILURES + 1} times on the Dask cluster"
    if isinstance(e, MemoryError):
        return "the parse worker's memory ceiling was reached"
    return None


def map_chunks(
    fn: Callable[[list], Any],
    items: list,
    settings: Settings,
    on_crash: Callable[[Any, str], Any],
    merge: Callable[[list], Any],
    chunk: int = 16,
) -> Iterator[Any]:
    """staging.pool_map_chunks with isolation, on the cluster at settings.scheduler: fn(chunk) per chunk, results
    in order, a bounded number of chunks in flight. A chunk given up (its worker died every time, or a reader hit
    the memory ceiling) runs again one item per task; an item given up alone is on_crash(item, reason)."""
    from distributed import Client

    memory = settings.worker_memory_mb * 2**20
    ceiling = f"memory ceiling {settings.worker_memory_mb} MB, {WORKER_MEMORY_ENV}"
    client = Client(settings.scheduler, timeout=60, set_as_default=False)
    try:
        client.wait_for_workers(1, timeout=120)
        window = max(8, 4 * sum(client.nthreads().values()))  # every worker busy, the writer never far behind
        it = iter(items)
        pending: deque = deque()
        while True:
            batch = list(islice(it, chunk))
            if batch:
                pending.append((batch, client.submit(run_task, fn, batch, memory, pure=False)))
            if pending and (len(pending) >= window or not batch):
                first, fut = pending.popleft()
                try:
                    yield fut.result()
                except Exception as e:
                    if _given_up(e) is None:
                        raise
                    yield merge([_alone(client, fn, item, memory, on_crash, ceiling) for item in first])
            if not batch and not pending:
                return
    finally:
        client.close()


def _alone(client, fn: Callable[[list], Any], item, memory: int, on_crash: Callable[[Any, str], Any], ceiling: str):
    """fn([item]) as a task of its own, one after another: a document queued on the worker that the killer kills
    would be counted a suspect too and be given up with it (measured: it was)."""
    fut = client.submit(run_task, fn, [item], memory, pure=False)
    try:
        return fut.result()
    except Exception as e:
        why = _given_up(e)
        if why is None:
            raise
        return on_crash(item, f"reading stopped: {why} ({ceiling})")


# --- a cluster on loopback ----------------------------------------------------------------------------------------


def _stop(proc: subprocess.Popen, grace: float = 20) -> None:
    """SIGTERM to the process group this module started (a worker's nanny and its worker), then SIGKILL."""
    if proc.poll() is not None:
        return
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@contextmanager
def loopback_cluster(workers: int = 2, log_dir: Path | None = None) -> Iterator[str]:
    """A Dask scheduler and `workers` single-threaded worker processes (each under a nanny that restarts it when it
    dies) on 127.0.0.1, started with Dask's own command lines; yields the scheduler's address."""
    from distributed import Client

    tmp = Path(tempfile.mkdtemp(prefix="govdata-dask-"))
    logs = log_dir or tmp
    logs.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_DIR),
        "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": str(ALLOWED_FAILURES),
        # a worker holds only the task it runs: a task queued behind a killer is not charged with its deaths
        "DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION": "1.0",
        "OMP_NUM_THREADS": "1",  # a worker per core already (as the local pool: no BLAS threads fighting)
    }
    started: list[subprocess.Popen] = []

    def start(args: list[str], log: str) -> subprocess.Popen:
        with open(logs / log, "ab") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", *args], env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        started.append(proc)
        return proc

    try:
        sched_file = tmp / "scheduler.json"
        sched = start(
            ["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"]
            + ["--scheduler-file", str(sched_file)],
            "scheduler.log",
        )
        deadline = time.monotonic() + 60
        while not sched_file.is_file():
            if sched.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the Dask scheduler did not start: {(logs / 'scheduler.log').read_text()[-2000:]}")
            time.sleep(0.1)
        import json

        address = json.loads(sched_file.read_text())["address"]
        start(
            ["distributed.cli.dask_worker", address, "--nworkers", str(workers), "--nthreads", "1"]
            + ["--host", "127.0.0.1", "--no-dashboard", "--memory-limit", "0", "--local-directory", str(tmp)],
            "workers.log",
        )
        with Client(address, timeout=60, set_as_default=False) as c:
            c.wait_for_workers(workers, timeout=120)
        yield address
    finally:
        for proc in reversed(started):  # workers first, then the scheduler
            _stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


def worker_pids(address: str) -> dict[str, int]:
    """Each worker's process id (tests kill one mid-document)."""
    from distributed import Client

    with Client(address, timeout=60, set_as_default=False) as c:
        return c.run(os.getpid)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="run a command against a Dask scheduler and workers on loopback")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--log-dir", type=Path, default=None, help="scheduler.log and workers.log (default: a temp folder)")
    ap.add_argument(
        "command", nargs=argparse.REMAINDER, help="-- then the command (default: python -m pipelines.cli.run)"
    )
    a = ap.parse_args(argv)
    cmd = [c for c in a.command if c != "--"] or [sys.executable, "-m", "pipelines.cli.run"]
    with loopback_cluster(a.workers, a.log_dir) as address:
        print(f"Dask scheduler {address}, {a.workers} workers on loopback", flush=True)
        env = {**os.environ, PARSE_ENGINE_ENV: "dask", SCHEDULER_ENV: address}
        return subprocess.run(cmd, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
