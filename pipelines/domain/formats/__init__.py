"""Plans as provinces publish them: plain text, Word (.docx, .doc), PDF and web pages, read into one document model.

Every adapter turns a file's bytes into the text the readers parse (tables written as Markdown pipe rows, one row
per line, `<br>` for a line break inside a cell; merged cells blank after their first position, as text exports
leave them) plus a provenance map: for each line of that text, where it came from in the original ("page 3",
"paragraph 41", "table 2 row 5", an HTML element path). A file that cannot be read raises `FormatError`, whose
message is the quarantine reason.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from itertools import islice
from pathlib import PurePath

from ...settings import Settings
from ..decode import LETTER_RE, VIET_CHARS, DecodeError, decode_document

FORMATS = ("txt", "docx", "pdf", "html", "doc")
TEXT_SOURCES = ("native", "converted", "ocr")


class FormatError(DecodeError):
    """A published file that cannot become text: the message is the quarantine reason."""


@dataclass
class TableSpan:
    """A table as its file holds it (Word, HTML, PDF): its rows of cells, each row written on one line of the text
    from `first_line` (1-based) on. The readers take the table from here, never by reading the pipe rows back."""

    where: str  # "table 2", "page 3 table 1"
    first_line: int
    rows: list[list[str]]  # cell texts as written in the line ("<br>" for a line break inside a cell)


@dataclass
class Document:
    text: str  # NFC, "\n" line endings: what the readers parse and line numbers count in
    locations: list[str | None]  # one per line of `text`: where the line came from; None for plain text
    format: str  # txt / docx / pdf / html / doc
    encoding: str  # of a text or HTML file; "binary" for Word and PDF
    text_source: str = "native"  # native / converted (.doc through antiword or LibreOffice) / ocr (Tesseract)
    page_count: int | None = None  # PDF only
    cut_in_character: bool = False  # a text file whose bytes ended inside a UTF-8 character (truncated)
    tables: list[TableSpan] = field(default_factory=list)  # the file's own tables (none for plain text)

    def location(self, line: int) -> str | None:
        """Provenance of a 1-based line of `text`."""
        return location_of(self.locations, line)


def location_of(locations: list[str | None], line: int | None) -> str | None:
    """Where a 1-based line of a document's text is in the original; a blank line between blocks (which has no
    place of its own; LineBuilder never writes two) takes the place of the line above it, or below at the start.
    None for plain text."""
    if not line or not 1 <= line <= len(locations):
        return None
    for i in (line - 1, line - 2, line):  # constant time: plain text is all None
        if 0 <= i < len(locations) and locations[i] is not None:
            return locations[i]
    return None


_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


def clean(s: str) -> str:
    """NFC, one space for any run of spaces (non-breaking too), no control characters."""
    s = unicodedata.normalize("NFC", s.replace("\u00ad", ""))
    s = "".join(ch for ch in s if ch in "\n" or unicodedata.category(ch) not in ("Cc", "Cf"))
    return _SPACES.sub(" ", s).strip()


@dataclass
class LineBuilder:
    """Collects lines with their provenance; tables become pipe rows between blank lines."""

    lines: list[str] = field(default_factory=list)
    locations: list[str | None] = field(default_factory=list)
    tables: list[TableSpan] = field(default_factory=list)

    def add(self, text: str, where: str | None) -> None:
        for part in text.split("\n"):
            part = clean(part)
            if part:
                self.lines.append(part)
                self.locations.append(where)

    def blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")
            self.locations.append(None)

    def table(self, rows: list[list[str]], where: str) -> None:
        """`rows` of cell texts (a line break inside a cell as "\\n"); `where` like "table 2" (rows added)."""
        rows = [r for r in rows if any(c.strip() for c in r)]
        if not rows:
            return
        width = max(len(r) for r in rows)
        if width == 1:  # a one-column table is a framed paragraph
            for i, r in enumerate(rows, start=1):
                self.add(r[0], f"{where} row {i}")
            return
        self.blank()
        span = TableSpan(where, len(self.lines) + 1, [])
        for i, r in enumerate(rows, start=1):
            cells = [cell_text(c) for c in r] + [""] * (width - len(r))
            span.rows.append(cells)
            self.lines.append("| " + " | ".join(cells) + " |")
            self.locations.append(f"{where} row {i}")
        self.tables.append(span)
        self.blank()

    def document(self, fmt: str, encoding: str, text_source: str = "native", page_count: int | None = None) -> Document:
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
            self.locations.pop()
        text = "\n".join(self.lines)
        check_text(text, fmt)
        return Document(text, list(self.locations), fmt, encoding, text_source, page_count, tables=list(self.tables))


def cell_text(s: str) -> str:
    parts = [clean(p).replace("|", "/") for p in s.split("\n")]
    return "<br>".join(p for p in parts if p)


def check_text(text: str, fmt: str) -> None:
    if sum(1 for _ in islice(LETTER_RE.finditer(text), 20)) < 20:
        raise FormatError(f"no readable text in the {fmt} file (fewer than 20 letters)")
    if len(text) > 2000 and not any(ch in VIET_CHARS for ch in text):
        raise FormatError(f"{fmt} file without Vietnamese letters: not a plan, or a font without a Unicode map")


def detect_format(name: str, data: bytes) -> str:
    """By extension first (so a damaged .docx is reported as one), else by magic bytes."""
    ext = PurePath(name).suffix.lower().lstrip(".")
    if ext in ("docx", "pdf", "doc"):
        return ext
    if ext in ("html", "htm", "xhtml"):
        return "html"
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04") and b"word/" in data[:65536]:
        return "docx"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<!doctype html") or head.startswith(b"<html"):
        return "html"
    return "txt"


LIMIT = "above the limit"  # opens the reason of every file refused for its cost (never cached: limits change)


def check_zip(data: bytes, what: str, max_bytes: int, max_entries: int) -> None:
    """A .docx or .xlsx checked from its zip directory before any parser inflates it: the entry count (read from
    the end record, so a million entries are refused without building a million ZipInfo) and the sizes the entries
    declare. zipfile never inflates an entry past its declared size (a lie ends in a CRC error), so these bound
    the parse: a 4 MB bomb whose document.xml inflates to 1 GiB is refused in microseconds."""
    import io
    import zipfile

    from ...settings import UNZIPPED_ENV, ZIP_ENTRIES_ENV

    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0:
        return  # not a zip: the parser reports the file as corrupt
    n = int.from_bytes(data[end + 10 : end + 12], "little")
    if n == 0xFFFF and (z64 := data.rfind(b"PK\x06\x06", 0, end)) >= 0:  # ZIP64: the count is in its own record
        n = int.from_bytes(data[z64 + 32 : z64 + 40], "little")
    if n > max_entries:
        raise FormatError(f"{LIMIT}: {what} holds {n:,} zip entries, more than {max_entries:,} ({ZIP_ENTRIES_ENV})")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        return
    if len(infos) > max_entries:
        raise FormatError(
            f"{LIMIT}: {what} holds {len(infos):,} zip entries, more than {max_entries:,} ({ZIP_ENTRIES_ENV})"
        )
    total = sum(i.file_size for i in infos)
    if total > max_bytes:
        big = max(infos, key=lambda i: i.file_size)
        raise FormatError(
            f"{LIMIT}: {what} inflates to {total:,} bytes unzipped ({big.filename} {big.file_size:,}), more than "
            f"{max_bytes:,} ({UNZIPPED_ENV})"
        )


def read_document(data: bytes, name: str = "", settings: Settings | None = None) -> Document:
    """Any plan file -> Document. Raises DecodeError/FormatError with the quarantine reason. The limits on what a
    file may cost are `settings`' (the environment's without)."""
    settings = Settings.from_env() if settings is None else settings
    fmt = detect_format(name, data)
    if fmt == "txt":
        d = decode_document(data)
        n = d.text.count("\n") + 1
        return Document(d.text, [None] * n, "txt", d.encoding, cut_in_character=d.cut_in_character)
    if not data.strip():
        raise FormatError(f"empty .{fmt} file (no bytes)")
    if fmt == "docx":
        from .docx import read_docx

        check_zip(data, "the .docx", settings.max_unzipped_bytes, settings.max_zip_entries)
        return read_docx(data)
    if fmt == "pdf":
        from .pdf import read_pdf

        return read_pdf(data, settings.max_pdf_pages, settings.ocr_seconds_per_file)
    if fmt == "html":
        from .html import read_html

        return read_html(data)
    from .doc import read_doc

    return read_doc(data)


def read_text(data: bytes, name: str = "") -> str:
    """The normalised text of any plan file (what line numbers count in)."""
    return read_document(data, name).text
