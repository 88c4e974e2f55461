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


def assign_by_task_number(tables: list[RawTable], tasks: list[TaskRow], findings: list[Finding]) -> list[TaskRow]:
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
    return tasks


# "c) Phân công thực hiện: Giao Sở X chủ trì thực hiện nhiệm vụ (1) và (3), hoàn thành trong quý II/2026; …"
_GIVES_BY_NUMBER = re.compile(
    r"(?i)^(?:phân công(?:\s+thực hiện)?|tổ chức thực hiện|giao nhiệm vụ)\s*:\s*(?P<rest>\S.*)$"
)
_NUMBERED = re.compile(r"\((?P<n>\d{1,2})\)(?:\s*\((?P<when>[^()]{3,80})\))?")
_ROLE = re.compile(r"(?i)\s(?P<role>chủ\s*trì|phối\s*hợp)\b")
_WHEN_IN = re.compile(r"(?i)(?:hoàn thành|thực hiện)\s+(?P<when>(?:trong|trước|vào)\s+[^,;.()]{3,40}|thường\s+xuyên)")
_PARTNERS = re.compile(r"(?i)phối\s*hợp\s+với\s+(?P<who>[^;()]{3,200}?)(?=,\s*(?:hoàn thành|thực hiện)|[;.]|$)")


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in re.split(r";|(?<=[.])\s+(?=[A-ZĐÀ-Ỹ])", text) if c.strip()]


def assign_in_prose(tasks: list[TaskRow], findings: list[Finding]) -> list[TaskRow]:
    """A part that numbers its tasks "(1)", "(2)" and then gives them out in a paragraph ("Phân công thực hiện: Giao
    Sở Tài chính chủ trì nhiệm vụ (1) và (3), hoàn thành trong quý II/2026; Hiệp hội … phối hợp thực hiện nhiệm vụ
    (3). Thuế tỉnh chủ trì nhiệm vụ (2), thực hiện thường xuyên."): each numbered task of the same part takes the
    body, partners and deadline the paragraph names for its number; the paragraph itself is no task."""
    from pipelines.sources.plans.agency_text import agency_prefix, looks_like_agency

    out: list[TaskRow] = []
    for t in tasks:
        m = _GIVES_BY_NUMBER.match(collapse_ws(t.task_text))
        if m is None or not _NUMBERED.search(m["rest"]):
            out.append(t)
            continue
        part = [u for u in tasks if u is not t and u.section_as_written == t.section_as_written and u.task_ref]
        by_ref = {(u.task_ref or "").strip("()."): u for u in part}
        given = 0
        general_when = None
        for clause in _clauses(m["rest"]):
            nums = list(_NUMBERED.finditer(clause))
            if not nums:
                general_when = general_when or (
                    (w := _WHEN_IN.search(clause) or re.search(r"(?i)thời gian\s*:\s*(?P<when>[^.;]{3,40})", clause))
                    and w["when"]
                )
                continue
            role = _ROLE.search(" " + clause[: nums[0].start()])
            who, _ = agency_prefix(re.sub(r"(?i)^giao\s+", "", clause[: role.start()].strip()) if role else "")
            if role is None or who is None or not looks_like_agency(who):
                continue
            when = (w := _WHEN_IN.search(clause[nums[-1].end() :])) and w["when"]
            partners = (p := _PARTNERS.search(clause)) and p["who"].strip(" ,")
            tail_partner = re.search(r"(?i),\s*(?P<who>[^,;()]{3,120}(?:,[^,;()]{2,60})*?)\s+phối\s*hợp\s*$", clause)
            for n in nums:
                task = by_ref.get(n["n"])
                if task is None:
                    continue
                if role["role"].lower().startswith("chủ"):
                    task.lead_as_written = task.lead_as_written or who
                    task.support_as_written = (
                        task.support_as_written or partners or (tail_partner["who"].strip() if tail_partner else None)
                    )
                    task.timeline_text = task.timeline_text or n["when"] or when
                    given += 1
                else:
                    task.support_as_written = task.support_as_written or who
        if general_when:
            for u in part:
                if u.lead_as_written and not u.timeline_text:
                    u.timeline_text = general_when
        if given == 0:
            out.append(t)
            continue
        findings.append(
            Finding(
                "tasks_given_by_number",
                "info",
                f"The paragraph at line {t.line_start} gives {given} numbered tasks of its part out by their numbers.",
                t.line_start,
                t.line_end,
            )
        )
    return out
