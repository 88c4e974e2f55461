"""Parsing and OCR on a Dask cluster (issue 27): the whole graph on two workers on loopback gives the local release,
table by table; a worker killed mid-document loses nothing; scanned pages are shared by the workers."""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from pipelines.settings import Settings
from pipelines.sources.plans.formats.pdf import ocr_available
from pipelines.staging.cluster import loopback_cluster, worker_pids
from tests.conftest import HCMC_PAPI, QUANG_NGAI, build_in_subprocess

needs_ocr = pytest.mark.skipif(ocr_available() is not None, reason=f"OCR not installed here: {ocr_available()}")


def _tables(con) -> list[str]:
    return [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]


def _differences(a: Path, b: Path, skip: set[str]) -> dict[str, tuple[int, int]]:
    """Per table: rows only in a and rows only in b (EXCEPT ALL both ways: every value of every row, duplicates
    counted); tables present in one only are named with -1."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{a}' AS a (READ_ONLY)")
        con.execute(f"ATTACH '{b}' AS b (READ_ONLY)")
        ta = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'a'").fetchall()}
        tb = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'b'").fetchall()}
        out = {t: (-1, -1) for t in ta ^ tb}
        for t in sorted((ta & tb) - skip):
            only_a = con.execute(f'SELECT count(*) FROM (FROM a."{t}" EXCEPT ALL FROM b."{t}")').fetchall()[0][0]
            only_b = con.execute(f'SELECT count(*) FROM (FROM b."{t}" EXCEPT ALL FROM a."{t}")').fetchall()[0][0]
            if only_a or only_b:
                out[t] = (only_a, only_b)
        return out
    finally:
        con.close()


def test_the_whole_graph_on_two_dask_workers_publishes_the_local_release(built, tmp_path):
    """The session's local build (process pool) against the same graph with parsing on a scheduler and two worker
    processes on loopback: every table of the release holds the same rows, value for value; only build_info (the
    build's id and time) differs. The workers did the parsing."""
    from distributed import Client

    _, published = built
    wh = tmp_path / "wh_cluster"
    with loopback_cluster(2) as address:
        build_in_subprocess(wh, checks=False, timeout=900, GOVDATA_PARSE_ENGINE="dask", GOVDATA_SCHEDULER=address)
        with Client(address, set_as_default=False) as c:
            # the ceiling each worker set up when it ran its first parse task (None: it ran none)
            ran = c.run(lambda: __import__("pipelines.staging.cluster", fromlist=["x"])._configured)
    assert len(ran) == 2 and any(v == Settings().worker_memory_mb * 2**20 for v in ran.values()), ran
    local, cluster = published.resolve(), (wh / "governance.duckdb").resolve()
    con = duckdb.connect(str(cluster), read_only=True)
    n_docs = con.execute("SELECT count(*) FROM dim_document").fetchall()[0][0]
    assert n_docs >= 5 and len(_tables(con)) > 20
    con.close()
    if n_docs > 32:  # more than two chunks of 16 documents: both workers took some
        assert all(v is not None for v in ran.values()), ran
    assert _differences(local, cluster, skip={"build_info"}) == {}


def _stage(files, settings: Settings, where: Path) -> dict[str, list[tuple]]:
    from pipelines.staging import incremental

    con = duckdb.connect(str(where / "x.duckdb"))
    try:
        incremental.sync_plans(con, files, cache_dir=where / "parsed", settings=settings)
        return {
            t: sorted(con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr)
            for t in (*incremental.PLAN_TABLES, incremental.DOC_LINES)
        }
    finally:
        con.close()


def _scanned_root(root: Path, pages: int) -> list:
    from pipelines.sources.plans.ingest import discover
    from tools.bench.scanned import scanned_plan

    (root / "plans").mkdir(parents=True)
    (root / "plans" / "a_scan.pdf").write_bytes(scanned_plan(0, pages))
    for p in (HCMC_PAPI, QUANG_NGAI):
        (root / "plans" / p.name).write_bytes(p.read_bytes())
    return discover("plans", roots=[root])


@needs_ocr
def test_a_worker_killed_mid_document_loses_nothing(tmp_path):
    """Two workers; while the scanned plan's pages are being read, the worker that runs its document task is killed
    (SIGKILL). The scheduler runs the task again on a worker (the nanny starts a new one): every row staged equals
    the local pool's, no document lost or quarantined, no spool file loaded twice."""
    from distributed import Client

    files = _scanned_root(tmp_path / "raw", pages=3)
    base = Settings(warehouse_dir=tmp_path / "wh")
    (tmp_path / "local").mkdir()
    expected = _stage(files, base, tmp_path / "local")
    assert len(expected["stg_documents"]) == 3 and not expected["stg_quarantine"]
    killed: list[int] = []
    with loopback_cluster(2) as address:
        pids = worker_pids(address)
        got: dict = {}
        (tmp_path / "dask").mkdir()
        settings = replace(base, parse_engine="dask", scheduler=address)
        t = threading.Thread(target=lambda: got.update(_stage(files, settings, tmp_path / "dask")))
        t.start()
        with Client(address, set_as_default=False) as c:
            deadline = time.monotonic() + 120
            while not killed and time.monotonic() < deadline:
                busy = c.processing()
                pages = any(k.startswith("ocr_page_task") for keys in busy.values() for k in keys)
                doc = [w for w, keys in busy.items() if any(k.startswith("run_task") for k in keys)]
                if pages and doc:  # mid-document: its pages are being read
                    os.kill(pids[doc[0]], signal.SIGKILL)
                    killed.append(pids[doc[0]])
                time.sleep(0.05)
        t.join(600)
    assert killed, "no worker was caught mid-document"
    with pytest.raises(ProcessLookupError):
        os.kill(killed[0], 0)
    assert got == expected


def test_settings_choose_the_engine_and_the_worker_count():
    s = Settings.from_env({"GOVDATA_PARSE_ENGINE": "dask", "GOVDATA_SCHEDULER": "tcp://10.0.0.5:8786"})
    assert (s.parse_engine, s.scheduler, s.pool_workers) == ("dask", "tcp://10.0.0.5:8786", min(2, os.cpu_count() or 1))
    s = Settings.from_env({"GOVDATA_WORKERS": "6", "GOVDATA_SPOOL_DIR": "/shared/spool"})
    assert (s.parse_engine, s.pool_workers, s.spool_dir) == ("local", 6, Path("/shared/spool"))
    with pytest.raises(ValueError, match="needs GOVDATA_SCHEDULER"):
        Settings.from_env({"GOVDATA_PARSE_ENGINE": "dask"})
    with pytest.raises(ValueError, match="one of local, dask"):
        Settings.from_env({"GOVDATA_PARSE_ENGINE": "ray"})


def test_the_dagster_settings_resource_carries_the_engine_and_the_ocr_budgets():
    from assets.resources import SettingsResource

    s = replace(
        Settings(),
        parse_engine="dask",
        scheduler="tcp://127.0.0.1:8786",
        workers=3,
        spool_dir=Path("/x/spool"),
        max_pdf_pages=12,
        ocr_seconds_per_file=7.5,
        worker_memory_mb=700,
    )
    back = SettingsResource.of(s).get()
    assert (
        back.parse_engine,
        back.scheduler,
        back.workers,
        back.spool_dir,
        back.max_pdf_pages,
        back.ocr_seconds_per_file,
        back.worker_memory_mb,
    ) == ("dask", "tcp://127.0.0.1:8786", 3, Path("/x/spool"), 12, 7.5, 700)
    assert SettingsResource.of(Settings()).get().spool_dir is None


WORDS = ["Kế hoạch cải cách hành chính.", "Nhiệm vụ chính của sở.", "Tổ chức thực hiện."]


def test_scanned_pages_go_through_the_page_runner(monkeypatch):
    """A scan's pages are read by whatever page runner is set (a cluster worker sets one): the pages and the budget
    reach it, its lines become the document."""
    import io

    from PIL import Image, ImageDraw

    from pipelines.sources.plans.formats import pdf
    from pipelines.sources.plans.formats.pdf import read_pdf

    imgs = [Image.new("RGB", (400, 560), "white") for _ in range(3)]
    for im in imgs:
        ImageDraw.Draw(im).rectangle((50, 50, 60, 60), fill="black")
    buf = io.BytesIO()
    imgs[0].save(buf, "PDF", resolution=50, save_all=True, append_images=imgs[1:])
    calls = []

    def runner(data: bytes, numbers: list[int], seconds: float):
        calls.append((numbers, seconds))
        line = {"text": "", "x0": 10.0, "x1": 300.0, "top": 0.0, "bottom": 12.0}
        return {i: [(0.0, "line", dict(line, text=WORDS[i]))] for i in numbers}

    monkeypatch.setattr(pdf, "ocr_available", lambda: None)
    monkeypatch.setattr(pdf, "page_runner", runner)
    doc = read_pdf(buf.getvalue(), ocr_seconds=42.0)
    assert calls == [([0, 1, 2], 42.0)]
    assert doc.text_source == "ocr" and doc.page_count == 3
    assert " ".join(doc.text.split()) == " ".join(WORDS)  # the lines of the pages, in page order


def _dies_on_poison(batch: list[str]) -> list[str]:
    """A reader that kills its own worker process on one input, every time (as a crashing library would)."""
    if "poison" in batch:
        os.kill(os.getpid(), signal.SIGKILL)
    return list(batch)


def test_a_document_that_kills_every_worker_it_meets_is_quarantined_and_the_rest_read():
    """The chunk dies on every worker the scheduler tries (Dask's allowed failures), then runs one document per
    task: the others come back, the one that still kills is what on_crash makes of it, with the reason; in order."""
    from pipelines.staging.cluster import ALLOWED_FAILURES, map_chunks

    with loopback_cluster(2) as address:
        settings = Settings(parse_engine="dask", scheduler=address)
        got = list(
            map_chunks(
                _dies_on_poison,
                ["a", "poison", "b", "c"],
                settings,
                on_crash=lambda item, why: [f"quarantined {item}: {why}"],
                merge=lambda parts: [x for p in parts for x in p],
                chunk=3,
            )
        )
    ceiling = f"memory ceiling {settings.worker_memory_mb} MB, GOVDATA_WORKER_MEMORY_MB"
    assert got == [
        [
            "a",
            f"quarantined poison: reading stopped: the parse worker died {ALLOWED_FAILURES + 1} times on the Dask "
            f"cluster ({ceiling})",
            "b",
        ],
        ["c"],
    ]
