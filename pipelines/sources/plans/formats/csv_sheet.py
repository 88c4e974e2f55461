"""A spreadsheet saved as comma-separated values (an Excel "Phụ lục" exported to .csv, or to a .txt): every record
padded to the sheet's width, quoted cells holding line breaks. Read with the standard `csv` module into the one
document model: runs of records with two cells or more are tables, a record with one cell (a title, a heading) is a
line of its own, a blank record ends a table."""

from __future__ import annotations

import csv
import io
from collections import Counter

from pipelines.sources.plans.formats.document import Document, LineBuilder

_MAX_RECORDS = 200_000  # a sheet larger than any plan's: the rest is read as text


def looks_like_csv(text: str) -> bool:
    """Most records have the same number of fields (three or more) and many are padded with empty ones: a sheet,
    not prose (whose lines have commas too, but never the same count line after line)."""
    head = text[:200_000]
    # a padded record ends in a comma: a cheap first look before the csv module reads anything
    if head.count(",") < 20 or sum(1 for ln in head.split("\n", 60)[:60] if ln.rstrip().endswith(",")) < 3:
        return False
    try:
        records = [r for r in csv.reader(io.StringIO(head)) if r]
    except csv.Error:
        return False
    if len(records) < 5:
        return False
    width, n = Counter(len(r) for r in records).most_common(1)[0]
    padded = sum(1 for r in records if len(r) == width and r[-1] == "")
    return width >= 3 and n >= 0.8 * len(records) and padded >= 0.5 * len(records)


def read_csv_sheet(text: str, encoding: str, cut_in_character: bool = False) -> Document:
    out = LineBuilder()
    table: list[list[str]] = []
    start = 0

    def flush() -> None:
        if table:
            width = max(max((i for i, c in enumerate(r) if c.strip()), default=0) for r in table) + 1
            out.table([r[:width] for r in table], f"records {start}-{start + len(table) - 1}")
            table.clear()

    for k, record in enumerate(csv.reader(io.StringIO(text)), start=1):  # csv.Error: the caller reads it as text
        if k > _MAX_RECORDS:
            break
        cells = [c.strip() for c in record]
        filled = [c for c in cells if c]
        if not filled:
            flush()
            continue
        # one cell ("PHỤ LỤC"), or a letter and a title in capitals ("B,NHIỆM VỤ CỤ THỂ") before a table's header:
        # a line of its own
        heading = len(filled) == 2 and not table and len(filled[0]) <= 4 and filled[1].isupper()
        if len(filled) == 1 or heading:
            flush()
            out.add(". ".join(filled) if heading else filled[0], f"record {k}")
            continue
        if not table:
            start = k
        table.append(cells)
    flush()
    doc = out.document("txt", encoding)
    doc.cut_in_character = cut_in_character
    return doc
