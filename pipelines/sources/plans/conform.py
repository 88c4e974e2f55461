"""What a document says never stops a release: values that fall outside the warehouse's contracts are dealt with
here, where the rows are made, and become findings.

The staging contracts (pipelines/quality/schemas.py) stay blocking, but only for what the pipeline itself guarantees. A
document's content (a type word nobody listed, a header cell read as a task, a year typed 1025) is checked by the
rules below, which mirror those contracts: a task row that fails is left out with a finding naming its lines, a
metadata value that fails is set to NULL with a finding quoting it. So every file still ends as a document and the
rest of the build publishes.
"""

from __future__ import annotations

import datetime as dt
import re

from pipelines.model import Finding, TaskRow

# Every type of document the state issues: legal normative documents (Law 80/2015/QH13, art. 4) and administrative
# documents (Decree 30/2020/NĐ-CP, art. 7), plus a portal's news item and "Khác" for a type word outside both lists.
DOC_TYPE_VALUES = (
    "Quyết định",
    "Kế hoạch",
    "Báo cáo",
    "Chương trình",
    "Đề án",
    "Thông báo",
    "Chỉ thị",
    "Nghị quyết",
    "Tờ trình",
    "Công văn",
    "Hướng dẫn",
    "Quy định",
    "Quy chế",
    "Nghị định",
    "Thông tư",
    "Thông tư liên tịch",
    "Luật",
    "Bộ luật",
    "Pháp lệnh",
    "Lệnh",
    "Phương án",
    "Dự án",
    "Biên bản",
    "Công điện",
    "Thông cáo",
    "Hợp đồng",
    "Giấy mời",
    "Văn bản hợp nhất",
    "Tin bài",
    "Khác",
)
OTHER_DOC_TYPE = "Khác"
ISSUER_LEVELS = ("national", "central", "province", "district", "commune")
# The warehouse holds documents and plan years from 2000 to 2100 (its contracts); a date outside, read from a
# document (a cited old law's year, a typing slip), is a finding and an empty value, never a stop.
FIRST_DATE, LAST_YEAR = dt.date(2000, 1, 1), 2100
MIN_TASK_CHARS = 3  # the shortest task text stg_plan_tasks accepts ("Sở", "TT", "I." are pieces of rows)
_LETTER = re.compile(r"[^\W\d_]{2}")


def task_row_problem(task: TaskRow) -> str | None:
    """Why a row a reader produced cannot be a task (None when it can): a header cell, a group number or the
    first word of a split line."""
    text = task.task_text.strip()
    if len(text) < MIN_TASK_CHARS:
        return f"its text {text!r} is under {MIN_TASK_CHARS} characters"
    if not _LETTER.search(text):
        return f"its text {text!r} holds no word"
    return None


def conform_tasks(tasks: list[TaskRow]) -> tuple[list[TaskRow], list[Finding]]:
    """The rows that can be tasks, and a warning for each one left out."""
    kept, findings = [], []
    for t in tasks:
        why = task_row_problem(t)
        if why is None:
            kept.append(t)
        else:
            findings.append(
                Finding(
                    "task_row_rejected",
                    "warning",
                    f"A row read at lines {t.line_start}-{t.line_end} is not taken as a task: {why} "
                    "(a header cell, a group number or a piece of a split line).",
                    t.line_start,
                    t.line_end,
                )
            )
    return kept, findings


def conform_metadata(meta: dict) -> list[Finding]:
    """Metadata values outside the contracts become NULL (or 'Khác' for a type word), each with a finding.
    `meta` is changed in place."""
    out = []

    def drop(key: str, what: str) -> None:
        out.append(Finding("metadata_rejected", "warning", f"{what} {meta[key]!r} is not kept: {key} left empty."))
        meta[key] = None

    if meta.get("doc_type") is not None and meta["doc_type"] not in DOC_TYPE_VALUES:
        out.append(
            Finding(
                "doc_type_unrecognised",
                "info",
                f"Document type {meta['doc_type']!r} is none of the state's document types: recorded as "
                f"'{OTHER_DOC_TYPE}'.",
            )
        )
        meta["doc_type"] = OTHER_DOC_TYPE
    if meta.get("issuer_level") is not None and meta["issuer_level"] not in ISSUER_LEVELS:
        drop("issuer_level", "Issuer level")
    code = meta.get("province_code")
    if code is not None and not (isinstance(code, str) and len(code) == 2 and code.isdigit()):
        drop("province_code", "Province code")
    for key in ("plan_year_start", "plan_year_end"):
        y = meta.get(key)
        if y is not None and not FIRST_DATE.year <= y <= LAST_YEAR:
            drop(key, "Plan year")
    d = meta.get("issue_date")
    if d is not None and not FIRST_DATE <= d <= dt.date(LAST_YEAR, 12, 31):
        drop("issue_date", "Issue date")
    return out


def target_problem(row: dict) -> str | None:
    """Why a numeric target read from a plan cannot stand in stg_plan_targets (None when it can)."""
    if row["unit"] == "percent" and row["value"] > 100:
        return f"{row['value']:g} % is more than the whole (a rate or a formula, not a share to reach)"
    if row["value"] < 0:
        return f"a negative value {row['value']:g}"
    return None


def quoted_score_problem(row: dict) -> str | None:
    """Why a PAPI score a plan quotes cannot be a PAPI score (None when it can): outside the index's scale or years."""
    if row["score"] is not None and not 0 <= row["score"] <= 80:
        return f"{row['score']:g} is outside the PAPI scale (at most 80)"
    if not 2006 <= row["year"] <= LAST_YEAR:
        return f"PAPI has no year {row['year']}"
    return None


def conform_year(year: int | None) -> int | None:
    """A year a text states, or None when no state document could mean it."""
    return year if year is not None and FIRST_DATE.year <= year <= LAST_YEAR else None
