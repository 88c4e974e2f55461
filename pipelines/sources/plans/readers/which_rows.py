"""Which rows of a plan are its tasks when parts of it name no one: the plan's assignments, not its directions. A
plan on no index that gives work by agency in its organisation section, or whose task sections are of two kinds (a
list of what is to be done, and the work given to agencies)."""

from __future__ import annotations

from pipelines.model import Finding
from pipelines.sources.plans.agency_text import looks_like_agency
from pipelines.sources.plans.readers.narrative import has_agency_lead


def assignments_or_solutions(n_tasks: list, table_tasks: list, by_agency: list, findings: list[Finding]) -> list:
    """Which rows are the tasks of a plan on no index when it also gives work by agency outside its task sections
    ("TỔ CHỨC THỰC HIỆN: 1. Sở Tư pháp: - …"). Where the tasks read so far name no one (under half have a lead), the
    agencies' items are the assignments and the solutions that name no one are the plan's directions. Where the
    tasks name their leads (in the sections or in an assignment table), the organisation section only restates
    duties. Not for an index plan: there the solutions listed under the index's dimensions are what the plan
    commits to, dimension by dimension, and the organisation section spreads the plan's general duties."""
    rows = n_tasks + table_tasks
    named = sum(1 for t in rows if has_agency_lead(t))
    if not by_agency:
        return n_tasks
    taken = {t.line_start for t in by_agency}
    if rows and named >= 0.5 * len(rows):
        # the tasks read so far name their leads: the agencies' items are more of the plan's assignments
        return sorted([t for t in n_tasks if t.line_start not in taken] + by_agency, key=lambda t: t.line_start)
    if len(by_agency) < 2:
        return n_tasks  # one item naming an agency does not make the rest directions
    unassigned = [t for t in n_tasks if not has_agency_lead(t) and not t.support_as_written]
    if unassigned:
        findings.append(
            Finding(
                "solutions_without_assignment",
                "info",
                f"{len(unassigned)} items of the task sections name no agency: read as the plan's directions; the "
                f"{len(by_agency)} items it gives to agencies are the tasks.",
                min(t.line_start for t in unassigned),
                max(t.line_end for t in unassigned),
            )
        )
    kept = [t for t in n_tasks if t not in unassigned and t.line_start not in taken]
    return sorted(kept + by_agency, key=lambda t: t.line_start)


def _assigned(t) -> bool:
    """The row names who does it (an agency, or any party a heading names: "Các tổ chức, cá nhân … có trách nhiệm");
    partners alone ("Phối hợp các chủ dự án …") do not say who leads."""
    return bool(t.lead_as_written) or looks_like_agency(t.task_text)  # "Đề nghị Văn phòng Tỉnh ủy … tăng cường …"


def sections_naming_no_one(n_tasks: list, spans: list[tuple[int, int]], findings: list[Finding]) -> list:
    """A plan on no index whose task sections are of two kinds: one lists what is to be done and names no one
    ("III. NỘI DUNG THỰC HIỆN: 1. Thành lập Ban chỉ đạo …"), another gives the work to agencies ("IV. NHIỆM VỤ CỤ
    THỂ: 1.2. Sở Tài chính: - …"). The assignments are the tasks; a section in which no item names anyone states the
    plan's content, not a second list of tasks."""
    groups = [[t for t in n_tasks if lo <= t.line_start <= hi] for lo, hi in spans]
    assigned = sum(1 for g in groups for t in g if _assigned(t))
    drop: list = []
    for g in groups:
        if g and not any(_assigned(t) for t in g) and assigned >= 3 and assigned >= 0.5 * (len(n_tasks) - len(g)):
            drop += g
    if not drop:
        return n_tasks
    findings.append(
        Finding(
            "solutions_without_assignment",
            "info",
            f"{len(drop)} items of a section that names no agency: read as the plan's content; the items the plan "
            f"gives to agencies ({assigned}) are the tasks.",
            min(t.line_start for t in drop),
            max(t.line_end for t in drop),
        )
    )
    gone = {id(t) for t in drop}
    return [t for t in n_tasks if id(t) not in gone]
