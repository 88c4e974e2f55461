"""What one task cell may hold beyond one task: several lettered tasks written one under another ("a) …<br>b) …"),
and a task's own assignment in a closing parenthesis ("… (phối hợp: Ủy ban MTTQ tỉnh; thời hạn: Quý II/2026)")."""

from __future__ import annotations

import re

from pipelines.model import Finding
from pipelines.sources.plans.agency_text import trailing_assignment
from pipelines.sources.plans.table_model import Cell, RawTable

_ITEM = re.compile(r"^\s*(?:\*\*)?[a-zđ]\)\s+\S")


def split_lettered_cells(table: RawTable, roles: list[str | None], findings: list[Finding]) -> None:
    """A task cell that opens with "a)" and holds further lettered lines ("a) Công khai …", "b) Mời đại diện …")
    lists that many tasks of the row's body: the row becomes one row per item, the other cells shared."""
    if "task" not in roles:
        return
    ti = roles.index("task")
    out: list[list[Cell]] = []
    split = 0
    for row in table.rows:
        cell = row[ti] if ti < len(row) else None
        parts = _items(cell.text) if cell is not None else []
        if cell is None or len(parts) < 2:
            out.append(row)
            continue
        for part in parts:
            out.append([Cell(part, cell.line_start, cell.line_end) if k == ti else c for k, c in enumerate(row)])
        split += 1
    if split:
        table.rows = out
        findings.append(
            Finding(
                "table_cell_items",
                "info",
                f"{split} task cells of the table at lines {table.line_start}-{table.line_end} list lettered items "
                "('a) …', 'b) …'): one task per item, the row's other cells shared.",
                table.line_start,
                table.line_end,
            )
        )


def _items(text: str) -> list[str]:
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if len(lines) < 2 or not _ITEM.match(lines[0]):
        return []
    items: list[str] = []
    for ln in lines:
        if _ITEM.match(ln):
            items.append(ln.strip())
        else:
            items[-1] += "\n" + ln.strip()
    return items if len(items) >= 2 else []


def closing_assignment(d: dict) -> None:
    """A task text that ends with its own assignment in parentheses: the parts go to the fields the row's cells
    left empty, and the task keeps its words."""
    text = d.get("task_text") or ""
    if not text.endswith(")"):
        return
    attrs, rest = trailing_assignment(text)
    if not attrs or not rest:
        return
    d["task_text"] = rest
    for k, v in attrs.items():
        if not d.get(k):
            d[k] = v
