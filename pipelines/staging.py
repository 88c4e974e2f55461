"""Python staging: rows -> typed staging frames, the process pool the plan readers run in, the reference seeds and
the score files. (The plan staging tables themselves are kept up to date by pipelines/incremental.py.)"""

from __future__ import annotations

import multiprocessing
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import polars as pl

from .domain.ingest import RawFile, RawReadError, discover, read_raw
from .schemas import STAGING_MODELS, polars_schema
from .settings import Settings


def staging_frame(rows: list[dict], table: str) -> pl.DataFrame:
    schema = polars_schema(STAGING_MODELS[table])
    # built column by column: twice as fast as polars reading a list of row dicts
    return pl.DataFrame({c: [r.get(c) for r in rows] for c in schema}, schema=schema)


def pool_map_chunks(fn, items, workers: int, n: int, chunk: int = 16, window: int = 8):
    """fn(list of up to `chunk` items) over a process pool, results yielded per chunk and in order, at most
    `window` chunks in flight (Executor.map would take the whole iterable at once). In this process when n, the
    items needing real work, is small. Workers start from a fresh forkserver, not as copies of a big parent, so
    their memory is their own."""
    it = iter(items)
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
    from .domain.provinces import REFERENCE_DIR

    return {name: pl.read_csv(REFERENCE_DIR / fname, infer_schema=False) for name, fname in REFERENCE_SEEDS.items()}


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


def stage_scores(files: list[RawFile] | None = None, settings: Settings | None = None) -> StagedScores:
    """Every score file (those under `settings`' raw roots unless given), loaded, checked against the contracts and
    ranked by root order."""
    import hashlib

    from .domain.ingest import raw_roots
    from .domain.scores import (
        ScoreLoad,
        apply_contracts,
        load_score_file,
        par_published_rows,
        score_quarantine,
        sipas_published_rows,
    )

    settings = Settings.from_env() if settings is None else settings
    files = discover("scores", settings=settings) if files is None else files
    listing, scores, quarantine, findings = [], [], [], []
    loaded = []
    for f in files:
        try:
            data = read_raw(
                f, settings.max_file_bytes
            )  # a FIFO, link loop or huge file is quarantined here, never opened by a loader
        except RawReadError as e:
            layout, res, data = "unreadable", ScoreLoad(), b""
            res.quarantine.append(score_quarantine(f, None, str(e), None))
        else:
            layout, res = load_score_file(f)
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
