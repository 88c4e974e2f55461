"""A plan that lists its tasks in one table and gives more of their fields in another, by the tasks' codes
("Phụ lục I: Mã nhiệm vụ | Nội dung | Chủ trì | Phối hợp", "Phụ lục II: Mã nhiệm vụ | Sản phẩm | Thời hạn"): the
second table's cells go to the tasks of the same code."""

from __future__ import annotations

from pipelines.model import Finding, TaskRow
from pipelines.sources.plans.decode import collapse_ws
from pipelines.sources.plans.lines import strip_markup
from pipelines.sources.plans.table_model import RawTable, keyed_roles

_FIELDS = {
    "output": "output_text",
    "timeline": "timeline_text",
    "lead": "lead_as_written",
    "support": "support_as_written",
}


def _code(text: str) -> str:
    return collapse_ws(strip_markup(text)).rstrip(".")


def join_keyed_tables(tasks: list[TaskRow], keyed: list[RawTable], findings: list[Finding]) -> None:
    """Fill the fields the task table left empty from the keyed tables; a code no task has is a finding."""
    by_code: dict[str, TaskRow] = {}
    for t in tasks:
        if t.task_ref:
            by_code.setdefault(_code(t.task_ref), t)
    for table in keyed:
        roles = keyed_roles(table.header) or []
        filled, unknown = 0, []
        for row in table.rows:
            code = _code(row[0].text) if row else ""
            if not code:
                continue
            task = by_code.get(code)
            if task is None:
                unknown.append(code)
                continue
            for role, cell in zip(roles[1:], row[1:]):
                value = collapse_ws(strip_markup(cell.text))
                attr = _FIELDS.get(role or "")
                if attr and value and not getattr(task, attr):
                    setattr(task, attr, value)
                    filled += 1
        findings.append(
            Finding(
                "keyed_table_joined",
                "info",
                f"The table at lines {table.line_start}-{table.line_end} gives {filled} fields of tasks listed in "
                "another table, by their codes"
                + (f"; codes no task has: {', '.join(unknown[:10])}" if unknown else "")
                + ".",
                table.line_start,
                table.line_end,
            )
        )
