"""A plan that numbers its tasks in the text and gives them out in a table keyed by body ("Cơ quan, đơn vị | Chủ trì
nhiệm vụ số | Phối hợp nhiệm vụ số", "Sở Tư pháp | 1, 6, 12 | 3, 5, 9"): each body leads or supports the tasks whose
numbers its row lists."""

from __future__ import annotations

import re

from pipelines.model import Finding, TaskRow
from pipelines.sources.plans.decode import collapse_ws
from pipelines.sources.plans.lines import strip_markup
from pipelines.sources.plans.table_model import RawTable, label_role

_NUMBERS = re.compile(r"^\d{1,3}(?:\.\d{1,2})*(?:\s*[,;]\s*\d{1,3}(?:\.\d{1,2})*)*$")
_NONE = {"", "-", "–", "—", "x"}


def _plain(text: str) -> str:
    return collapse_ws(strip_markup(text)).strip(" .")


def _columns(table: RawTable) -> tuple[int, int | None, int | None] | None:
    """(body column, lead-numbers column, support-numbers column) of a table that gives tasks out by number."""
    hdr = [_plain(h).lower() for h in table.header]
    by_number = [("số" in h.split() or "nhiệm vụ" in h) for h in hdr]
    lead = next((i for i, h in enumerate(hdr) if by_number[i] and "chủ trì" in h), None)
    sup = next((i for i, h in enumerate(hdr) if by_number[i] and "phối hợp" in h), None)
    body = next((i for i, h in enumerate(hdr) if i not in (lead, sup) and label_role(h) == "lead"), None)
    if body is None or lead is None or not table.rows:
        return None
    for row in table.rows:  # every cell of the number columns is a list of numbers, or nothing
        for i in (lead, sup):
            if i is not None and i < len(row):
                v = _plain(row[i].text)
                if v not in _NONE and not _NUMBERS.match(v):
                    return None
    return body, lead, sup


def gives_tasks_by_number(table: RawTable) -> bool:
    return _columns(table) is not None


def assign_by_task_number(tables: list[RawTable], tasks: list[TaskRow], findings: list[Finding]) -> None:
    """Fill the lead and support of the numbered tasks that name none from the tables that give them out by number.
    Only where each number is one task's (a numbering that restarts cannot be told apart)."""
    by_ref: dict[str, list[TaskRow]] = {}
    for t in tasks:
        if t.task_ref:
            by_ref.setdefault(t.task_ref.strip(" .)"), []).append(t)
    for table in tables:
        cols = _columns(table)
        if cols is None:
            continue
        body_i, lead_i, sup_i = cols
        leads: dict[str, list[str]] = {}
        sups: dict[str, list[str]] = {}
        for row in table.rows:
            body = _plain(row[body_i].text) if body_i < len(row) else ""
            for i, into in ((lead_i, leads), (sup_i, sups)):
                if not body or i is None or i >= len(row) or _plain(row[i].text) in _NONE:
                    continue
                for n in re.split(r"\s*[,;]\s*", _plain(row[i].text)):
                    into.setdefault(n, []).append(body)
        filled, unknown = 0, sorted(set(leads) | set(sups), key=lambda n: [int(x) for x in n.split(".")])
        for n in list(unknown):
            if len(by_ref.get(n, [])) != 1:
                continue
            unknown.remove(n)
            task = by_ref[n][0]
            if n in leads and not task.lead_as_written:
                task.lead_as_written = "; ".join(leads[n])
                filled += 1
            if n in sups and not task.support_as_written:
                task.support_as_written = "; ".join(sups[n])
        findings.append(
            Finding(
                "tasks_given_by_number",
                "info",
                f"The table at lines {table.line_start}-{table.line_end} gives tasks out by their numbers: "
                f"{filled} tasks took their lead from it"
                + (f"; numbers no single task has: {', '.join(unknown[:10])}" if unknown else "")
                + ".",
                table.line_start,
                table.line_end,
            )
        )
