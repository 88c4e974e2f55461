"""The portal scrape's table layout ("bar" tables): a line holding only "|" before every cell, the cell's words on
the lines after it (wrapped at any width), "|" twice between rows. Tokenised into the one `RawTable` like every text
layout (text_tables.py); the readers never see the layout."""

from __future__ import annotations

import re

from pipelines.sources.plans.formats.text_tables import _is_words, _roles_key, _table_from_rows
from pipelines.sources.plans.lines import lowered_text, strip_markup
from pipelines.sources.plans.table_model import (
    _LETTER_REF,
    _LETTER_START,
    _REF,
    Cell,
    RawTable,
    _is_header,
    header_roles,
)


def _is_bar(line: str) -> bool:
    return line.strip() == "|"


def find_bar_tables(lines: list[str], skip: set[int]) -> list[RawTable]:
    """The portal scrape's table: a line holding only "|" before every cell, the cell's words on the lines after
    it (wrapped at any width), two "|" lines in a row between rows."""
    tables: list[RawTable] = []
    if "|" not in lowered_text(lines):  # most texts: no table of this layout (the text joined once for every rule)
        return tables
    bar = [False, *(ln.strip() == "|" for ln in lines)]  # 1-based: the line holds only "|"
    n, i = len(lines), 1
    while i <= n:
        if i in skip or not bar[i]:
            i += 1
            continue
        j, last = i, i
        while j <= n and j not in skip:
            t = lines[j - 1]
            if t.strip():
                last = j
            else:
                # a blank line ends the table unless the next line goes on with it
                nxt = next((k for k in range(j + 1, min(j + 3, n + 1)) if lines[k - 1].strip()), None)
                if nxt is None or not (bar[nxt] or bar[j - 1]):
                    break
            j += 1
        block = list(range(i, last + 1))
        if sum(bar[k] for k in block) >= 6:
            parts = _split_at_headers(_bar_rows(lines, block, bar))
            for n_part, part in enumerate(parts):
                # a scraped table always keeps its header row: one that names no task is a table of something
                # else (sites, parameters, coordinates), never read for tasks by its content
                if _is_header([c.text for c in part[0]]):
                    start = i if n_part == 0 else part[0][0].line_start
                    end = last if n_part == len(parts) - 1 else part[-1][-1].line_end
                    found = _table_from_rows(part, "bar_table", start, end)
                    if found is not None:
                        tables.append(found)
        i = last + 1
    return tables


def _split_at_headers(rows: list[list[Cell]]) -> list[list[list[Cell]]]:
    """Tables scraped one after the other with nothing but a title between them run together: the next table's
    header row, with the title before it, is glued to the last row of the first. A header naming other column
    roles starts a new table there (the title between them belongs to neither)."""
    if not rows:
        return []
    first = [c.text for c in rows[0]]
    if not _is_header(first):
        # the title scraped into the header row's first cell ("PHỤ LỤC …" | "TT" | "Nội dung" | …): cut it off
        p = next((p for p in range(1, len(first) - 2) if _is_header(first[p:])), None)
        if p is not None:
            rows = [rows[0][p:], *rows[1:]]
    parts: list[list[list[Cell]]] = [[rows[0]]]
    width = len(rows[0])
    roles = _roles_key([c.text for c in rows[0]])
    # a block opening with a title scraped as a cell ("PHỤ LỤC …" before the header) has no header yet: the
    # first header row starts the table whole, not after the title's width
    headed = _is_header([c.text for c in rows[0]])
    for row in rows[1:]:
        texts = [c.text for c in row]
        cut = next(
            (
                p
                for p in range(width if len(row) > width and headed else 0, len(row) - 2)
                if _is_header(texts[p:]) and _roles_key(texts[p:]) != roles
            ),
            None,
        )
        if cut is None:
            parts[-1].append(row)
            continue
        if cut >= width:
            parts[-1].append(row[:width])
        parts.append([row[cut:]])
        width, roles, headed = len(row) - cut, _roles_key(texts[cut:]), True
    return parts


# what a row's first cell opens with: "1", "2.3.", "I.", "A." (alone or before the words of a group heading)
_ROW_OPENER = re.compile(r"^(?:[IVX]{1,4}|[A-Z]|\d{1,2}(?:\.\d{1,2})*)[.)]?(?:\s|$)")


def _spanning_heading(row: list[Cell]) -> bool:
    """A row that spans the table with a group's heading ("A." | "BỘ NÔNG NGHIỆP VÀ MÔI TRƯỜNG"): a marker at
    most and words in capitals. It is a row of its own, whatever follows."""
    texts = [c.text for c in row if not c.blank]
    if not texts or len(texts) > 2:
        return False
    letters = [ch for ch in texts[-1] if ch.isalpha()]
    return len(letters) >= 4 and sum(ch.isupper() for ch in letters) >= 0.8 * len(letters)


_ELIDED = re.compile(r"^[.…]{6,}$")


def _bar_rows(lines: list[str], block: list[int], bar: list[bool] | None = None) -> list[list[Cell]]:
    """The block's rows of cells; `bar`: for each 1-based line, whether it holds only "|" (computed once)."""
    if bar is None:
        bar = [False, *(_is_bar(ln) for ln in lines)]
    rows: list[list[Cell]] = []
    row: list[Cell] = []
    width = 0  # the header's, once known
    numbered = False  # the header's first column is the row number
    prev_bar = False
    # the words of the next line that is neither blank nor "|", after each position (one pass from the end)
    following: list[str] = [""] * len(block)
    nxt = ""
    for idx in range(len(block) - 1, -1, -1):
        following[idx] = nxt
        raw = lines[block[idx] - 1]
        if not bar[block[idx]] and raw.strip():
            nxt = strip_markup(raw).strip()
    for idx, k in enumerate(block):
        if bar[k] and row and _ELIDED.match(row[-1].text):
            # the site's mark of rows it left out ("…......."): the row before it ended, the next cell opens one
            row.pop()
            if row:
                rows.append(row)
            row, prev_bar = [Cell("", k, k)], True
            continue
        if bar[k]:
            if prev_bar:
                nxt = following[idx]
                # "|" twice: a row ends, unless the row is still short and the next words do not open a row
                # (an empty cell inside it)
                opens_row = bool(_REF.match(nxt) or _LETTER_REF.match(nxt) or _LETTER_START.match(nxt))
                has_words = any(not c.blank for c in row)
                # a row of a numbered table whose first cell holds words, not a number, is the rest of the row
                # above (its leading cells merged over several rows): it ends at the next "|" pair
                continued = numbered and not row[0].blank and _is_words(row[0].text)
                if (
                    width
                    and has_words
                    and len(row) < width - 1
                    and not opens_row
                    and row[-1].blank
                    and not continued
                    and not _spanning_heading(row)
                ):
                    row.append(Cell("", k, k))
                    prev_bar = False
                    continue
                if len(row) == 1 and row[0].blank and rows and nxt and not _ROW_OPENER.match(nxt):
                    # "|" three times before words that open no row: the row above ended, this row's first cell
                    # (its number) is empty
                    row.append(Cell("", k, k))
                    prev_bar = True
                    continue
                if row and row[-1].blank:
                    row.pop()  # the cell the closing "|" opened
                if row:
                    rows.append(row)
                    if not width:
                        width = len(row)
                        numbered = (header_roles([c.text for c in row]) or [None])[0] == "ref"
                row = [Cell("", k, k)]
            else:
                row.append(Cell("", k, k))
            prev_bar = True
            continue
        prev_bar = False
        t = strip_markup(lines[k - 1]).strip()
        if not t:
            continue
        if not row:
            row = [Cell("", k, k)]
        c = row[-1]
        c.text = f"{c.text} {t}" if c.text else t
        c.line_start = c.line_start if c.text != t else k
        c.line_end = k
    if row and row[-1].blank:
        row.pop()
    if row:
        rows.append(row)
    return rows
