"""The one document model every format adapter fills: the text the readers parse, a provenance per line, the
file's own tables (TableSpan), and the LineBuilder the adapters write through."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from itertools import islice

from pipelines.sources.plans.decode import LETTER_RE, VIET_CHARS, DecodeError

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
    # the line of each row when they do not follow one another (an HTML table inside a text file: each row on the
    # line of its "<tr>", the table's other lines blank, so every line keeps its number)
    row_lines: list[int] | None = None


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


LIMIT = "above the limit"  # opens the reason of every file refused for its cost (never cached: limits change)
