"""Tasks written downwards as small two-column tables of labelled fields ("Nhiệm vụ 1.1 | …", "Cơ quan chủ trì |
…", "Thời hạn | …"): turned into one task table, a record per row."""

from __future__ import annotations

import re

from pipelines.sources.plans.decode import collapse_ws
from pipelines.sources.plans.lines import strip_markup
from pipelines.sources.plans.table_model import Cell, header_roles, label_role

_LABEL_REF = re.compile(r"^(?P<label>.*?\S)\s+(?P<ref>\d{1,2}(?:\.\d{1,2})*|[IVX]{1,4})\.?$")


def record_as_row(rows: list[list[Cell]]) -> list[list[Cell]] | None:
    """Tasks written downwards, one small table each ("Nhiệm vụ 1.1 | text", "Cơ quan chủ trì | …", "Thời hạn |
    …"), or several such records run together: the labels become the header (by their roles) and each record one
    row, the number in a task's label ("Nhiệm vụ 1.1") its number cell."""
    if len(rows) < 3 or any(len(r) != 2 for r in rows):
        return None
    labels = [collapse_ws(strip_markup(r[0].text)) for r in rows]
    if any(not lb or len(lb) > 60 for lb in labels):
        return None
    roles = [label_role(lb) for lb in labels]
    starts = [i for i, r in enumerate(roles) if r == "task"]
    if not starts or starts[0] != 0:
        return None
    records = [list(range(a, b)) for a, b in zip(starts, [*starts[1:], len(rows)])]
    if any(not 3 <= len(rec) <= 12 for rec in records):
        return None
    order: list[str] = []  # the roles in the order the records give them, each with its first label
    label_of: dict[str, Cell] = {}
    for i in range(len(rows)):
        role = roles[i]
        if role is None or role == "task" and i:
            continue
        if role not in label_of:
            order.append(role)
            m = _LABEL_REF.match(labels[i]) if role == "task" else None
            label_of[role] = Cell(m["label"] if m else labels[i], rows[i][0].line_start, rows[i][0].line_end)
    if header_roles([label_of[r].text for r in order]) is None or not {"lead", "support"} & set(order):
        return None
    refs = [_LABEL_REF.match(labels[rec[0]]) for rec in records]
    numbered = all(refs)
    first = rows[0][0]
    header = ([Cell("STT", first.line_start, first.line_end)] if numbered else []) + [label_of[r] for r in order]
    out = [header]
    for rec, ref in zip(records, refs):
        by_role = {roles[i]: rows[i][1] for i in rec if roles[i] is not None}
        src = rows[rec[0]][0]
        cells = [by_role.get(r) or Cell("", src.line_start, src.line_end) for r in order]
        out.append(([Cell(ref["ref"], src.line_start, src.line_end)] if numbered and ref else []) + cells)
    return out


def transposed_records(rows: list[list[Cell]]) -> list[list[Cell]] | None:
    """A table laid on its side: the first column holds the labels ("Nhiệm vụ số", "Nội dung", "Cơ quan chủ trì",
    "Thời gian hoàn thành", in any order) and each further column is one task. Returned the usual way round (the
    labels as the header row, a task per row), or None."""
    if len(rows) < 3 or min(len(r) for r in rows) < 2:
        return None
    labels = [collapse_ws(strip_markup(r[0].text)) for r in rows]
    if any(not lb or len(lb) > 60 for lb in labels):
        return None
    roles = header_roles(labels) or []
    named = {r for r in roles if r}
    if "task" not in named or len(named) < 3 or sum(1 for r in roles if r) < len(rows) - 1:
        return None
    if header_roles([c.text for c in rows[0]]) is not None:
        return None  # the first row is a header already: a table the usual way round
    width = max(len(r) for r in rows)
    out = [[r[0] for r in rows]]
    for j in range(1, width):
        col = [r[j] if j < len(r) else Cell("", r[0].line_start, r[0].line_end) for r in rows]
        if any(not c.blank for c in col):
            out.append(col)
    return out if len(out) >= 2 else None
