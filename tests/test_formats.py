"""Plans as provinces publish them: the same real plan written as .docx, .pdf and .html (built here, from the text
version's paragraphs and tables) gives the same tasks, lead agencies, indicators and targets as the text; bad files
are quarantined with their reason; diacritics survive every path; every task has its place in the original."""

from __future__ import annotations

import difflib
import io
import re
import shutil
import unicodedata
from pathlib import Path

import pytest

from pipelines.normalise.plan_rows import normalise
from pipelines.sources.plans.decode import collapse_ws
from pipelines.sources.plans.formats import detect_format, read_document
from pipelines.sources.plans.formats.doc import NO_CONVERTER, converters, read_doc
from pipelines.sources.plans.formats.pdf import ocr_available
from pipelines.sources.plans.ingest import RawFile, process_document
from pipelines.sources.plans.lines import html_to_text
from pipelines.sources.plans.plan import parse_plan
from tests.conftest import HANOI_PAPI, HCMC_PAPI, HCMC_PAR, NO_WORK, PLANS, QUANG_NGAI
from tools.bench.formats import FONT, blocks, write_docx, write_html, write_pdf

HUNG_YEN = PLANS / "003_c0cd988506191886.txt"
VIET = "Nghiêm túc thực hiện kế hoạch của tỉnh Quảng Ngãi"
FIXTURES = Path(__file__).parent / "fixtures" / "formats"
SYNTHETIC = FIXTURES / "synthetic_plan.txt"  # SYNTHETIC: narrative lines, a task table, two targets, a finding


# the text version as blocks and its .docx/.html/.pdf writers: tools/bench/formats.py (the bench writes them too)
_blocks, _docx, _html, _pdf = blocks, write_docx, write_html, write_pdf


needs_font = pytest.mark.skipif(FONT is None, reason="no Vietnamese-capable TTF (apt-get install fonts-dejavu-core)")
WRITERS = {"docx": _docx, "html": _html, "pdf": _pdf}


# ---------------------------------------------------------------- reading like the pipeline


def _read(path: Path):
    res = process_document(RawFile(path.parent, path))
    assert res.quarantine is None and res.document is not None, res.quarantine
    doc = read_document(path.read_bytes(), path.name)
    doc_id = res.document["document_id"]
    norm = normalise([res.document], res.tasks, {doc_id: doc.text}, {doc_id: doc.locations})
    return res, norm


def _norm(s: str | None) -> str:
    return collapse_ws(unicodedata.normalize("NFC", html_to_text(s or ""))).lower()


def _summary(res, norm) -> dict:
    codes = {t["task_id"]: t.get("indicator_code") for t in norm.tasks}
    return {
        "tasks": [_norm(t["task_text"]) for t in res.tasks],
        "leads": [_norm(t["lead_as_written"]) for t in res.tasks],
        "indicators": [codes.get(t["task_id"]) for t in res.tasks],
        "targets": sorted(
            (x["indicator_code"] or "", x["target_year"] or 0, x["comparator"] or "", x["value"] or 0, x["unit"] or "")
            for x in norm.targets
        ),
    }


@pytest.fixture(scope="module")
def text_versions():
    out = {}
    for p in (HANOI_PAPI, HUNG_YEN, HCMC_PAR, HCMC_PAPI, QUANG_NGAI, SYNTHETIC):
        res, norm = _read(p)
        out[p.name] = (p.read_text(encoding="utf-8"), _summary(res, norm))
    return out


PARITY: dict[tuple[str, str], tuple[int, int]] = {}


@pytest.mark.parametrize("fmt", ["docx", "html", "pdf"])
@pytest.mark.parametrize(
    "plan", [HANOI_PAPI.name, HUNG_YEN.name, HCMC_PAR.name, HCMC_PAPI.name, QUANG_NGAI.name, SYNTHETIC.name]
)
def test_the_same_plan_in_every_format_gives_the_same_tasks(fmt, plan, text_versions, tmp_path):
    if fmt == "pdf" and FONT is None:
        pytest.skip("no Vietnamese-capable TTF (apt-get install fonts-dejavu-core)")
    text, want = text_versions[plan]
    path = tmp_path / "plans" / f"{Path(plan).stem}.{fmt}"
    path.parent.mkdir()
    path.write_bytes(WRITERS[fmt](_blocks(text)))
    res, norm = _read(path)
    got = _summary(res, norm)
    assert res.document["format"] == fmt and res.document["text_source"] == "native"
    assert (res.document["page_count"] or 0) > (0 if fmt == "pdf" else -1)
    assert res.document["page_count"] is None or fmt == "pdf"
    same = sum(1 for a, b in zip(got["tasks"], want["tasks"]) if a == b)
    PARITY[(fmt, plan)] = (same, len(want["tasks"]))
    print(f"parity {fmt} {plan}: {same}/{len(want['tasks'])} tasks equal, {len(got['tasks'])} read")
    assert got["tasks"] == want["tasks"]
    assert got["leads"] == want["leads"]
    assert got["indicators"] == want["indicators"]
    assert got["targets"] == want["targets"]
    # every task, target and line-anchored finding knows where it is in the original
    findings = [f for f in res.findings + norm.findings if f.get("line_start")]
    assert all(t["source_location"] for t in res.tasks)
    assert all(x["source_location"] for x in norm.targets)
    assert all(f["source_location"] for f in findings), [f for f in findings if not f["source_location"]]
    places = (
        [t["source_location"] for t in res.tasks]
        + [x["source_location"] for x in norm.targets]
        + [f["source_location"] for f in findings]
    )
    pattern = {
        "pdf": r"page \d+( table \d+ row \d+)?",
        "docx": r"paragraph \d+|table \d+ row \d+",
        "html": r"table \d+ row \d+|(/[a-z0-9]+(\[\d+\])?)+",
    }[fmt]
    assert all(re.fullmatch(pattern, x) for x in places), [x for x in places if not re.fullmatch(pattern, x)]
    print(f"places {fmt} {plan}: {len(res.tasks)} tasks, {len(norm.targets)} targets, {len(findings)} findings")


def test_plain_text_tasks_have_no_location():
    res = process_document(RawFile(HANOI_PAPI.parent.parent, HANOI_PAPI))
    assert res.document["format"] == "txt" and res.document["page_count"] is None
    assert all(t["source_location"] is None for t in res.tasks)


# ---------------------------------------------------------------- diacritics


def _viet_blocks():
    return [("p", "KẾ HOẠCH"), ("p", VIET), ("table", [["TT", "Nhiệm vụ", "Chủ trì"], ["1", VIET, "Sở Nội vụ"]])]


@pytest.mark.parametrize("fmt", ["docx", "html", "pdf"])
def test_diacritics_survive_every_format(fmt):
    if fmt == "pdf" and FONT is None:
        pytest.skip("no Vietnamese-capable TTF (apt-get install fonts-dejavu-core)")
    doc = read_document(WRITERS[fmt](_viet_blocks()), f"x.{fmt}")
    assert doc.text == unicodedata.normalize("NFC", doc.text)
    for word in ("Nghiêm túc", "Quảng Ngãi"):
        assert word in doc.text, (fmt, doc.text)
    assert f"| 1 | {VIET} | Sở Nội vụ |" in doc.text


def test_diacritics_in_decomposed_html_and_windows_1258():
    nfd = unicodedata.normalize(
        "NFD", f"<html><body><form id='aspnetForm'><p>{VIET} và thêm nhiều chữ nữa</p></form></body></html>"
    )  # an ASP.NET portal wraps the page in a form
    doc = read_document(nfd.encode("utf-8"), "x.htm")
    assert "Nghiêm túc" in doc.text and "Quảng Ngãi" in doc.text


# ---------------------------------------------------------------- structure: merged cells, numbering, boilerplate


def test_docx_merged_cells_numbering_and_locations():
    import docx

    d = docx.Document()
    d.add_paragraph("Mục đích")
    d.add_paragraph("Mục đích thứ nhất", style="List Number")
    d.add_paragraph("Mục đích thứ hai", style="List Number")
    d.add_paragraph("một gạch đầu dòng", style="List Bullet")
    t = d.add_table(rows=3, cols=3)
    for c, v in enumerate(["TT", "Nhiệm vụ", "Chủ trì"]):
        t.cell(0, c).text = v
    t.cell(1, 0).text, t.cell(1, 1).text, t.cell(1, 2).text = "1", "Việc một", "Sở Tư pháp"
    t.cell(2, 0).text, t.cell(2, 1).text = "2", "Việc hai"
    t.cell(1, 2).merge(t.cell(2, 2))  # vMerge: the lead of both rows
    buf = io.BytesIO()
    d.save(buf)
    doc = read_document(buf.getvalue(), "x.docx")
    lines = doc.text.split("\n")
    assert lines[:4] == ["Mục đích", "1. Mục đích thứ nhất", "2. Mục đích thứ hai", "- một gạch đầu dòng"]
    assert "| 1 | Việc một | Sở Tư pháp |" in lines and "| 2 | Việc hai |  |" in lines
    assert doc.location(2) == "paragraph 2"
    assert doc.location(lines.index("| 2 | Việc hai |  |") + 1) == "table 1 row 3"


def test_a_word_table_reaches_the_readers_as_the_file_holds_it(tmp_path):
    """A .docx table is handed to the readers by its adapter (formats.TableSpan): its rows and cells as in the file,
    each on the line written for it, read as a 'docx_table' (not by reading its pipe rows back). When the text was
    changed under it (every line doubled, read once), the same rows are read from the text instead."""
    import docx

    d = docx.Document()
    d.add_paragraph("KẾ HOẠCH")
    d.add_paragraph("Cải thiện Chỉ số PAPI năm 2026 của tỉnh")
    t = d.add_table(rows=3, cols=4)
    for c, v in enumerate(["TT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời gian thực hiện"]):
        t.cell(0, c).text = v
    for r, row in enumerate(
        [
            ("1", "Niêm yết công khai thủ tục hành chính tại bộ phận một cửa", "Sở Nội vụ", "Quý I/2026"),
            ("2", "Tổ chức đối thoại với người dân về cải cách hành chính", "Sở Tư pháp", "Năm 2026"),
        ],
        start=1,
    ):
        for c, v in enumerate(row):
            t.cell(r, c).text = v
    buf = io.BytesIO()
    d.save(buf)
    doc = read_document(buf.getvalue(), "x.docx")
    (span,) = doc.tables
    assert (span.where, span.rows[1]) == (
        "table 1",
        ["1", "Niêm yết công khai thủ tục hành chính tại bộ phận một cửa", "Sở Nội vụ", "Quý I/2026"],
    )
    assert doc.text.split("\n")[span.first_line - 1] == "| TT | Nhiệm vụ | Cơ quan chủ trì | Thời gian thực hiện |"
    plan = parse_plan(doc.text, file_tables=(doc.format, doc.tables))
    assert [(x.reader, x.task_ref, x.lead_as_written, x.timeline_text) for x in plan.tasks] == [
        ("docx_table", "1", "Sở Nội vụ", "Quý I/2026"),
        ("docx_table", "2", "Sở Tư pháp", "Năm 2026"),
    ]
    # through process_document too, with the row's place in the file
    path = tmp_path / "ke_hoach.docx"
    path.write_bytes(buf.getvalue())
    res = process_document(RawFile(path.parent, path))
    assert [(x["reader"], x["source_location"]) for x in res.tasks] == [
        ("docx_table", "table 1 row 2"),
        ("docx_table", "table 1 row 3"),
    ]
    # a text changed under the table (its lines no longer the rows written for it): read from the text
    moved = "\n" + doc.text
    assert [x.reader for x in parse_plan(moved, file_tables=(doc.format, doc.tables)).tasks] == ["md_table"] * 2


def test_html_rowspan_colspan_br_and_boilerplate():
    page = (
        "<html><body><form id='form1'><nav>Trang chủ | Tin tức</nav><div class='menu'>Liên hệ</div><main>"
        "<h2>KẾ HOẠCH</h2><table><tr><th>TT</th><th>Nhiệm vụ</th><th>Chủ trì</th></tr>"
        "<tr><td>1</td><td>Việc một<br>dòng hai</td><td rowspan='2'>Sở Tư pháp</td></tr>"
        "<tr><td>2</td><td>Việc hai</td></tr><tr><td colspan='3'>II. Nhóm khác</td></tr></table>"
        "<ol><li>Thứ nhất</li><li>Thứ hai</li></ol></main><footer>Bản quyền</footer></form></body></html>"
    )
    doc = read_document(page.encode(), "x.html")
    lines = doc.text.split("\n")
    assert "Trang chủ" not in doc.text and "Liên hệ" not in doc.text and "Bản quyền" not in doc.text
    assert "| 1 | Việc một<br>dòng hai | Sở Tư pháp |" in lines
    assert "| 2 | Việc hai |  |" in lines and "| II. Nhóm khác |  |  |" in lines
    assert lines[-2:] == ["1. Thứ nhất", "2. Thứ hai"]
    assert doc.location(lines.index("| 2 | Việc hai |  |") + 1) == "table 1 row 3"
    assert doc.location(1).endswith("/h2")


@needs_font
def test_pdf_running_headers_page_numbers_and_broken_lines():
    long = (
        "Tăng cường công tác thanh tra, kiểm tra việc thực hiện nhiệm vụ cải cách hành chính của các cơ quan, "
        "đơn vị trên địa bàn tỉnh Quảng Ngãi, bảo đảm nghiêm túc, đúng tiến độ và hiệu quả trong năm 2023."
    )
    words = ["xã", "phường", "huyện", "thị xã", "thành phố", "thôn", "tổ dân phố", "ấp", "bản", "khu phố"]
    paras = [
        f"- {words[i // 10].capitalize()} {words[i % 10]}: "
        f"{long.replace('tỉnh', words[i % 10] + ' ' + words[i // 10] + ' của tỉnh')}"
        for i in range(60)
    ]
    doc = read_document(_pdf([("p", x) for x in paras]), "x.pdf")
    assert doc.page_count >= 3
    assert "running header" not in doc.text
    assert not any(re.fullmatch(r"\d+", ln) for ln in doc.text.split("\n"))
    assert doc.text.split("\n") == paras
    assert doc.location(1) == "page 1" and doc.location(60) == f"page {doc.page_count}"


# ---------------------------------------------------------------- bad files


def _quarantined(tmp_path, name: str, data: bytes) -> str:
    p = tmp_path / "plans" / name
    p.parent.mkdir(exist_ok=True)
    p.write_bytes(data)
    res = process_document(RawFile(tmp_path, p))
    assert res.document is None and res.quarantine is not None
    return res.quarantine["reason"]


@needs_font
def test_password_protected_pdf_is_quarantined(tmp_path):
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=pdfencrypt.StandardEncryption("secret", ownerPassword="owner"))
    c.drawString(72, 720, "Ke hoach cai cach hanh chinh nam 2023 cua tinh")
    c.save()
    assert "password-protected" in _quarantined(tmp_path, "locked.pdf", buf.getvalue())


def test_corrupt_docx_is_quarantined(tmp_path):
    assert "corrupt .docx" in _quarantined(tmp_path, "broken.docx", b"PK\x03\x04 this is not a zip archive at all")
    assert "corrupt .docx" in _quarantined(tmp_path, "renamed.docx", b"plain text saved as docx " * 20)


def _scan(pdf: bytes, dpi: int = 200) -> bytes:
    """An image-only PDF of `pdf`'s pages, as a scanner makes it: no text layer."""
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(pdf)
    pages = [src[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(src))]
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return buf.getvalue()


def _synthetic_narrative() -> list[str]:
    """The SYNTHETIC plan with its task table written as bullets (OCR reads no table structure)."""
    text = SYNTHETIC.read_text(encoding="utf-8")
    narrative = [ln for ln in text.split("\n") if ln.strip() and not ln.startswith("|")]
    rows = [ln.strip("| ").split(" | ") for ln in text.split("\n") if re.match(r"^\| \d+ \|", ln)]
    at = narrative.index("II. NHIỆM VỤ, GIẢI PHÁP") + 1
    tasks = [f"- {r[1]}. Chủ trì: {r[2]}; phối hợp: {r[3]}; thời gian: {r[4]}." for r in rows]
    return narrative[:at] + tasks + narrative[at:]


def test_pdf_of_images_only_needs_ocr(tmp_path, monkeypatch):
    """Without Tesseract (or its Vietnamese data) a scanned PDF is quarantined with the reason, never read empty."""
    from PIL import Image

    from pipelines.sources.plans.formats import pdf as pdf_adapter

    buf = io.BytesIO()
    Image.new("RGB", (800, 1100), "white").save(buf, "PDF", resolution=100)
    monkeypatch.setattr(pdf_adapter, "ocr_available", lambda: "install tesseract-ocr and tesseract-ocr-vie")
    reason = _quarantined(tmp_path, "scan.pdf", buf.getvalue())
    assert reason == "needs OCR: no text layer (scanned PDF; install tesseract-ocr and tesseract-ocr-vie)"


def test_ocr_needs_the_vietnamese_data(monkeypatch):
    import subprocess

    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/tesseract")
    monkeypatch.setattr(
        subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, 0, "List of languages:\neng\nosd\n", "")
    )
    assert ocr_available() == "install tesseract-ocr-vie (Tesseract's Vietnamese data)"


@needs_font
@pytest.mark.skipif(ocr_available() is not None, reason=f"OCR not installed here: {ocr_available()}")
def test_a_scanned_pdf_is_read_by_ocr_with_its_pages_and_lower_confidence(tmp_path):
    """The SYNTHETIC plan's narrative part printed, scanned to images at 200 dpi, read back by Tesseract: most tasks
    come back word for word (measured: every task's words but a diacritic or two), each line with its page, and the
    document is marked text_source 'ocr'."""
    lines = _synthetic_narrative()
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "plan.txt").write_text("\n".join(lines), encoding="utf-8")
    (tmp_path / "plans" / "scan.pdf").write_bytes(_scan(_pdf([("p", x) for x in lines], header="")))
    want, _ = _read(tmp_path / "plans" / "plan.txt")
    got, norm = _read(tmp_path / "plans" / "scan.pdf")
    assert (got.document["format"], got.document["text_source"], got.document["page_count"]) == ("pdf", "ocr", 1)
    want_t, got_t = [_norm(t["task_text"]) for t in want.tasks], [_norm(t["task_text"]) for t in got.tasks]
    assert len(want_t) == 7
    same = sum(1 for t in want_t if t in got_t)
    close = sum(1 for t in want_t if any(difflib.SequenceMatcher(None, t, g).ratio() >= 0.95 for g in got_t))
    print(
        f"OCR: {same}/{len(want_t)} tasks word for word, {close}/{len(want_t)} at >= 95% of characters; "
        f"{len(got_t)} read"
    )
    assert close >= 6 and same >= 5 and len(got_t) == len(want_t)
    assert all(t["source_location"] == "page 1" for t in got.tasks)
    assert all(x["source_location"] == "page 1" for x in norm.targets) and norm.targets


def test_zero_page_pdf_is_quarantined(tmp_path):
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    assert "PDF has no pages" in _quarantined(tmp_path, "empty.pdf", bytes(out))


def test_html_page_with_no_plan_is_a_document_without_tasks(tmp_path):
    page = (
        "<html><body><nav>Trang chủ</nav><h1>Tin tức</h1><p>Sáng nay, đoàn công tác của tỉnh Quảng Ngãi đã đến "
        "thăm và làm việc tại xã, trao quà cho các gia đình chính sách nhân dịp Tết Nguyên đán.</p>"
        "<p>Nhân dân phấn khởi đón nhận.</p></body></html>"
    )
    p = tmp_path / "plans" / "tin-tuc.html"
    p.parent.mkdir(exist_ok=True)
    p.write_bytes(page.encode())
    res = process_document(RawFile(tmp_path, p))
    # nothing in it assigns work: a document with 0 tasks and the reason, never a quarantine or a stop
    assert res.quarantine is None and res.document is not None and res.tasks == []
    assert res.document["n_tasks"] == 0 and res.document["no_task_reason"].startswith(NO_WORK)


def test_doc_without_a_converter_is_quarantined(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    assert _quarantined(tmp_path, "old.doc", ole) == NO_CONVERTER


@pytest.mark.parametrize("converter", ["antiword", "libreoffice"])
def test_a_word_97_doc_gives_the_tasks_of_its_docx(converter, tmp_path):
    """tests/fixtures/formats/synthetic_plan.doc (a real Word 97 file, SYNTHETIC, made once by LibreOffice from the
    .docx this test builds: see the folder's README) through each converter: the same tasks, leads, indicators and
    targets as the .docx, every task and target with its paragraph or table row, text_source 'converted'."""
    if converter not in converters():
        pytest.skip(
            f"{converter} is not installed (apt-get install {'antiword' if converter == 'antiword' else 'libreoffice-writer-nogui'})"
        )
    (tmp_path / "plans").mkdir()
    docx_path = tmp_path / "plans" / "plan.docx"
    docx_path.write_bytes(_docx(_blocks(SYNTHETIC.read_text(encoding="utf-8"))))
    want = _summary(*_read(docx_path))
    doc = read_doc((FIXTURES / "synthetic_plan.doc").read_bytes(), converter)
    assert (doc.format, doc.text_source) == ("doc", "converted")
    assert "Nghiêm túc" in doc.text and "Quảng Ngãi" in doc.text
    doc_path = tmp_path / "plans" / "plan.doc"
    doc_path.write_bytes((FIXTURES / "synthetic_plan.doc").read_bytes())
    if converters()[0] == converter:  # the pipeline's own choice
        res, norm = _read(doc_path)
        assert res.document["format"] == "doc" and res.document["text_source"] == "converted"
        assert _summary(res, norm) == want and len(want["tasks"]) == 7 and len(want["targets"]) == 2
        assert all(re.fullmatch(r"table 1 row \d+", t["source_location"]) for t in res.tasks)
        assert all(x["source_location"] for x in norm.targets)
    text = read_document(docx_path.read_bytes(), "plan.docx").text
    assert doc.text == text


def test_a_run_with_bad_files_completes(tmp_path):
    """Good and bad files side by side: each bad one quarantined, the good ones read."""
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "good.html").write_bytes(_html(_blocks(HANOI_PAPI.read_text(encoding="utf-8"))))
    (tmp_path / "plans" / "bad.docx").write_bytes(b"PK\x03\x04broken")
    (tmp_path / "plans" / "bad.pdf").write_bytes(b"%PDF-1.4\n garbage")
    results = [process_document(RawFile(tmp_path, p)) for p in sorted((tmp_path / "plans").iterdir())]
    assert [r.quarantine is None for r in results] == [False, False, True]
    assert results[2].document["n_tasks"] > 10


def test_format_detection_by_extension_and_magic():
    assert detect_format("a.txt", b"%PDF-1.7 ...") == "pdf"
    assert detect_format("a", b"<!DOCTYPE html><html>") == "html"
    assert detect_format("a.HTM", b"x") == "html"
    assert detect_format("a.txt", "Kế hoạch <ul><li>x</li></ul>".encode()) == "txt"
    assert detect_format("a.doc", b"") == "doc"


def test_published_formats_stage_with_their_contracts(tmp_path, monkeypatch):
    """The staging the assets run, on one plan as .txt, .docx, .html and .pdf: contracts hold, every format has its
    row, the targets are read from each (normalisation re-reads the file through its adapter)."""
    from pipelines.quality.schemas import StgDocuments, StgPlanTasks
    from pipelines.sources.plans.ingest import discover
    from tests.conftest import stage_files

    root = tmp_path / "root"
    (root / "plans").mkdir(parents=True)
    monkeypatch.setenv("GOVDATA_RAW_EXTRA", str(root))  # normalisation finds the file again through its root label
    text = HANOI_PAPI.read_text(encoding="utf-8")
    shutil.copy(HANOI_PAPI, root / "plans" / "hn.txt")
    fmts = ["docx", "html"] + (["pdf"] if FONT else [])
    for fmt in fmts:
        (root / "plans" / f"hn.{fmt}").write_bytes(WRITERS[fmt](_blocks(text)))
    (root / "plans" / "locked.docx").write_bytes(b"PK\x03\x04 broken")
    _plans, _norm, staged, normalised = stage_files(discover("plans", [root]), tmp_path)
    StgDocuments.validate(staged.documents)
    StgPlanTasks.validate(staged.tasks)
    docs = {r["format"]: r for r in staged.documents.iter_rows(named=True)}
    reasons = dict(zip(staged.quarantine["source_path"], staged.quarantine["reason"]))
    assert reasons.pop("plans/locked.docx").startswith("corrupt .docx")
    # a format whose text is exactly another's (a narrative plan as .docx and as a web page) is its duplicate
    dups = sorted(p.rsplit(".", 1)[1] for p, why in reasons.items() if why.startswith("duplicate of plans/hn."))
    assert len(dups) == len(reasons)
    assert sorted(docs) == sorted(set(["txt", *fmts]) - set(dups))
    fmts = [f for f in fmts if f not in dups]
    assert docs["txt"]["page_count"] is None and docs["txt"]["text_source"] == "native"
    assert all(docs[f]["n_tasks"] == docs["txt"]["n_tasks"] for f in fmts)
    if "pdf" in docs:
        assert docs["pdf"]["page_count"] > 1
    by_doc = normalised.targets.group_by("document_id").len()
    n = {r["document_id"]: r["len"] for r in by_doc.iter_rows(named=True)}
    assert len({n.get(docs[f]["document_id"], 0) for f in ["txt", *fmts]}) == 1 and n[docs["txt"]["document_id"]] > 0
    located = staged.tasks.filter(staged.tasks["document_id"] != docs["txt"]["document_id"])
    assert located["source_location"].null_count() == 0


@needs_font
def test_pdf_table_with_merged_cells_and_a_page_break():
    """A ruled table over two pages, its lead merged down three rows (SPAN): rows as pipe rows, the merged cell blank
    below its first row, the repeated header kept for the readers to skip, each row with its page."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, TableStyle

    pdfmetrics.registerFont(TTFont("DejaVu", str(FONT)))
    st = ParagraphStyle("c", fontName="DejaVu", fontSize=9, leading=11)
    rows = [["TT", "Nhiệm vụ", "Chủ trì"]] + [
        [str(i), f"Nghiêm túc thực hiện việc số {i} tại Quảng Ngãi", "Sở Nội vụ" if i % 3 == 1 else ""]
        for i in range(1, 61)
    ]
    t = LongTable([[Paragraph(c, st) for c in r] for r in rows], colWidths=[40, 300, 120], repeatRows=1)
    t.setStyle(
        TableStyle(
            [("GRID", (0, 0), (-1, -1), 0.5, colors.black)] + [("SPAN", (2, i), (2, i + 2)) for i in range(1, 61, 3)]
        )
    )
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4).build([t])
    doc = read_document(buf.getvalue(), "t.pdf")
    lines = doc.text.split("\n")
    assert doc.page_count >= 2
    assert "| 1 | Nghiêm túc thực hiện việc số 1 tại Quảng Ngãi | Sở Nội vụ |" in lines
    assert "| 2 | Nghiêm túc thực hiện việc số 2 tại Quảng Ngãi |  |" in lines
    assert lines.count("| TT | Nhiệm vụ | Chủ trì |") == doc.page_count
    last = lines.index("| 60 | Nghiêm túc thực hiện việc số 60 tại Quảng Ngãi |  |")
    assert doc.location(last + 1).startswith(f"page {doc.page_count} table")


def test_locations_follow_the_lines_when_doubled_lines_are_read_once():
    from pipelines.sources.plans.ingest import kept_locations

    before = ["A", "A", "B", "B", "", "", "C", "C"]
    after = ["A", "B", "", "C"]
    locs = ["p1", "p1b", "p2", "p2b", None, None, "p3", "p3b"]
    assert kept_locations(before, after, locs) == ["p1", "p2", None, "p3"]


@needs_font
def test_warehouse_targets_and_findings_carry_their_place_and_ocr_findings_low_confidence(tmp_path, monkeypatch):
    """Staged and modelled as the assets do: fct_plan_target and dq_finding have source_location for every row of a
    published-format plan that has a line; dq_finding.confidence is 'low' for a document read by OCR and 'normal'
    for the others; the core contracts hold."""
    import duckdb

    from dbt_like_sql.core.dq_finding import DqFinding
    from dbt_like_sql.core.fct_plan_target import FctPlanTarget
    from pipelines.quality.validation import validate_table
    from pipelines.sources.plans.ingest import discover
    from pipelines.staging.frames import reference_frames, stage_scores
    from pipelines.warehouse.db import write_table
    from pipelines.warehouse.sql_models import models_in_dependency_order, run_model
    from tests.conftest import stage_files

    root = tmp_path / "root"
    (root / "plans").mkdir(parents=True)
    monkeypatch.setenv("GOVDATA_RAW_EXTRA", str(root))
    blocks = _blocks(SYNTHETIC.read_text(encoding="utf-8"))
    (root / "plans" / "plan.html").write_bytes(_html(blocks))
    (root / "plans" / "plan.docx").write_bytes(_docx(blocks))  # same text as the web page: its duplicate
    (root / "plans" / "hn.pdf").write_bytes(_pdf(_blocks(HANOI_PAPI.read_text(encoding="utf-8"))))
    ocr = ocr_available() is None
    if ocr:
        (root / "plans" / "scan.pdf").write_bytes(_scan(_pdf([("p", x) for x in _synthetic_narrative()], header="")))
    stage_files(discover("plans", [root]), tmp_path)
    con = duckdb.connect(str(tmp_path / "staging.duckdb"))
    try:
        scores = stage_scores([])
        for name, df in {**reference_frames(), **scores.tables()}.items():
            write_table(con, name, df)
        models = {m.name: m for m in models_in_dependency_order()}
        need, todo = set(), ["dq_finding", "fct_plan_target"]
        while todo:
            n = todo.pop()
            if n in models and n not in need:
                need.add(n)
                todo += models[n].deps
        for m in models_in_dependency_order():
            if m.name in need:
                run_model(con, m)
        for table, model in (("dq_finding", DqFinding), ("fct_plan_target", FctPlanTarget)):
            assert validate_table(con, table, model).passed, table
        rows = con.execute("""
            SELECT d.format, d.text_source, f.confidence, count(*), count(f.line_start),
                   count(*) FILTER (WHERE f.line_start IS NOT NULL AND f.source_location IS NULL)
            FROM dq_finding f JOIN stg_documents d USING (document_id) GROUP BY ALL ORDER BY ALL""").fetchall()
        targets = con.execute("""
            SELECT d.format, d.text_source, count(*), count(t.source_location)
            FROM fct_plan_target t JOIN stg_documents d USING (document_id) GROUP BY ALL ORDER BY ALL""").fetchall()
    finally:
        con.close()
    print("findings by format:", rows, "targets:", targets)
    assert all(r[5] == 0 for r in rows) and sum(r[4] for r in rows) > 0
    assert {(r[1], r[2]) for r in rows} <= {("native", "normal"), ("ocr", "low")}
    assert all(n == located for _f, _s, n, located in targets) and len({t[0] for t in targets} & {"html", "docx"}) == 1
    assert "pdf" in {t[0] for t in targets}
    if ocr:
        assert ("ocr", "low") in {(r[1], r[2]) for r in rows} and ("pdf", "ocr") in {t[:2] for t in targets}


def test_a_pdf_line_ending_on_a_word_that_wants_its_number_goes_on():
    """'… đạt từ' over '44 điểm trở lên': one sentence; '… như sau:' over '1. Mục đích' stays two lines."""
    from pipelines.sources.plans.formats.pdf import is_continuation

    def line(text, top, x1=300.0):
        return {"text": text, "top": top, "bottom": top + 10, "x0": 50.0, "x1": x1}

    assert is_continuation(line("- Phấn đấu Chỉ số PAPI năm 2024 đạt từ", 100), line("44 điểm trở lên.", 111), 500, 50)
    assert not is_continuation(line("Kế hoạch như sau:", 100), line("1. Mục đích", 111), 500, 50)
    # a numbered heading below a line that happens to end on such a word opens its own line
    assert not is_continuation(line("Triển khai Kế hoạch năm", 100), line("2. Công khai, minh bạch", 111), 500, 50)
    assert is_continuation(line("Thực hiện Kế hoạch số", 100), line("15/KH-UBND ngày 04/3/2024", 111), 500, 50)
