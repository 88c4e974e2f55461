"""An assignment grid: one column per body (often abbreviated, with a legend above the table: "Chữ viết tắt: STP: Sở
Tư pháp; SNV: Sở Nội vụ …"), a mark in a row's cell giving that body its role ("C" chủ trì, "P" phối hợp). Turned into
the table model's own lead and support columns, so the readers never see the layout."""

from __future__ import annotations

from pipelines.sources.plans.agency_text import abbreviation_legend
from pipelines.sources.plans.decode import collapse_ws
from pipelines.sources.plans.lines import strip_markup
from pipelines.sources.plans.table_model import Cell, RawTable, header_roles

_LEAD_MARKS = {"c", "ct", "x"}  # chủ trì (a bare cross in a grid without letters marks the body in charge)
_SUPPORT_MARKS = {"p", "ph"}


def _mark(cell: Cell) -> str:
    t = cell.text
    if len(t) > 12:
        return "-"  # words, not a mark (most cells: decided without cleaning them)
    return collapse_ws(strip_markup(t)).strip(" .").lower()


def _legend(lines: list[str], start: int) -> dict[str, str]:
    """Abbreviations the lines just above a table define ("STP: Sở Tư pháp; SNV: Sở Nội vụ")."""
    return abbreviation_legend(lines[max(0, start - 8) : start - 1])[0]


def read_assignment_grid(table: RawTable, lines: list[str]) -> None:
    """Rewrite `table` in place when it is an assignment grid: its mark columns become "Chủ trì" and "Phối hợp"
    cells naming the bodies marked (with the legend's full names), beside any other partners' column."""
    body = table.rows
    if len(body) < 2:
        return
    sub = body[0]  # the bodies' names, under a spanning "Cơ quan thực hiện" (a two-row header)
    has_sub = not any(_mark(c) in _LEAD_MARKS | _SUPPORT_MARKS for c in sub)
    rows = body[1:] if has_sub else body
    width = len(table.header)
    grid = []
    allowed = _LEAD_MARKS | _SUPPORT_MARKS | {""}
    for k in range(width):
        seen = False
        for r in rows:
            if k < len(r):
                m = _mark(r[k])
                if m not in allowed:
                    break
                seen = seen or bool(m)
        else:
            if seen:
                grid.append(k)
    if len(grid) < 2:
        return
    legend = _legend(lines, table.line_start)

    def name(k: int) -> str:
        label = collapse_ws(strip_markup(sub[k].text if has_sub and k < len(sub) and sub[k].text.strip() else "")) or (
            collapse_ws(strip_markup(table.header[k]))
        )
        return legend.get(label.upper(), label)

    roles = header_roles(table.header) or [None] * width
    other_support = next((k for k, r in enumerate(roles) if r == "support" and k not in grid), None)
    keep = [k for k in range(width) if k not in grid and k != other_support]
    at = grid[0]
    header = (
        [table.header[k] for k in keep if k < at] + ["Chủ trì", "Phối hợp"] + [table.header[k] for k in keep if k > at]
    )
    new_rows = []
    for r in rows:
        cells = {k: r[k] for k in range(min(width, len(r)))}
        first = r[0] if r else Cell("", table.line_start, table.line_start)
        lead = [name(k) for k in grid if k in cells and _mark(cells[k]) in _LEAD_MARKS]
        support = [name(k) for k in grid if k in cells and _mark(cells[k]) in _SUPPORT_MARKS]
        if other_support is not None and other_support in cells:
            extra = collapse_ws(strip_markup(cells[other_support].text)).strip(" -–")
            if extra:
                support.append(extra)
        lead_cell = Cell("; ".join(lead), first.line_start, first.line_end)
        support_cell = Cell("; ".join(support), first.line_start, first.line_end)
        blank = Cell("", first.line_start, first.line_end)
        before = [cells.get(k, blank) for k in keep if k < at]
        after = [cells.get(k, blank) for k in keep if k > at]
        new_rows.append([*before, lead_cell, support_cell, *after])
    table.header, table.rows = header, new_rows
