"""A table laid out by spaces: the text a PDF gives with its layout kept (`pdftotext -layout`), a fixed-width export.
Each column starts where its header label starts; a cell's words wrap onto the next lines at the same place; a row
begins where the number column holds a number; a page break repeats the header under a page number. Tokenised into
the one `RawTable` like every text layout (text_tables.py); the readers never see the layout."""

from __future__ import annotations

import re

from pipelines.sources.plans.formats.text_tables import _table_from_rows
from pipelines.sources.plans.lines import lowered_text
from pipelines.sources.plans.table_model import _REF, Cell, RawTable, _is_header, header_roles

_GAP = re.compile(r"\S(?:\S| (?! ))*")  # a run of words parted from the next by two spaces or more
# a cheap first look over the joined text: some line holds three runs parted by wide gaps
_WIDE = re.compile(r"(?m)^[^\n]*\S {2,}\S[^\n]*\S {2,}\S[^\n]*\S {2,}\S")
_PAGE_NUMBER = re.compile(r"^\s*(?:-\s*)?\d{1,3}(?:\s*-)?\s*$")
_VALUE = re.compile(r"^(?:[≥≤<>]=?|trên|từ|dưới)?\s*\d{1,3}(?:[.,]\d{1,3})?\s*%?$", re.IGNORECASE)
_TOLERANCE = 3  # a cell's words may start this many characters before its header label


_LEADING_REF = re.compile(r"^((?:[IVX]{1,5}|\d{1,2}(?:\.\d{1,2})*)\.?) (\S.*)$")


def _runs(line: str) -> list[tuple[int, str]]:
    out = [(m.start(), m.group()) for m in _GAP.finditer(line)]
    if out and (m := _LEADING_REF.match(out[0][1])):
        # a long number leaves one space before the next column ("VIII DỊCH VỤ …"): two cells
        at = out[0][0]
        out[0:1] = [(at, m[1]), (at + len(m[1]) + 1, m[2])]
    return out


def _column(starts: list[int], at: int) -> int:
    k = 0
    for i, s in enumerate(starts):
        if s <= at + _TOLERANCE:
            k = i
    return k


def _header_at(lines: list[str], i: int) -> tuple[list[int], list[str]] | None:
    runs = _runs(lines[i])
    if len(runs) < 3 or not _is_header([t for _, t in runs]):
        return None
    return [s for s, _ in runs], [t for _, t in runs]


def find_column_tables(lines: list[str], skip: set[int]) -> list[RawTable]:
    """Tables laid out by spaces, each with the header its columns are read by."""
    tables: list[RawTable] = []
    if "  " not in lowered_text(lines) or not _WIDE.search(lowered_text(lines)):
        return tables
    n, i = len(lines), 0
    while i < n:
        head = None if (i + 1) in skip else _header_at(lines, i)
        if head is None:
            i += 1
            continue
        table, i = _read_table(lines, i, head, skip)
        if table is not None:
            tables.append(table)
    return tables


def spaced_rows(lines: list[str], start: int) -> tuple[list[Cell], list[list[Cell]]] | None:
    """The header (its wrapped labels joined) and rows of a table laid out by spaces whose header is line `start`
    (0-based), whatever its columns are for (a table of targets as well as one of tasks); None if it is none."""
    runs = _runs(lines[start])
    if len(runs) < 3:
        return None
    header, rows, _ = _read_rows(lines, start, ([s for s, _ in runs], [t for _, t in runs]), set())
    return (header, rows) if rows else None


def _read_table(
    lines: list[str], start: int, head: tuple[list[int], list[str]], skip: set[int]
) -> tuple[RawTable | None, int]:
    header, rows, last = _read_rows(lines, start, head, skip)
    if not rows:
        return None, start + 1
    table = _table_from_rows([header, *rows], "column_table", start + 1, last + 1)
    return table, last + 1


def _read_rows(
    lines: list[str], start: int, head: tuple[list[int], list[str]], skip: set[int]
) -> tuple[list[Cell], list[list[Cell]], int]:
    starts, labels = head
    header = [Cell(t, start + 1, start + 1) for t in labels]
    rows: list[list[Cell]] = []
    row: list[Cell] | None = None
    numbered = (header_roles(labels) or [None])[0] == "ref"
    i, last = start + 1, start
    tail: list[list[str]] = []  # the header's wrapped labels ("Thời hạn" over "hoàn thành"), line by line
    repeat: list[list[str]] = []  # ... still to pass under a header repeated after a page break
    while i < len(lines):
        ln = lines[i]
        if (i + 1) in skip:
            break
        if not ln.strip() or _PAGE_NUMBER.match(ln):
            i += 1
            continue
        runs = _runs(ln)
        texts = [t for _, t in runs]
        if texts == labels:
            repeat = list(tail)  # the header repeated after a page break
            i += 1
            continue
        if repeat and texts == repeat[0]:
            repeat.pop(0)
            i += 1
            continue
        repeat = []
        cells: dict[int, str] = {}
        for at, text in runs:
            k = _column(starts, at)
            if k + 1 < len(starts) and at + len(text) > starts[k + 1] + 1:
                cells = {}  # words across a column's edge: a line of prose, the table has ended
                break
            cells[k] = f"{cells[k]} {text}" if k in cells else text
        if not cells:
            break
        first = cells.get(0, "")
        opens = bool(first) and (_REF.match(first.rstrip(".")) is not None or not numbered)
        if first and not opens:
            break  # the number column holds words: prose again
        if not first and row is None:
            tail.append(texts)
            for k, t in cells.items():  # the header's wrapped labels
                header[k].text = f"{header[k].text} {t}"
            i += 1
            continue
        # an unnumbered line that gives a figure where the row above has one already is a row of its own ("Tổng
        # điểm PCI (có trọng số)   65,48   ≥ 67,50" under row 10), not the row's wrapped words
        second = row is not None and any(k and _VALUE.match(t) and _VALUE.match(row[k].text) for k, t in cells.items())
        if opens or second:
            row = [Cell("", i + 1, i + 1) for _ in starts]
            rows.append(row)
        if row is None:
            break
        for k, t in cells.items():
            c = row[k]
            c.text = f"{c.text} {t}" if c.text else t
            c.line_start = c.line_start if c.text != t else i + 1
            c.line_end = i + 1
        last = i
        i += 1
    # a heading right after the table ("IV. TỔ CHỨC THỰC HIỆN") reads like a group row: a group row with no row
    # after it is not the table's
    while rows and len(rows) > 1 and all(not c.text for c in rows[-1][2:]):
        rows.pop()
        last = max(c.line_end for c in rows[-1]) - 1
    for r in rows:
        for c in r:
            if not c.text:
                c.line_start = c.line_end = r[0].line_start
    return header, rows, last
