"""Bounded resources for every input (issue 24.1): a .docx/.xlsx is checked from its zip directory before it is
inflated, a PDF's pages and its OCR time are bounded, and plan files are read only in worker processes under a
memory ceiling: a worker that dies or passes it quarantines its file ("reading stopped: ...") and the run goes on."""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import threading
import time
import zipfile
from pathlib import Path

import pytest

from pipelines.settings import Settings
from pipelines.sources.plans.formats import FormatError, read_document
from pipelines.sources.plans.formats.pdf import ocr_available
from pipelines.staging.frames import Isolation, pool_map_chunks
from tests.conftest import HCMC_PAPI, SHARED

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def docx_bomb(path: Path, inflated: int = 2**30) -> Path:
    """A .docx (about 1 MB) whose word/document.xml inflates to `inflated` bytes: 1 GiB of one paragraph."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        with z.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>'.encode())
            block = "Nâng cao chỉ số PAPI. ".encode() * (2**20 // 24)
            for _ in range(inflated // len(block)):
                fh.write(block)
            fh.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return path


class PeakMemory:
    """The largest resident size of this process and all its descendants together, sampled every 20 ms."""

    def __init__(self):
        import psutil

        self.me, self.peak, self._stop = psutil.Process(), 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        import psutil

        while not self._stop.is_set():
            total = 0
            for p in [self.me, *self.me.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(0.02)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def _stage(tmp_path: Path, root: Path, settings: Settings):
    """sync_plans as the pipeline calls it (workers=None: isolated workers) into a DuckDB file of tmp_path."""
    import duckdb

    from pipelines.sources.plans.ingest import discover
    from pipelines.staging import incremental

    con = duckdb.connect(str(tmp_path / "bounded.duckdb"))
    try:
        incremental.sync_plans(con, discover("plans", [root]), cache_dir=tmp_path / "parsed", settings=settings)
        docs = con.execute("SELECT source_path, n_tasks FROM stg_documents ORDER BY 1").fetchall()
        quarantine = dict(con.execute("SELECT source_path, reason FROM stg_quarantine").fetchall())
    finally:
        con.close()
    return docs, quarantine


def _root_with_bomb(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "plans").mkdir(parents=True)
    shutil.copy(HCMC_PAPI, root / "plans" / "good.txt")
    docx_bomb(root / "plans" / "bomb.docx")
    assert (root / "plans" / "bomb.docx").stat().st_size < 8 * 2**20
    return root


def test_a_zip_bomb_is_quarantined_from_its_directory_in_seconds_and_never_read_in_this_process(tmp_path, monkeypatch):
    from pipelines.sources.plans import parse_cache

    root = _root_with_bomb(tmp_path)
    clean, _ = _stage(tmp_path / "clean", _clean_root(tmp_path, root), Settings())

    def not_here(*a, **k):
        raise AssertionError("a plan file was read in the main process")

    monkeypatch.setattr(parse_cache, "process_document", not_here)  # the workers have their own, real one
    t0 = time.monotonic()
    with PeakMemory() as mem:
        docs, quarantine = _stage(tmp_path, root, Settings())
    elapsed = time.monotonic() - t0
    assert re.fullmatch(
        r"above the limit: the \.docx inflates to 1,073,\d{3},\d{3} bytes unzipped \(word/document\.xml 1,073,\d{3},\d{3}\), "
        r"more than 268,435,456 \(GOVDATA_MAX_UNZIPPED_BYTES\)",
        quarantine["plans/bomb.docx"],
    ), quarantine["plans/bomb.docx"]
    assert docs == clean == [("plans/good.txt", clean[0][1])] and clean[0][1] > 20  # same tasks as a clean build
    assert elapsed < 10, elapsed
    assert mem.peak < 2 * 2**30, mem.peak


def _clean_root(tmp_path: Path, root: Path) -> Path:
    clean = tmp_path / "clean_root"
    (clean / "plans").mkdir(parents=True)
    shutil.copy(root / "plans" / "good.txt", clean / "plans" / "good.txt")
    (tmp_path / "clean").mkdir()
    return clean


def test_a_worker_past_its_memory_ceiling_quarantines_its_file_and_the_run_goes_on(tmp_path):
    """The zip check off (a limit of 1 TB): python-docx inflates the 1 GiB part in the worker, which hits its
    ceiling of 400 MB; that file alone is quarantined, the good plan is staged, the run's memory stays low."""
    root = _root_with_bomb(tmp_path)
    settings = Settings(max_unzipped_bytes=2**40, worker_memory_mb=400)
    with PeakMemory() as mem:
        docs, quarantine = _stage(tmp_path, root, settings)
    assert quarantine["plans/bomb.docx"].startswith("reading stopped: ")
    assert "GOVDATA_WORKER_MEMORY_MB" in quarantine["plans/bomb.docx"]
    assert [d[0] for d in docs] == ["plans/good.txt"] and docs[0][1] > 20
    assert mem.peak < 2 * 2**30, mem.peak


def _tens_or_die(batch: list[int]) -> list:
    """Pool work for the crash test: dies (SIGKILL, as the kernel's OOM killer does) on item 3."""
    if 3 in batch:
        os.kill(os.getpid(), signal.SIGKILL)
    return [x * 10 for x in batch]


def test_a_worker_that_dies_costs_only_the_item_it_held():
    iso = Isolation(2**30, lambda item, why: [("stopped", item, why)], lambda parts: [x for p in parts for x in p])
    out = list(pool_map_chunks(_tens_or_die, range(1, 8), workers=2, n=7, chunk=2, isolate=iso))
    assert out[0] == [10, 20] and out[2] == [50, 60] and out[3] == [70]
    assert out[1] == [
        (
            "stopped",
            3,
            "reading stopped: the parse worker died (killed by SIGKILL; memory ceiling "
            "1024 MB, GOVDATA_WORKER_MEMORY_MB)",
        ),
        40,
    ]


def _docx_bytes(paragraphs: int = 3) -> bytes:
    import docx

    d = docx.Document()
    for i in range(paragraphs):
        d.add_paragraph(f"Nâng cao chỉ số PAPI của tỉnh, đoạn {i + 1}, với đủ chữ cái để đọc.")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_zip_limits_name_the_setting(tmp_path):
    data = _docx_bytes()
    n_entries = len(zipfile.ZipFile(io.BytesIO(data)).infolist())
    with pytest.raises(
        FormatError,
        match=rf"above the limit: the \.docx holds {n_entries} zip entries, more than 5 "
        r"\(GOVDATA_MAX_ZIP_ENTRIES\)",
    ):
        read_document(data, "x.docx", Settings(max_zip_entries=5))
    with pytest.raises(FormatError, match=r"above the limit: the \.docx inflates to .* \(GOVDATA_MAX_UNZIPPED_BYTES\)"):
        read_document(data, "x.docx", Settings(max_unzipped_bytes=1000))
    assert "đoạn 3" in read_document(data, "x.docx", Settings()).text
    # the settings come from the environment
    env = {
        "GOVDATA_MAX_UNZIPPED_BYTES": "1000",
        "GOVDATA_MAX_ZIP_ENTRIES": "7",
        "GOVDATA_MAX_PDF_PAGES": "3",
        "GOVDATA_OCR_SECONDS_PER_FILE": "2.5",
        "GOVDATA_MAX_SHEET_ROWS": "50",
        "GOVDATA_WORKER_MEMORY_MB": "300",
    }
    s = Settings.from_env(env)
    assert (
        s.max_unzipped_bytes,
        s.max_zip_entries,
        s.max_pdf_pages,
        s.ocr_seconds_per_file,
        s.max_sheet_rows,
        s.worker_memory_mb,
    ) == (1000, 7, 3, 2.5, 50, 300)


def _scan(pages: int) -> bytes:
    from PIL import Image

    imgs = [Image.new("RGB", (400, 560), "white") for _ in range(pages)]
    buf = io.BytesIO()
    imgs[0].save(buf, "PDF", resolution=50, save_all=True, append_images=imgs[1:])
    return buf.getvalue()


def test_a_pdf_above_the_page_limit_is_refused_before_its_pages_are_read():
    with pytest.raises(FormatError, match=r"^above the limit: PDF of 4 pages, more than 3 \(GOVDATA_MAX_PDF_PAGES\)$"):
        read_document(_scan(4), "scan.pdf", Settings(max_pdf_pages=3))


@pytest.mark.skipif(ocr_available() is not None, reason=f"OCR not installed here: {ocr_available()}")
def test_ocr_stops_at_its_time_budget_per_file():
    t0 = time.monotonic()
    with pytest.raises(
        FormatError,
        match=r"^above the limit: OCR read \d of 3 scanned pages in the 0\.5 s allowed "
        r"per file \(GOVDATA_OCR_SECONDS_PER_FILE\)$",
    ):
        read_document(_scan(3), "scan.pdf", Settings(ocr_seconds_per_file=0.5))
    assert time.monotonic() - t0 < 30


PCI_2010 = "scores/pci/vcci_workbooks_2005_2016/PCI_2010.xls"


@pytest.mark.needs_shared(PCI_2010)
def test_a_pci_sheet_above_the_row_limit_is_quarantined_by_name_and_the_rest_read(tmp_path):
    """The PCI workbooks too (issue 24.1): a sheet of more rows than the setting is named with the limit and
    never turned into values; under the limit the same workbook reads the 63 provinces of 2010."""
    from pipelines.sources.plans.ingest import discover
    from pipelines.sources.scores.scores import load_score_file

    src = SHARED / PCI_2010
    (tmp_path / "scores").mkdir()
    shutil.copy(src, tmp_path / "scores" / "PCI_2010.xls")
    (f,) = discover("scores", [tmp_path])
    _, small = load_score_file(f, settings=Settings(max_sheet_rows=30))
    refused = [q for q in small.quarantine if "above the limit" in q["reason"]]
    assert refused and all(
        re.fullmatch(
            r"sheet .+: above the limit: more than 30 rows \(GOVDATA_MAX_SHEET_ROWS\); a PCI sheet has one "
            r"row per province; sheet not read",
            q["reason"],
        )
        and q["source_ref"].startswith("scores/PCI_2010.xls#")
        for q in refused
    )
    assert small.scores == []  # the score sheet is one of the refused: nothing read from it
    _, whole = load_score_file(f, settings=Settings())
    assert len({r["province_key"] for r in whole.scores if r["indicator_code"] == "PCI.TOTAL"}) == 63
