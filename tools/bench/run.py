"""`make bench`: the pipeline on 1,000 / 5,000 / 20,000 SYNTHETIC documents (tools/bench/synthetic.py).

Each size runs in its own process (its own warehouse folder under warehouse/bench/, so peak RSS is per size) and
calls the same plain functions the Dagster assets wrap, in the same order: parse (process pool, both cores, rows
streamed into DuckDB) -> normalise (likewise) -> the score files of the raw roots (the real PAPI/PCI files of the
shared data under `make bench`) -> load reference and score tables -> SQL models -> contracts (Pandera on every
table, GX on the marts) -> Parquet marts -> publish with the report. Printed per stage: wall time, documents/s,
MB/s, peak RSS and the 1-minute load average before and after (os.getloadavg: a figure taken while something else
ran shows as noisy). Also a measured I/O floor (read all bytes + bulk-insert the same rows into DuckDB + write the
same Parquet: no parsing at all, so the ratio says how far the pipeline is from the disk, not from a target), the
pipeline / I/O floor ratio, and the time to refresh the warehouse and marts after adding one new document.
Extracted task counts are checked against the generator's manifest. Then OCR pages/s per worker on a SYNTHETIC
scanned corpus (tools/bench/scanned.py), on one process and on a Dask cluster on loopback. Figures go to
warehouse/bench/results.json with the commit, the machine and the date.

Cold by default: each size starts from an empty warehouse folder (no build file, no parse or normalise cache) and
the corpus files are evicted from the OS page cache (posix_fadvise DONTNEED), so two runs in a row measure the same
thing. Warm figures are reported separately: a no-op refresh (nothing changed) and one new document. `--warm`
keeps the previous warehouse and caches instead (what a yearly reload on an existing warehouse costs).

With `--mixed` the corpus has documents as .docx, .pdf and .html too (synthetic.MIXED_SHARES; its own corpus,
warehouse folder and results_mixed.json), and figures per format are added: documents, MB, the format adapter's time
and the whole per-document parse (adapter + readers) on one core, and whether each format's task counts match.

    python -m tools.bench.run [--sizes 1000 5000 20000] [--seed 7] [--warm] [--mixed]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from contextlib import closing, contextmanager
from pathlib import Path

import psutil

from pipelines.settings import PROJECT_DIR, Settings

BENCH_DIR = PROJECT_DIR / "warehouse" / "bench"
RESULTS = BENCH_DIR / "results.json"
# issue 27: 20,000 documents in 150 s and 1 GB on an idle 2-core machine, one new document in 5 s
TARGETS = {"end_to_end_20000_s": 150, "peak_rss_mb": 1024, "parse_mb_s_per_core": 5.0, "one_new_document_s": 5}


class PeakRss:
    """Samples the RSS of this process and its children (the parse workers) every 50 ms, and their CPU time: the
    last CPU time seen of every process of the tree, less what those alive at the start had used then (a worker
    that ends between two samples loses at most 50 ms). Other sessions on the machine stretch the wall time far
    more than the CPU seconds (only through shared caches), so MB per CPU second compares runs; wall time less."""

    def __init__(self):
        self.me = psutil.Process()
        self.peak = 0
        self.cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._loop, daemon=True)
        self.start_cpu = self._cpu_now()

    def _cpu_now(self) -> dict[int, float]:
        out = {}
        for p in [self.me, *self.me.children(recursive=True)]:
            try:
                t = p.cpu_times()
                out[p.pid] = t.user + t.system
            except psutil.Error:
                pass
        return out

    @property
    def cpu_s(self) -> float:
        return sum(v - self.start_cpu.get(pid, 0.0) for pid, v in self.cpu.items())

    def _loop(self):
        while not self._stop.is_set():
            try:
                rss = self.me.memory_info().rss + sum(c.memory_info().rss for c in self.me.children(recursive=True))
            except psutil.Error:
                rss = 0
            self.peak = max(self.peak, rss)
            self.cpu.update(self._cpu_now())
            time.sleep(0.05)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()
        self.cpu.update(self._cpu_now())


def load_avg() -> float:
    """The 1-minute load average, recorded beside every figure: on 2 cores, above ~0.3 before a run means something
    else was running and the figure is an upper bound."""
    return round(os.getloadavg()[0], 2)


@contextmanager
def stage(results: dict, name: str, n_docs: int, n_bytes: int):
    load0 = load_avg()
    with PeakRss() as rss:
        t0 = time.perf_counter()
        yield
        wall = time.perf_counter() - t0
    results[name] = {
        "load_avg_1m": [load0, load_avg()],  # before, after
        "wall_s": round(wall, 3),
        "docs_per_s": round(n_docs / wall, 1) if wall else None,
        "mb_per_s": round(n_bytes / 1e6 / wall, 2) if wall else None,
        "peak_rss_mb": round(rss.peak / 1e6, 1),
        "cpu_s": round(rss.cpu_s, 2),  # this process and its children (the workers): little moved by other load
    }


def build(root: Path, results: dict, prefix: str = "") -> dict:
    """The whole pipeline on one raw root; returns counts. Same functions, same order as the Dagster assets."""
    from pipelines.publish.release import publish_release
    from pipelines.quality.contracts import CORE_MODELS
    from pipelines.quality.expectations import MARTS_WITH_SUITES, validate_mart_in_db
    from pipelines.quality.schemas import STAGING_MODELS
    from pipelines.quality.validation import validate_table
    from pipelines.report.page import build_report
    from pipelines.sources.plans.ingest import discover, raw_roots
    from pipelines.staging.frames import population_frame, reference_frames, stage_scores
    from pipelines.staging.incremental import staging_insert_seconds, sync_normalised, sync_plans
    from pipelines.warehouse.db import connect, write_table
    from pipelines.warehouse.sql_models import models_in_dependency_order, run_model

    files = discover("plans", roots=[root])
    n, size = len(files), sum(f.path.stat().st_size for f in files)
    out: dict[str, object] = {}
    settings = Settings.from_env()
    t_ins0 = staging_insert_seconds()
    # each stage on its own connection, as each Dagster asset gets one (DuckDB frees its buffers between them)
    # parse and normalise stream their rows into DuckDB (the DuckDB load of staging happens inside them)
    with stage(results, prefix + "parse", n, size), closing(connect(settings)) as con:
        rep = sync_plans(con, files, cache_dir=settings.parse_cache_dir)
    out.update(parsed=rep.added, unchanged=rep.unchanged)
    with stage(results, prefix + "normalise", n, size), closing(connect(settings)) as con:
        sync_normalised(con, cache_dir=settings.normalise_cache_dir, parse_cache_dir=settings.parse_cache_dir)
    with stage(results, prefix + "scores", n, size):  # the raw roots' score files (the shared data under make)
        scores = stage_scores(settings=settings, cache_dir=settings.scores_cache_dir)
    results[prefix + "staging_inserts_within_parse_and_normalise_s"] = round(staging_insert_seconds() - t_ins0, 3)
    with stage(results, prefix + "duckdb_load", n, size), closing(connect(settings)) as con:
        population = population_frame(raw_roots(settings))[0]
        frames = {**reference_frames(), **scores.tables(), "stg_ref_population": population}
        for name, df in frames.items():
            write_table(con, name, df)
    with stage(results, prefix + "sql_models", n, size), closing(connect(settings)) as con:
        for m in models_in_dependency_order():
            run_model(con, m)
    with stage(results, prefix + "checks", n, size), closing(connect(settings)) as con:
        failed, validated = [], 0
        for table, model in {**STAGING_MODELS, **CORE_MODELS}.items():
            v = validate_table(con, table, model)
            validated += v.rows_validated
            if not v.passed:
                failed.append(table)
        for mart in MARTS_WITH_SUITES:
            if not validate_mart_in_db(con, mart, settings.gx_docs_dir)[0].success:
                failed.append(mart)
        if failed:
            raise SystemExit(f"contracts failed on the synthetic corpus: {failed}")
    results[prefix + "rows_validated_by_pandera"] = validated
    with closing(connect(settings)) as con:
        got = dict(con.execute("SELECT source_path, n_tasks FROM dim_document").fetchall())
        out["tasks"] = con.execute("SELECT count(*) FROM fct_plan_task").fetchall()[0][0]
    out["scores"] = scores.scores.height

    def report(db: Path, folder: Path, build_id: str) -> None:
        with stage(results, prefix + "report", n, size):
            build_report(db, folder, build_id, cache_dir=settings.report_cache_dir)

    # one release, as the publish asset makes it: the database copy, the Parquet marts and the report (timed on its
    # own, and within publish), switched together
    with stage(results, prefix + "publish", n, size):
        publish_release(settings.build_db, settings.warehouse_dir, report=report)
    out["n_documents"], out["bytes"], out["n_tasks_by_file"] = n, size, got
    return out


def io_floor(root: Path) -> dict:
    """The I/O floor: what any pipeline must do with the disk and the database, no parsing at all (read the bytes,
    bulk-insert the same rows, write the same Parquet). A ratio to it says how much is computation, not a target."""
    import duckdb
    import polars as pl

    from pipelines.settings import Settings

    settings = Settings.from_env()
    BUILD_DB, MARTS_DIR = settings.build_db, settings.marts_dir

    t0 = time.perf_counter()
    n_bytes = sum(len(p.read_bytes()) for p in (root / "plans").rglob("*") if p.is_file())
    t_read = time.perf_counter() - t0
    src = duckdb.connect(str(BUILD_DB), read_only=True)
    tables = [
        r[0]
        for r in src.execute(
            "SELECT table_name FROM information_schema.tables WHERE starts_with(table_name, 'stg_')"
        ).fetchall()
    ]
    frames = {t: src.sql(f'SELECT * FROM "{t}"').pl().to_arrow() for t in tables}
    src.close()
    target = BUILD_DB.parent / "floor.duckdb"
    target.unlink(missing_ok=True)
    t0 = time.perf_counter()
    con = duckdb.connect(str(target))
    for t, a in frames.items():
        con.register("_a", a)
        con.execute(f'CREATE TABLE "{t}" AS SELECT * FROM _a').fetchall()
        con.unregister("_a")
    con.close()
    t_insert = time.perf_counter() - t0
    marts = {p.parent.name if p.parent != MARTS_DIR else p.stem: p for p in MARTS_DIR.rglob("*.parquet")}
    mart_frames = [pl.read_parquet(p) for p in marts.values()]
    t0 = time.perf_counter()
    for i, df in enumerate(mart_frames):
        df.write_parquet(BUILD_DB.parent / f"floor_{i}.parquet", compression="zstd")
    t_parquet = time.perf_counter() - t0
    target.unlink(missing_ok=True)
    return {
        "load_avg_1m": load_avg(),
        "read_bytes_s": round(t_read, 3),
        "bulk_insert_s": round(t_insert, 3),
        "parquet_s": round(t_parquet, 3),
        "total_s": round(t_read + t_insert + t_parquet, 3),
        "bytes": n_bytes,
    }


def evict_page_cache(root: Path) -> int:
    """Drop the corpus files from the OS page cache (no root needed); returns how many files were evicted."""
    if not hasattr(os, "posix_fadvise"):
        return 0
    n = 0
    for p in root.rglob("*"):
        if p.is_file():
            fd = os.open(p, os.O_RDONLY)
            try:
                os.fsync(fd)  # dirty pages (a corpus just written) cannot be dropped
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                n += 1
            finally:
                os.close(fd)
    return n


def per_format(root: Path, got: dict[str, int]) -> dict:
    """Per document format: the adapter's time (bytes -> text) and the whole parse (ingest.process_document), each
    document once, in this process (one core); and the task counts against the manifest."""
    from pipelines.sources.plans.formats import read_document
    from pipelines.sources.plans.ingest import RawFile, process_document
    from tools.bench.synthetic import manifest_formats, read_manifest

    expected, formats = read_manifest(root), manifest_formats(root)
    out: dict = {}
    for fmt in sorted(set(formats.values())):
        paths = [sp for sp, f in formats.items() if f == fmt]
        size = read_s = parse_s = 0.0
        for sp in paths:
            data = (root / sp).read_bytes()
            size += len(data)
            t0 = time.perf_counter()
            read_document(data, sp)
            read_s += time.perf_counter() - t0
            t0 = time.perf_counter()
            process_document(RawFile(root, root / sp), data)
            parse_s += time.perf_counter() - t0
        out[fmt] = {
            "documents": len(paths),
            "mb": round(size / 1e6, 2),
            "adapter_s": round(read_s, 2),
            "adapter_ms_per_doc": round(1000 * read_s / len(paths), 1),
            "parse_s": round(parse_s, 2),
            "docs_per_s_per_core": round(len(paths) / parse_s, 1),
            "tasks_match_manifest": sum(1 for sp in paths if got.get(sp) == expected[sp]),
            "load_avg_1m": load_avg(),
        }
    return out


def one_size(n: int, seed: int, mixed: bool = False) -> dict:
    """Runs in a child process with GOVDATA_WAREHOUSE_DIR set to this size's folder (emptied by the parent for a
    cold run)."""
    from tools.bench.synthetic import default_root, generate, generate_one, read_manifest

    root = default_root(n, seed, mixed)
    t0 = time.perf_counter()
    if not (root / "manifest.csv").exists():
        generate(n, seed, root, mixed)
    gen_s = time.perf_counter() - t0
    evicted = evict_page_cache(root)
    stages: dict = {}
    load0 = load_avg()
    t0 = time.perf_counter()
    counts = build(root, stages)
    total = time.perf_counter() - t0
    load1 = load_avg()
    expected = read_manifest(root)
    got = counts.pop("n_tasks_by_file")
    lost = {k: (v, got.get(k)) for k, v in expected.items() if got.get(k) != v}
    formats = per_format(root, got) if mixed else None
    evict_page_cache(root)  # the I/O floor reads the corpus cold too
    fl = io_floor(root)
    # warm, nothing changed: what a scheduled reload costs when no plan arrived
    noop: dict = {}
    t0 = time.perf_counter()
    build(root, noop, "noop_")
    noop_s = time.perf_counter() - t0
    # one new document on the built warehouse: everything unchanged comes from the parse cache
    generate_one(root, n + 1, seed)
    refresh: dict = {}
    load_refresh = load_avg()
    t0 = time.perf_counter()
    build(root, refresh, "refresh_")
    refresh_s = time.perf_counter() - t0
    (root / "plans").joinpath(read_manifest_extra(root)).unlink()
    return {
        "n_documents": n,
        "seed": seed,
        "mixed": mixed,
        "per_format": formats,
        "generate_s": round(gen_s, 2),
        "files_evicted_from_page_cache": evicted,
        "mb": round(counts["bytes"] / 1e6, 1),
        "tasks": counts["tasks"],
        "task_counts_match_manifest": not lost,
        "lost": dict(list(lost.items())[:10]),
        "end_to_end_s": round(total, 2),
        "stages": stages,
        "scores": counts["scores"],
        "io_floor": fl,
        "ratio_to_io_floor": round(total / fl["total_s"], 1) if fl["total_s"] else None,
        "load_avg_1m_end_to_end": [load0, load1],
        "warm_noop_refresh_s": round(noop_s, 2),
        "noop_stages": noop,
        "one_new_document_s": round(refresh_s, 2),
        "load_avg_1m_one_new_document": [load_refresh, load_avg()],
        "refresh_stages": refresh,
        "peak_rss_mb": max(s["peak_rss_mb"] for s in stages.values() if isinstance(s, dict)),
        "parse_workers": Settings.from_env().pool_workers,
        "parse_mb_s_per_core": round(stages["parse"]["mb_per_s"] / Settings.from_env().pool_workers, 2),
        # the parse stage's MB per CPU second of the build and its workers (pool start, hashing, spool load and
        # the main process included): what a core does when it is not shared with other sessions
        "parse_mb_per_cpu_s": round(counts["bytes"] / 1e6 / stages["parse"]["cpu_s"], 2),
    }


def read_manifest_extra(root: Path) -> str:
    return (root / "extra.txt").read_text(encoding="utf-8").strip()


def _print(r: dict) -> None:
    print(
        f"\n== {r['n_documents']} SYNTHETIC documents, {r['mode']} ({r['mb']} MB, {r['tasks']} tasks), end to end "
        f"{r['end_to_end_s']} s (load {r['load_avg_1m_end_to_end'][0]} -> {r['load_avg_1m_end_to_end'][1]}); "
        f"task counts match manifest: {r['task_counts_match_manifest']}; {r['scores']} score rows"
    )
    print(f"{'stage':<16}{'wall s':>9}{'CPU s':>9}{'docs/s':>10}{'MB/s':>9}{'peak RSS MB':>13}{'load 1m':>14}")
    for name, s in r["stages"].items():
        if not isinstance(s, dict):
            print(f"  ({name}: {s})")
            continue
        load = f"{s['load_avg_1m'][0]} -> {s['load_avg_1m'][1]}"
        print(
            f"{name:<16}{s['wall_s']:>9}{s['cpu_s']:>9}{s['docs_per_s']:>10}{s['mb_per_s']:>9}{s['peak_rss_mb']:>13}"
            f"{load:>14}"
        )
    f = r["io_floor"]
    print(
        f"I/O floor: read {f['read_bytes_s']} s + bulk insert {f['bulk_insert_s']} s + Parquet {f['parquet_s']} s = "
        f"{f['total_s']} s (load {f['load_avg_1m']}); pipeline / I/O floor = {r['ratio_to_io_floor']}x"
    )
    print(
        f"warm, nothing changed: {r['warm_noop_refresh_s']} s; "
        f"one new document -> warehouse and marts refreshed in {r['one_new_document_s']} s; "
        f"parse {r['parse_mb_s_per_core']} MB/s per core ({r['parse_workers']} workers), "
        f"{r['parse_mb_per_cpu_s']} MB per CPU second; peak RSS {r['peak_rss_mb']} MB"
    )
    if r.get("per_format"):
        print(f"{'format':<8}{'docs':>6}{'MB':>8}{'adapter ms/doc':>16}{'parse docs/s/core':>19}{'tasks match':>13}")
        for fmt, f in r["per_format"].items():
            print(
                f"{fmt:<8}{f['documents']:>6}{f['mb']:>8}{f['adapter_ms_per_doc']:>16}{f['docs_per_s_per_core']:>19}"
                f"{str(f['tasks_match_manifest']) + '/' + str(f['documents']):>13}"
            )


def ocr(docs: int, pages: int) -> dict:
    """OCR pages/s per worker on the SYNTHETIC scanned corpus, one process and two Dask workers on loopback."""
    from pipelines.sources.plans.formats.pdf import ocr_available
    from tools.bench.scanned import ocr_figures

    missing = ocr_available()
    if missing:
        return {"skipped": f"OCR not installed here: {missing} (make format-tools)"}
    return ocr_figures(BENCH_DIR / "corpus_scanned", docs, pages, workers=2)


def _commit() -> str:
    """The commit measured, with '+dirty' when the working tree has changes."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=PROJECT_DIR, capture_output=True, text=True).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + ("+dirty" if git("status", "--porcelain", "--untracked-files=no") else "")


def _machine() -> dict:
    import duckdb

    cpu = (
        next(
            (
                ln.split(":", 1)[1].strip()
                for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")
            ),
            platform.processor(),
        )
        if Path("/proc/cpuinfo").exists()
        else platform.processor()
    )
    return {
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 1e9, 1),
        "cpu": cpu,
        "load_avg_1m_at_start": load_avg(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description="make bench")
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--formats-only", action="store_true", help="only the published-format figure (30-page PDF read)")
    ap.add_argument(
        "--warm",
        action="store_true",
        help="keep each size's previous warehouse and caches (default: cold, from an empty folder)",
    )
    ap.add_argument("--mixed", action="store_true", help="SYNTHETIC corpus with .docx, .pdf and .html documents too")
    ap.add_argument("--ocr-docs", type=int, default=2, help="SYNTHETIC scanned plans for the OCR figure (0: none)")
    ap.add_argument("--ocr-pages", type=int, default=4, help="pages of each scanned plan")
    a = ap.parse_args()
    if a.child:
        print(json.dumps(one_size(a.child, a.seed, a.mixed)))
        return 0
    results = {
        "when_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "commit": _commit(),
        "mode": "warm" if a.warm else "cold",
        "mixed": a.mixed,
        "machine": _machine(),
        "targets": TARGETS,
        "runs": [],
    }
    results_file = RESULTS.with_name("results_mixed.json") if a.mixed else RESULTS
    from tools.bench.formats import pdf_read_seconds

    results["formats"] = {**pdf_read_seconds(), "load_avg_1m": load_avg()}
    print(f"30-page text-layer PDF read: {json.dumps(results['formats'])}")
    if a.formats_only:
        return 0 if results["formats"].get("ok", True) else 1
    if a.ocr_docs:
        results["ocr"] = ocr(a.ocr_docs, a.ocr_pages)
        print(f"OCR on SYNTHETIC scanned plans: {json.dumps(results['ocr'])}")
    for n in a.sizes:
        wh = BENCH_DIR / f"wh_{n}{'_mixed' if a.mixed else ''}"
        if not a.warm:
            shutil.rmtree(wh, ignore_errors=True)  # build file, release, parse and normalise caches
        env = {**os.environ, "GOVDATA_WAREHOUSE_DIR": str(wh)}
        proc = subprocess.run(
            [sys.executable, "-m", "tools.bench.run", "--child", str(n), "--seed", str(a.seed)]
            + (["--mixed"] if a.mixed else []),
            env=env,
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
        )
        if proc.returncode:
            print(proc.stdout[-3000:], proc.stderr[-5000:], file=sys.stderr)
            return proc.returncode
        r = {"mode": results["mode"], **json.loads(proc.stdout.strip().splitlines()[-1])}
        results["runs"].append(r)
        _print(r)
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        results_file.write_text(json.dumps(results, indent=2), encoding="utf-8")
    with open(BENCH_DIR / "history.jsonl", "a", encoding="utf-8") as f:  # every run kept, to compare runs in a row
        f.write(json.dumps(results) + "\n")
    print(f"\nfigures: {results_file}")
    bad = [r["n_documents"] for r in results["runs"] if not r["task_counts_match_manifest"]]
    if bad:
        print(f"TASKS LOST: extracted counts differ from the generator's manifest for sizes {bad}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
