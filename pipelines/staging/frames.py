"""Python staging: rows -> typed staging frames, the process pool the plan readers run in, the reference seeds and
the score files. (The plan staging tables themselves are kept up to date by pipelines/staging/incremental.py.)"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import resource
import signal
from collections import deque
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.quality.schemas import STAGING_MODELS, polars_schema
from pipelines.settings import WORKER_MEMORY_ENV, Settings
from pipelines.sources.plans.ingest import RawFile, RawReadError, discover, read_raw


def staging_frame(rows: list[dict], table: str) -> pl.DataFrame:
    schema = polars_schema(STAGING_MODELS[table])
    # built column by column: twice as fast as polars reading a list of row dicts
    return pl.DataFrame({c: [r.get(c) for r in rows] for c in schema}, schema=schema)


def pool_map_chunks(
    fn, items, workers: int, n: int, chunk: int = 16, window: int = 8, isolate: Isolation | None = None
):
    """fn(list of up to `chunk` items) over a process pool, results yielded per chunk and in order, at most
    `window` chunks in flight (Executor.map would take the whole iterable at once). In this process when n, the
    items needing real work, is small. Workers start from a fresh forkserver, not as copies of a big parent, so
    their memory is their own.

    With `isolate` (plan parsing: the items are raw files anyone can drop), an item is never read in this process:
    whenever one needs work, every chunk runs in a worker under the memory ceiling, and a chunk whose worker dies
    is run again one item per fresh process, where the item that dies again becomes isolate.on_crash(item, why)."""
    it = iter(items)
    if isolate is not None and n > 0:
        yield from _isolated_chunks(fn, it, max(1, workers), chunk, window, isolate)
        return
    if workers <= 1 or n <= 8:
        while batch := list(islice(it, chunk)):
            yield fn(batch)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver")) as pool:
        pending: deque = deque()
        while True:
            batch = list(islice(it, chunk))
            if batch:
                pending.append(pool.submit(fn, batch))
            if pending and (len(pending) >= window or not batch):
                yield pending.popleft().result()
            if not batch and not pending:
                return


@dataclass(frozen=True)
class Isolation:
    """How items run when they may be hostile: each worker's memory ceiling, and what a crashed item becomes."""

    memory_bytes: int
    on_crash: Callable[[Any, str], Any]  # (item, reason) -> what fn([item]) would return; runs in this process
    merge: Callable[[list], Any]  # the results of one chunk's items run alone -> the chunk's result


def memory_ceiling(limit_bytes: int) -> None:
    """In a worker: its data segment (heap and private mappings) may not pass `limit_bytes`; past it, allocations
    fail (MemoryError, or a library aborts and the worker dies), never the machine. RLIMIT_DATA, not RLIMIT_AS: a
    worker reserves 1.4 GB of address space it never uses (thread arenas) against 0.3 GB of data."""
    resource.setrlimit(resource.RLIMIT_DATA, (limit_bytes, limit_bytes))


def _isolated_chunks(fn, it, workers: int, chunk: int, window: int, iso: Isolation):
    ctx = multiprocessing.get_context("forkserver")

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=workers, mp_context=ctx, initializer=memory_ceiling, initargs=(iso.memory_bytes,)
        )

    pool = new_pool()
    pending: deque = deque()  # (batch, future)
    try:
        while True:
            batch = list(islice(it, chunk))
            if batch:
                pending.append((batch, pool.submit(fn, batch)))
            if pending and (len(pending) >= window or not batch):
                first, fut = pending.popleft()
                try:
                    yield fut.result()
                except BrokenProcessPool:
                    # a worker died (killed past the ceiling, or a library crashed) and took the pool with it:
                    # every chunk not yet finished runs again, one item per process, to find the one that kills
                    redo = [(first, fut)] + list(pending)
                    pending.clear()
                    pool.shutdown(wait=True, cancel_futures=True)
                    for b, f in redo:
                        if f.done() and not f.cancelled() and f.exception() is None:
                            yield f.result()
                            continue
                        yield iso.merge([run_alone(fn, item, iso) for item in b])
                    pool = new_pool()
            if not batch and not pending:
                return
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _alone(conn, fn, batch, limit_bytes: int) -> None:
    memory_ceiling(limit_bytes)
    try:
        out = ("ok", fn(batch))
    except MemoryError:
        out = ("memory", None)
    except Exception as e:  # a bug, not the input: raised again in the parent, as the pool would
        out = ("raised", RuntimeError(f"{type(e).__name__}: {e}"))
    conn.send(out)
    conn.close()


def run_alone(fn, item, iso: Isolation):
    """fn([item]) in a process of its own under the ceiling; its death is the item's, reported by on_crash."""
    ctx = multiprocessing.get_context("forkserver")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_alone, args=(send, fn, [item], iso.memory_bytes))
    proc.start()
    send.close()
    try:
        kind, value = recv.recv()
    except EOFError:  # died before answering
        kind, value = "died", None
    finally:
        recv.close()
    proc.join()
    if kind == "ok":
        return value
    if kind == "raised":
        raise value
    ceiling = f"memory ceiling {iso.memory_bytes // 2**20} MB, {WORKER_MEMORY_ENV}"
    if kind == "memory":
        return iso.on_crash(item, f"reading stopped: the parse worker's memory ceiling was reached ({ceiling})")
    code = proc.exitcode
    how = f"killed by {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit code {code}"
    return iso.on_crash(item, f"reading stopped: the parse worker died ({how}; {ceiling})")


REFERENCE_SEEDS = {
    "stg_ref_provinces": "provinces_63.csv",
    "stg_ref_provinces_dissolved": "provinces_dissolved.csv",
    "stg_ref_merger_2025": "merger_2025.csv",
    "stg_ref_indicators": "indicators.csv",
    "stg_ref_papi_score_columns": "papi_score_columns.csv",
    "stg_ref_agencies": "agencies.csv",
}


def reference_frames() -> dict[str, pl.DataFrame]:
    """The reference seeds as text tables (casts happen in the dim_ models)."""
    from pipelines.normalise.provinces import REFERENCE_DIR

    return {name: pl.read_csv(REFERENCE_DIR / fname, infer_schema=False) for name, fname in REFERENCE_SEEDS.items()}


POPULATION_DOCS = {
    "province_key": "Province (vintage 2004, FK to dim_province)",
    "year": "Year of the average population",
    "population_thousand": "GSO's average population of the year, thousand persons, as published",
    "source": "The table it comes from (GSO PX-Web V02.01, with the file's sha256)",
    "source_path": "The file read, in place: its path under the raw root that holds it",
    "source_ref": "Sheet and cell of the value",
}


def population_frame(roots: list[Path]) -> tuple[pl.DataFrame, list[str], Path | None]:
    """stg_ref_population: GSO's average population (V02.01) from the first raw root that holds it, its problems,
    and the file read (None: no root holds it, and the frame is empty: weighted means stay NULL, never guessed)."""
    from pipelines.normalise.provinces import provinces_2004
    from pipelines.sources.scores.population import POPULATION_FILE, SOURCE, population_files, read_population

    provinces = {f"2004-{p.code}": p.name_vi for p in provinces_2004()}
    files = population_files(roots)
    rows, problems = read_population(files[0], provinces, POPULATION_FILE.as_posix()) if files else ([], [])
    df = pl.DataFrame(
        {
            "province_key": [r.province_key for r in rows],
            "year": [r.year for r in rows],
            "population_thousand": [r.population_thousand for r in rows],
            "source": [SOURCE] * len(rows),
            # the path under its raw root, as every published path: never a machine's absolute path
            "source_path": [r.source_path for r in rows],
            "source_ref": [r.source_ref for r in rows],
        },
        schema={
            "province_key": pl.String,
            "year": pl.Int32,
            "population_thousand": pl.Float64,
            "source": pl.String,
            "source_path": pl.String,
            "source_ref": pl.String,
        },
    )
    return df, problems, files[0] if files else None


@dataclass
class StagedScores:
    files: pl.DataFrame
    scores: pl.DataFrame
    par_published: pl.DataFrame
    sipas_published: pl.DataFrame
    quarantine: pl.DataFrame
    findings: pl.DataFrame

    def tables(self) -> dict[str, pl.DataFrame]:
        """The staging tables these frames load, by name (one place for the asset, the bench and the tests)."""
        return {
            "raw_score_files": self.files,
            "stg_index_scores": self.scores,
            "stg_par_published": self.par_published,
            "stg_sipas_published": self.sipas_published,
            "stg_score_quarantine": self.quarantine,
            "stg_score_findings": self.findings,
        }


def stage_scores(
    files: list[RawFile] | None = None, settings: Settings | None = None, cache_dir: Path | None = None
) -> StagedScores:
    """Every score file (those under `settings`' raw roots unless given), loaded, checked against the contracts and
    ranked by root order. With `cache_dir` (Settings.scores_cache_dir), the result for the same files (paths and
    bytes), settings and code is kept there and read back instead of loading the files again."""
    settings = Settings.from_env() if settings is None else settings
    files = discover("scores", settings=settings) if files is None else files
    read: list[tuple[RawFile, bytes | RawReadError]] = []
    for f in files:
        try:
            # a FIFO, link loop or huge file is quarantined here, never opened by a loader
            read.append((f, read_raw(f, settings.max_file_bytes)))
        except RawReadError as e:
            read.append((f, e))
    if cache_dir is None:
        return _stage_read_scores(read, settings)
    key = _scores_key(read, settings)
    entry = cache_dir / f"{key}.pkl"
    if entry.is_file():
        try:
            with open(entry, "rb") as fh:
                cached = pickle.load(fh)
            if isinstance(cached, StagedScores):
                return cached
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            pass  # damaged: loaded again and rewritten
    staged = _stage_read_scores(read, settings)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = entry.with_name(f".{entry.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        pickle.dump(staged, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, entry)
    for old in cache_dir.glob("*.pkl"):  # the last build's entry only
        if old != entry:
            old.unlink(missing_ok=True)
    return staged


def _scores_key(read: list[tuple[RawFile, bytes | RawReadError]], settings: Settings) -> str:
    """The files (root, path, bytes or the read error), the settings, the root order, the code (every module of
    pipelines/: the loaders use the normalisers and the contracts) and the reference files, and polars' version."""
    import hashlib

    from pipelines.settings import PROJECT_DIR
    from pipelines.sources.plans.ingest import raw_roots

    h = hashlib.sha256(repr(settings).encode())
    h.update(repr([str(r) for r in raw_roots(settings)]).encode())
    h.update(pl.__version__.encode())
    code = sorted((PROJECT_DIR / "pipelines").rglob("*.py")) + sorted((PROJECT_DIR / "raw" / "reference").glob("*"))
    for p in code:
        if p.is_file():
            h.update(p.relative_to(PROJECT_DIR).as_posix().encode())
            h.update(p.read_bytes())
    for f, data in read:
        h.update(repr((str(f.root), f.root_label, f.source_path)).encode())
        h.update(hashlib.sha256(data).digest() if isinstance(data, bytes) else repr(data).encode())
    return h.hexdigest()[:32]


def _stage_read_scores(read: list[tuple[RawFile, bytes | RawReadError]], settings: Settings) -> StagedScores:
    import hashlib

    from pipelines.sources.plans.ingest import raw_roots
    from pipelines.sources.scores.press_figures import par_published_rows, sipas_published_rows
    from pipelines.sources.scores.score_rows import ScoreLoad, score_quarantine
    from pipelines.sources.scores.scores import apply_contracts, load_score_file

    listing, scores, quarantine, findings = [], [], [], []
    loaded = []
    for f, data_or_error in read:
        if isinstance(data_or_error, RawReadError):
            e = data_or_error
            layout, res, data = "unreadable", ScoreLoad(), b""
            res.quarantine.append(score_quarantine(f, None, str(e), None))
        else:
            data = data_or_error
            try:
                layout, res = load_score_file(f, data, settings)
            except Exception as e:  # a loader's error on one file must not stop every release: that file, named
                layout, res = "unreadable", ScoreLoad()
                reason = f"score file could not be loaded: {type(e).__name__}: {e}"
                res.quarantine.append(score_quarantine(f, hashlib.sha256(data).hexdigest(), reason, None))
        loaded.append((f, layout, res, hashlib.sha256(data).hexdigest() if data else None, data))
    # per index and scale, and which file keeps a year given twice: the raw roots in their order (raw/ first, then
    # GOVDATA_RAW_EXTRA in order; discover() sorts roots by name), then the path
    order = {r.resolve(): i for i, r in enumerate(raw_roots(settings))}
    first_seen: dict[Path, int] = {}
    for f, *_ in loaded:
        first_seen.setdefault(f.root.resolve(), len(order) + len(first_seen))
    ranked = sorted(
        loaded, key=lambda t: (order.get(t[0].root.resolve(), first_seen[t[0].root.resolve()]), t[0].source_path)
    )
    apply_contracts([(f, sha, res) for f, _, res, sha, _ in ranked])
    for f, layout, res, _, data in loaded:
        scores.extend(res.scores)
        quarantine.extend(res.quarantine)
        findings.extend(res.findings)
        listing.append(
            {
                "raw_root": f.root_label,
                "source_path": f.source_path,
                "layout": layout,
                "size_bytes": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "n_scores": len(res.scores),
                "n_quarantined": len(res.quarantine),
                "n_skipped_rows": res.skipped_rows,
                "read_as": res.layout_note,
            }
        )
    files_df = pl.DataFrame(
        listing,
        schema={
            "raw_root": pl.String,
            "source_path": pl.String,
            "layout": pl.String,
            "size_bytes": pl.Int64,
            "sha256": pl.String,
            "n_scores": pl.Int64,
            "n_quarantined": pl.Int64,
            "n_skipped_rows": pl.Int64,
            "read_as": pl.String,
        },
    )
    return StagedScores(
        files_df,
        staging_frame(scores, "stg_index_scores"),
        staging_frame(par_published_rows(), "stg_par_published"),
        staging_frame(sipas_published_rows(), "stg_sipas_published"),
        staging_frame(quarantine, "stg_score_quarantine"),
        staging_frame(findings, "stg_score_findings"),
    )
