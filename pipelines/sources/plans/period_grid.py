"""A table of bodies against periods ("Cơ quan chủ trì | Quý I/2026 | Quý II/2026 | … | Thường xuyên"): each row a
body, each cell the work that body does in that period. Turned into the usual task table (one row per piece of
work, with its lead and its period) before the table reader reads it."""

from __future__ import annotations

import re

from pipelines.sources.plans.agency_text import time_only
from pipelines.sources.plans.table_model import Cell, RawTable, label_role

# a piece of work in a cell: "- Ban hành …", several in one cell set apart by their marks or line breaks
_PIECES = re.compile(r"(?:^|<br\s*/?>|\n|\s)[-•+]\s+(?=\S)")
_EMPTY = {"", "-", "–", "—", "x", "0"}


def unpivot_period_grid(table: RawTable) -> RawTable | None:
    """The task table a bodies-by-periods grid stands for, or None when `table` is not one: its first column names
    the body in charge and every other column is headed by a time only (two at least)."""
    if len(table.header) < 3 or label_role(table.header[0]) != "lead":
        return None
    periods = [time_only(h) for h in table.header[1:]]
    if not all(periods):
        return None
    rows: list[list[Cell]] = []
    for row in table.rows:
        if not row or row[0].blank:
            continue
        for cell, period in zip(row[1:], periods):
            for piece in _PIECES.split(cell.text):
                piece = piece.strip()
                if piece.lower() in _EMPTY:
                    continue
                rows.append(
                    [
                        Cell(piece, cell.line_start, cell.line_end),
                        Cell(row[0].text, row[0].line_start, row[0].line_end),
                        Cell(period or "", cell.line_start, cell.line_end),
                    ]
                )
    if not rows:
        return None
    return RawTable(
        table.reader,
        ["Nội dung nhiệm vụ", table.header[0], "Thời gian hoàn thành"],
        rows,
        table.line_start,
        table.line_end,
        list(table.findings),
    )
