"""A schedule drawn as a chart: one column per month ("Thời gian thực hiện năm 2026 (tháng)" over 1 … 12) and an "x"
under each month a task runs in, no deadline written. The month columns become one "Thời gian thực hiện" cell per row,
written as the months marked ("Tháng 4 - Tháng 6/2026", "Tháng 3, 6, 9, 12/2026"); the readers never see the chart.
Also: a table drawn with box-drawing characters (a text export's "┌─┬─┐ │ ├─┼─┤") is the grid table it draws."""

from __future__ import annotations

import re

from pipelines.sources.plans.decode import collapse_ws
from pipelines.sources.plans.lines import strip_markup
from pipelines.sources.plans.table_model import Cell, RawTable

_MONTH_END = re.compile(r"(?:^|\s)(?P<m>\d{1,2})$")
_YEAR = re.compile(r"(20\d\d)")
_MARKS = {"x", "×", "✓", "✔", "*", "+"}

_BOX = str.maketrans(
    {**dict.fromkeys("─━═", "-"), **dict.fromkeys("│┃║", "|"), **dict.fromkeys("┌┐└┘├┤┬┴┼╔╗╚╝╠╣╦╩╬╒╕╘╛╞╡╤╧╪", "+")}
)


def box_drawing_as_grid(text: str) -> str:
    """A table drawn with box-drawing characters, as the pandoc grid table it is ("+--+", "|"): the same length."""
    if "│" not in text and "┃" not in text and "║" not in text:
        return text
    return text.translate(_BOX)


def read_gantt(table: RawTable) -> None:
    """Rewrite `table` in place when it has a run of month columns (1 … 12 in order) marked with "x"."""
    labels = [collapse_ws(strip_markup(h)) for h in table.header]
    months: list[tuple[int, int]] = []  # (column, month)
    for k, label in enumerate(labels):
        m = _MONTH_END.search(label)
        if m and 1 <= int(m["m"]) <= 12 and (not months or int(m["m"]) == months[-1][1] + 1 and k == months[-1][0] + 1):
            months.append((k, int(m["m"])))
        elif len(months) < 6:
            months = []
    if len(months) < 6:
        return
    first, last = months[0][0], months[-1][0]
    year = next((y[1] for lab in labels[: last + 1] if (y := _YEAR.search(lab))), None)
    title = re.sub(r"\s*\d{1,2}$", "", labels[first]).strip() or "Thời gian thực hiện"
    table.header = [*table.header[:first], title, *table.header[last + 1 :]]
    rows = []
    for r in table.rows:
        marked = [mo for k, mo in months if k < len(r) and r[k].text.strip().lower() in _MARKS]
        at = r[first] if first < len(r) else Cell("", r[0].line_start, r[0].line_end)
        when = Cell(_months_text(marked, year), at.line_start, at.line_end)
        rows.append([*r[:first], when, *r[last + 1 :]])
    table.rows = rows


def _months_text(marked: list[int], year: str | None) -> str:
    if not marked:
        return ""
    suffix = f"/{year}" if year else ""
    if marked == list(range(marked[0], marked[-1] + 1)):
        return f"Tháng {marked[0]}{suffix}" if len(marked) == 1 else f"Tháng {marked[0]} - Tháng {marked[-1]}{suffix}"
    return f"Tháng {', '.join(str(m) for m in marked)}{suffix}"
