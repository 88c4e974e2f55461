"""PDF with a text layer (pdfplumber, MIT, on pdfminer.six): page by page.

Tables the PDF draws with ruling lines become pipe rows (a merged cell blank after its first position); the text
around them is read as lines. Running headers and footers (the same line at the top or bottom of most pages, page
numbers too) are dropped. A line that continues the sentence above (the line above ran to the right margin, or this
one starts in lower case after no closing punctuation) is joined to it, a word hyphenated at the line end without
the hyphen. A page without a text layer (a scan) needs OCR: read with Tesseract's Vietnamese data when `tesseract`
has it (text_source 'ocr'), else the file is quarantined with reason "needs OCR".
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from pipelines.settings import OCR_SECONDS_ENV, PDF_PAGES_ENV
from pipelines.sources.plans.formats.document import LIMIT, Document, FormatError, LineBuilder, clean
from pipelines.sources.plans.formats.pdf_columns import borderless_tables

# (top, kind, payload) of a page: kind "line" with a dict payload (text, x0, x1, top, bottom), or "table" with its
# cells (a list of rows of strings)
Item = tuple[float, str, Any]

_PAGE_NO = re.compile(r"(?i)^(?:trang\s*)?[-–—]?\s*\d{1,4}\s*(?:/\s*\d{1,4})?\s*[-–—]?$")
_MARKER = re.compile(r"^(?:[-+•*–]\s|[a-zđ]\)|\d{1,2}(?:\.\d{1,2})*\.?\s|[IVX]{1,5}\.\s|\(\d+\)|[A-ZĐ]\.\s)")
_END = re.compile(r"[.:;!?]\s*$")
# words that cannot end a sentence because a number follows them ("đạt từ", "tối thiểu", "năm", "ngày")
_OPEN_END = re.compile(
    r"(?:\b(?:từ|đạt|trên|dưới|ít nhất|tối thiểu|tối đa|khoảng|tới|đến|lên|năm|tháng|ngày|số|"
    r"nhóm|top|thứ)|[(,])\s*$",
    re.IGNORECASE,
)
# the number below goes on the sentence ("44 điểm", "2.000 phiếu", "15/KH-UBND"), unless it opens a numbered heading
_NUMBER_GOES_ON = re.compile(
    r"^(?!\d{1,2}(?:\.\d{1,2})*[.)]\s+[A-ZĐÀ-Ỹ])\d[\d.,/]*(?:\s*%)?(?:\s+(?!\d)[^\W\d_]|\s*$|[,;.)]|[A-ZĐ]{1,6}-)"
)


def _key(s: str) -> str:
    return re.sub(r"\d+", "#", s.strip().lower())


def is_continuation(prev: dict, cur: dict, right: float, left: float) -> bool:
    pt, ct = prev["text"], cur["text"]
    if not pt or not ct:
        return False
    if cur["top"] - prev["bottom"] > 0.6 * max(1.0, prev["bottom"] - prev["top"]):
        return False  # a paragraph gap (a new page has cur above prev: no gap)
    if _OPEN_END.search(pt) and _NUMBER_GOES_ON.match(ct):
        return True  # "đạt từ" / "44 điểm trở lên": a line never ends on a word that wants its number
    if _MARKER.match(ct):
        return False
    # the line above ran to the right margin and this one starts at the left one (no first-line indent): wrapped
    wrapped = prev["x1"] >= right - 0.06 * (right - left) and cur["x0"] <= left + 0.03 * (right - left)
    return wrapped or (ct[0].islower() and not _END.search(pt))


def _join(pt: str, ct: str) -> str:
    if re.search(r"[^\W\d_]-$", pt) and ct[:1].islower():
        return pt[:-1] + ct
    return f"{pt} {ct}"


def _cell(text: str | None) -> str:
    """A cell's lines: wrapped lines joined, a line starting a new item ("- ", "+ ", "a)") kept apart."""
    if not text:
        return ""
    parts: list[str] = []
    for ln in text.split("\n"):
        ln = clean(ln)
        if not ln:
            continue
        if parts and not _MARKER.match(ln):
            parts[-1] = _join(parts[-1], ln)
        else:
            parts.append(ln)
    return "\n".join(parts)


def _walk_layout(objs, chars: list, flags: dict) -> None:
    from pdfminer.layout import LTChar, LTCurve, LTImage

    for o in objs:
        if isinstance(o, LTChar):
            chars.append(o)
        elif isinstance(o, LTCurve):  # LTLine and LTRect are curves: the page may draw a table
            flags.setdefault("curves", []).append(o)
        elif isinstance(o, LTImage):
            flags["image"] = True
        elif hasattr(o, "_objs"):
            _walk_layout(o._objs, chars, flags)


def _char_rows(page, chars) -> list[tuple]:
    """(top, x0, x1, bottom, text) of pdfminer's characters in pdfplumber's page coordinates."""
    h = page.height
    mx, mt = page.mediabox[:2]
    return [(h - c.y1 + mt, c.x0 + mx, c.x1 + mx, h - c.y0 + mt, c.get_text()) for c in chars]


def _fast_lines(rows: list[tuple]) -> list[Item]:
    """Text lines straight from pdfminer's characters (pdfplumber's per-character attribute resolution was most of
    the time): characters clustered by their top within 3 pt, ordered by x, a space where the gap between two
    characters is over 3 pt (pdfplumber's default tolerances)."""
    rows = sorted(rows, key=lambda r: (r[0], r[1]))
    lines: list[list[tuple]] = []
    for r in rows:
        if lines and abs(r[0] - lines[-1][0][0]) <= 3:
            lines[-1].append(r)
        else:
            lines.append([r])
    out: list[Item] = []
    for ln in lines:
        ln.sort(key=lambda r: r[1])
        parts, last_x1 = [], None
        for _top, x0, x1, _bottom, t in ln:
            if last_x1 is not None and x0 - last_x1 > 3 and parts and not parts[-1].endswith(" ") and t != " ":
                parts.append(" ")
            parts.append(t)
            last_x1 = x1
        text = clean("".join(parts))
        if text:
            out.append(
                (
                    min(r[0] for r in ln),
                    "line",
                    {
                        "text": text,
                        "x0": ln[0][1],
                        "x1": max(r[2] for r in ln),
                        "top": min(r[0] for r in ln),
                        "bottom": max(r[3] for r in ln),
                    },
                )
            )
    return out


def _inside(r: tuple, box) -> bool:
    """A character is in a box by its centre (pdfplumber's rule for table cells)."""
    x0, top, x1, bottom = box
    cx, cy = (r[1] + r[2]) / 2, (r[0] + r[3]) / 2
    return x0 <= cx < x1 and top <= cy < bottom


def _page_items(page) -> tuple[list[Item], bool]:
    """(top, kind, payload) of the page's text lines and tables, in reading order; and whether the page is a scan
    (images and no text layer)."""
    chars: list = []
    flags: dict = {}
    _walk_layout(page.layout._objs, chars, flags)
    if not chars:
        return [], bool(flags.get("image")) or bool(page.images)
    rows = _char_rows(page, chars)
    if not flags.get("curves"):
        # no ruling lines: perhaps a table set by white space alone (formats/pdf_columns.py)
        tables, bands = borderless_tables(rows)
        if not tables:
            return _fast_lines(rows), False
        rest = [r for r in rows if not any(lo - 1 <= r[0] <= hi for lo, hi in bands)]
        return sorted(_fast_lines(rest) + tables, key=lambda x: x[0]), False
    # pdfplumber's table finder (ruled tables: the "lines" strategy) sees only the page's lines and rectangles: its
    # per-character objects, which it would otherwise build for every character, are not needed to find the cells
    objects: dict[str, list] = {}
    for o in flags["curves"]:
        obj = page.process_object(o)
        objects.setdefault(obj["object_type"], []).append(obj)
    page._objects = objects
    tables = page.find_tables()
    items: list[Item] = []
    rest = rows
    for t in tables:
        box = t.bbox  # a computed property in pdfplumber: once, not per character
        inside = [r for r in rest if _inside(r, box)]
        rest = [r for r in rest if not _inside(r, box)]
        cells = []
        for row in t.rows:  # a row's characters first, then its cells': linear in the characters, not cells x chars
            row_box = row.bbox
            mine = [r for r in inside if _inside(r, row_box)]
            cells.append(
                [
                    _cell("\n".join(x["text"] for _t, _k, x in _fast_lines([r for r in mine if _inside(r, c)])))
                    if c is not None
                    else ""
                    for c in row.cells
                ]
            )
        items.append((t.bbox[1], "table", cells))
    items += _fast_lines(rest)
    items.sort(key=lambda x: x[0])
    return items, False


def _running_lines(pages: list[list[Item]]) -> set[str]:
    """Keys of lines that open or close most pages (headers, footers, page numbers)."""
    if len(pages) < 3:
        return set()
    edge: Counter = Counter()
    for items in pages:
        lines = [p for _t, k, p in items if k == "line"]
        keys = {
            _key(x["text"])
            for x in lines[:2] + lines[-2:]
            if len(x["text"]) < 120 and not re.match(r"[-+•*–]\s", x["text"])
        }  # a bullet is body text
        edge.update(keys)
    return {k for k, n in edge.items() if n >= max(3, 0.6 * len(pages))}


OCR_DPI = 300  # Tesseract's documented minimum for body text; more costs time (quadratic) for no better letters
NEEDS_OCR = "needs OCR"


def ocr_available() -> str | None:
    """The reason OCR cannot run here, or None when `tesseract` with its Vietnamese data is installed."""
    exe = shutil.which("tesseract")
    if not exe:
        return "install tesseract-ocr and tesseract-ocr-vie"
    try:
        langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return "tesseract does not run"
    return None if "vie" in langs else "install tesseract-ocr-vie (Tesseract's Vietnamese data)"


def _ocr_lines(tsv: str) -> list[Item]:
    """Tesseract's TSV (one row per word with its box) -> lines in the shape `_fast_lines` gives, so OCR'd pages go
    through the same header/footer removal and sentence joining as a text layer (pixels instead of points: every
    threshold there is relative)."""
    words: dict[tuple, list] = {}
    for row in tsv.split("\n")[1:]:
        f = row.split("\t")
        if len(f) < 12 or f[0] != "5" or not f[11].strip():
            continue
        left, top, width, height = (int(x) for x in f[6:10])
        words.setdefault((int(f[2]), int(f[3]), int(f[4])), []).append((left, top, left + width, top + height, f[11]))
    out: list[Item] = []
    for ws in words.values():
        text = clean(" ".join(w[4] for w in ws))
        if text:
            top = min(w[1] for w in ws)
            out.append(
                (
                    top,
                    "line",
                    {
                        "text": text,
                        "x0": min(w[0] for w in ws),
                        "x1": max(w[2] for w in ws),
                        "top": top,
                        "bottom": max(w[3] for w in ws),
                    },
                )
            )
    out.sort(key=lambda x: x[0])
    return out


def _budget_spent(done: int, n: int, seconds: float) -> FormatError:
    return FormatError(
        f"{LIMIT}: OCR read {done} of {n} scanned pages in the {seconds:g} s allowed per file ({OCR_SECONDS_ENV})"
    )


def ocr_page(data: bytes, i: int, timeout: float) -> list[Item]:
    """Page i (0-based) rendered by PDFium (pypdfium2, which pdfplumber already uses) at OCR_DPI and read by the
    `tesseract` command (Debian's tesseract-ocr 5 with tesseract-ocr-vie): the command rather than a binding, so
    nothing is compiled against a libtesseract version and the dependency stays optional. One page is the unit of
    OCR work: on a cluster the pages of one long scan are read by many workers (pipelines/staging/cluster.py).
    Raises subprocess.TimeoutExpired past `timeout` seconds, FormatError when Tesseract fails."""
    import pypdfium2 as pdfium

    exe = shutil.which("tesseract")
    assert exe is not None  # the caller checked ocr_available()
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # one thread per page: the pipeline already runs a worker per core
    pdf = pdfium.PdfDocument(data)
    try:
        img = pdf[i].render(scale=OCR_DPI / 72).to_pil().convert("L")
    finally:
        pdf.close()
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    res = subprocess.run(
        [exe, "stdin", "stdout", "-l", "vie", "--dpi", str(OCR_DPI), "tsv"],
        input=buf.getvalue(),
        capture_output=True,
        timeout=timeout,
        env=env,
    )
    if res.returncode:
        raise FormatError(
            f"{NEEDS_OCR}: Tesseract failed on page {i + 1}: {res.stderr.decode('utf-8', 'replace').strip()[:200]}"
        )
    return _ocr_lines(res.stdout.decode("utf-8", "replace"))


# (data, 0-based page numbers, seconds for all of them) -> {page: lines}. None: one page after another in this
# process. A cluster worker sets its own (pipelines/staging/cluster.py: each page a task), with the same result and budget.
PageRunner = Callable[[bytes, list[int], float], dict[int, list[Item]]]
page_runner: PageRunner | None = None


def _ocr_pages(data: bytes, numbers: list[int], seconds: float = float("inf")) -> dict[int, list[Item]]:
    """The scanned pages read, within `seconds` for the file (OCR_SECONDS_ENV)."""
    if page_runner is not None:
        return page_runner(data, numbers, seconds)
    out = {}
    deadline = time.monotonic() + seconds
    for k, i in enumerate(numbers):
        left = deadline - time.monotonic()
        if left <= 0:
            raise _budget_spent(k, len(numbers), seconds)
        try:
            out[i] = ocr_page(data, i, min(300, left))
        except subprocess.TimeoutExpired as e:
            if left < 300:
                raise _budget_spent(k, len(numbers), seconds) from e
            raise FormatError(f"{NEEDS_OCR}: Tesseract timed out on page {i + 1}") from e
    return out


def read_pdf(data: bytes, max_pages: int | None = None, ocr_seconds: float = float("inf")) -> Document:
    try:
        import pdfplumber
        from pdfminer.pdfdocument import PDFPasswordIncorrect
    except ImportError as e:  # pragma: no cover
        raise FormatError(f"pdfplumber is not installed: {e}") from e
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PDFPasswordIncorrect as e:
        raise FormatError("password-protected PDF: cannot be opened without its password") from e
    except Exception as e:
        cause = e.__cause__ or e.__context__
        if "password" in f"{type(e).__name__} {e} {type(cause).__name__ if cause else ''}".lower():
            raise FormatError("password-protected PDF: cannot be opened without its password") from e
        raise FormatError(f"corrupt PDF: {type(e).__name__}: {e}") from e
    with pdf:
        try:
            n = len(pdf.pages)
        except Exception as e:
            if "password" in f"{type(e).__name__} {e}".lower():
                raise FormatError("password-protected PDF: cannot be opened without its password") from e
            raise FormatError(f"corrupt PDF: {type(e).__name__}: {e}") from e
        if n == 0:
            raise FormatError("PDF has no pages")
        if max_pages is not None and n > max_pages:  # before any page is laid out or rendered
            raise FormatError(f"{LIMIT}: PDF of {n:,} pages, more than {max_pages:,} ({PDF_PAGES_ENV})")
        pages, scans = [], []
        for i, page in enumerate(pdf.pages):
            items, scan = _page_items(page)
            pages.append(items)
            if scan:
                scans.append(i)
    text_source = "native"
    if scans or not any(pages):
        # a scanned page (or a PDF with no text at all): OCR, or quarantine; never a silently empty or partial text
        scans = scans or list(range(n))
        which = (
            "no text layer"
            if len(scans) == n
            else f"pages {', '.join(str(i + 1) for i in scans[:10])}{' ...' if len(scans) > 10 else ''} of {n} are images"
        )
        missing = ocr_available()
        if missing:
            raise FormatError(f"{NEEDS_OCR}: {which} (scanned PDF; {missing})")
        for i, items in _ocr_pages(data, scans, ocr_seconds).items():
            pages[i] = items
        text_source = "ocr"
    running = _running_lines(pages)
    out = LineBuilder()
    n_tbl, prev = 0, None
    for no, items in enumerate(pages, start=1):
        lines = [p for _t, k, p in items if k == "line"]
        right = max((x["x1"] for x in lines), default=0.0)
        left = min((x["x0"] for x in lines), default=0.0)
        for _top, kind, payload in items:
            if kind == "table":
                n_tbl += 1
                out.table(payload, f"page {no} table {n_tbl}")
                prev = None
                continue
            text = payload["text"]
            edge = payload in lines[:2] + lines[-2:]
            if edge and (_key(text) in running or (_PAGE_NO.match(text) and payload in lines[:1] + lines[-1:])):
                continue
            if (
                prev is not None
                and out.lines
                and out.locations[-1] in (f"page {no}", f"page {no - 1}")
                and is_continuation(prev, payload, right, left)
            ):
                out.lines[-1] = _join(out.lines[-1], text)
            else:
                out.add(text, f"page {no}")
            prev = payload
    if text_source == "ocr":
        try:
            return out.document("pdf", "binary", text_source, n)
        except FormatError as e:
            raise FormatError(f"scanned PDF read by OCR: {e}") from e
    return out.document("pdf", "binary", text_source, n)
