"""Contradictions a careful reader notices in any plan, whoever issued it: an issue date long before the years the plan
is for, the plan's own number attributed to another issuer, sub-item letters out of Vietnamese order or with a gap,
the same label twice in one table, the same task text in two sections. Each is a finding; nothing is changed."""

from __future__ import annotations

import re

from pipelines.model import Finding, TaskRow
from pipelines.sources.plans.decode import collapse_ws

# Vietnamese order of item letters (Decree 30/2020/NĐ-CP): đ follows d; f, j, w, z are not used
VI_LETTERS = "abcdđeghiklmnopqrstuvxy"
_LETTER = re.compile(r"^\s*(?P<m>[a-zđ])\)\s*")
_LEVEL_WORDS = {
    "tỉnh": "province",
    "thành phố": None,
    "huyện": "district",
    "quận": "district",
    "thị xã": "district",
    "xã": "commune",
    "phường": "commune",
    "thị trấn": "commune",
}
_OWN_ISSUER = re.compile(
    r"(?:Kế hoạch|Quyết định|Chương trình)\s+số\s*(?P<no>\d{1,5}\s*/\s*[A-ZĐ][\w\-]*)[^()\n]{0,60}?"
    r"của\s+(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+(?P<lvl>tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn)",
    re.IGNORECASE,
)


_CITED_DATE = re.compile(r"ngày\s+(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})")


def issue_date_findings(
    issue_date, plan_year_start: int | None, line: int | None, lines: list[str] | None = None
) -> list[Finding]:
    """An issue date more than a year before the plan's first year, or before the plan's year while the plan cites
    a document dated after it: one of the dates is mistyped."""
    import datetime as dt

    if issue_date is None or plan_year_start is None or issue_date.year >= plan_year_start:
        return []
    later = None
    for i, ln in enumerate((lines or [])[:60], start=1):
        if not re.match(r"\s*(Căn cứ|Thực hiện|Theo)", ln):
            continue
        for m in _CITED_DATE.finditer(ln):
            try:
                d = dt.date(int(m[3]), int(m[2]), int(m[1]))
            except ValueError:
                continue
            if d > issue_date and later is None:
                later = (d, i)
    if issue_date.year >= plan_year_start - 1 and later is None:
        return []
    why = f"; it cites a document dated {later[0].isoformat()} (line {later[1]})" if later else ""
    return [
        Finding(
            "issue_date_before_plan_year",
            "warning",
            f"Issued {issue_date.isoformat()}, before the first year the plan is for ({plan_year_start}){why}: "
            "one of the dates is likely mistyped.",
            line,
            line,
        )
    ]


def foreign_issuer_findings(
    lines: list[str], own_numbers: list[str], issuer_level: str | None, is_city: bool | None
) -> list[Finding]:
    """ "(Kèm theo Kế hoạch số 19/KH-UBND … của UBND tỉnh)" in a city's plan: its own number given to another issuer."""
    out: list[Finding] = []
    own = {re.sub(r"\s+", "", n) for n in own_numbers}
    if not own or issuer_level is None:
        return out
    for i, ln in enumerate(lines, start=1):
        if "/" not in ln or "của" not in ln or "số" not in ln:  # every number holds a "/": most lines have none
            continue
        for m in _OWN_ISSUER.finditer(ln):
            if re.sub(r"\s+", "", m["no"]) not in own:
                continue
            word = m["lvl"].lower()
            level = _LEVEL_WORDS[word]
            if level is None:  # "thành phố": a centrally-run city is a province, a provincial city a district
                level = "province" if is_city else "district" if issuer_level == "district" else issuer_level
            if level != issuer_level:
                out.append(
                    Finding(
                        "foreign_issuer_reference",
                        "warning",
                        f"Line {i} attributes this plan's own number {m['no'].replace(' ', '')} to "
                        f"'UBND {m['lvl']}', but the plan is issued at {issuer_level} level.",
                        i,
                        i,
                    )
                )
    return out


def _letter(text: str | None) -> str | None:
    m = _LETTER.match(text or "")
    return m["m"] if m else None


def table_label_findings(tasks: list[TaskRow]) -> list[Finding]:
    """Sub-item letters of a table's sub-dimension column, section by section: a label written twice on
    separate rows, a letter out of order, a letter skipped."""
    out: list[Finding] = []
    by_section: dict[tuple, list[tuple[str, str, int]]] = {}
    for t in tasks:
        if t.source_kind != "table" or not t.subsection_as_written:
            continue
        first = t.subsection_as_written.split("; ")[0]
        key = (t.reader, t.section_ref, t.section_as_written)
        seq = by_section.setdefault(key, [])
        if not seq or seq[-1][1] != first:
            seq.append((_letter(first) or "", first, t.line_start))
    for seq in by_section.values():
        seen: dict[str, int] = {}
        prev = None
        for letter, label, line in seq:
            if label in seen:
                out.append(
                    Finding(
                        "numbering_duplicate",
                        "warning",
                        f"Label '{label[:60]}' is written again at line {line} (first at line {seen[label]}).",
                        line,
                        line,
                    )
                )
                continue
            seen[label] = line
            if not letter or letter not in VI_LETTERS:
                continue
            if prev is not None:
                gap = VI_LETTERS.index(letter) - VI_LETTERS.index(prev)
                if gap <= 0:
                    out.append(
                        Finding(
                            "letter_sequence_order",
                            "warning",
                            f"Item {letter}) at line {line} comes after {prev}): out of order.",
                            line,
                            line,
                        )
                    )
                elif gap > 1:
                    out.append(
                        Finding(
                            "letter_sequence_gap",
                            "warning",
                            f"Item {letter}) at line {line} follows {prev}): "
                            f"{', '.join(VI_LETTERS[VI_LETTERS.index(prev) + 1 : VI_LETTERS.index(letter)])} "
                            "skipped (Vietnamese order a b c d đ e g h …).",
                            line,
                            line,
                        )
                    )
            prev = letter
    return out


def duplicate_task_findings(tasks: list[TaskRow]) -> list[Finding]:
    """The same task text, word for word, in two different sections."""
    out: list[Finding] = []
    first: dict[str, TaskRow] = {}
    for t in tasks:
        key = collapse_ws(t.task_text).lower().strip(" .;")
        if len(key) < 30:
            continue
        where = lambda x: (x.section_ref, x.section_as_written, x.subsection_as_written)  # noqa: E731
        if key in first and where(first[key]) != where(t):
            out.append(
                Finding(
                    "duplicate_task_text",
                    "warning",
                    f"Task at line {t.line_start} repeats the task at line {first[key].line_start} word for "
                    "word, in another section.",
                    t.line_start,
                    t.line_end,
                )
            )
        first.setdefault(key, t)
    return out


def table_number_findings(tasks: list[TaskRow]) -> list[Finding]:
    """Row numbers of one table group (1, 2, 4 …; 7 twice): a number skipped or written twice."""
    out: list[Finding] = []
    groups: dict[tuple, list[TaskRow]] = {}
    for t in tasks:
        if t.source_kind == "table" and t.task_ref and t.task_ref.isdigit():
            groups.setdefault((t.reader, t.section_ref, t.section_as_written), []).append(t)
    for rows in groups.values():
        seen: dict[int, int] = {}
        prev = None
        for t in rows:
            n = int(t.task_ref or "")  # grouped above: a numeric ref
            if n in seen:
                out.append(
                    Finding(
                        "numbering_duplicate",
                        "warning",
                        f"Row number {n} at line {t.line_start} is used twice (first at line {seen[n]}).",
                        t.line_start,
                        t.line_start,
                    )
                )
            elif prev is not None and n > prev + 1:
                out.append(
                    Finding(
                        "numbering_gap",
                        "warning",
                        f"Row {n} at line {t.line_start} follows row {prev}: {n - prev - 1} number(s) skipped.",
                        t.line_start,
                        t.line_start,
                    )
                )
            seen.setdefault(n, t.line_start)
            prev = max(prev or 0, n)
    out.extend(_gaps_between_groups(tasks))
    return out


def _gaps_between_groups(tasks: list[TaskRow]) -> list[Finding]:
    """A table numbered straight through its groups (I: 1-3, II: 4-6, III: 7 …): a group that starts more than one
    past the end of the one before skips numbers. Only when every other boundary of that reader's groups continues
    the count; tables that restart at 1 in each group are left alone."""
    out: list[Finding] = []
    groups: dict[tuple, list[tuple[int, TaskRow]]] = {}
    for t in tasks:  # every table task, numbered or not (-1): a group whose first row has no number is not compared
        m = re.match(r"(\d+)(?:\.[a-zđ])?$", t.task_ref or "")
        if t.source_kind == "table":
            groups.setdefault((t.reader, t.section_ref, t.section_as_written), []).append((int(m[1]) if m else -1, t))
    by_reader: dict[str, list[list[tuple[int, TaskRow]]]] = {}
    for rows in sorted(groups.values(), key=lambda g: g[0][1].line_start):
        by_reader.setdefault(rows[0][1].reader, []).append(rows)
    for seq in by_reader.values():
        # the row that closes a group and the one that opens the next, both numbered ones (a lettered sub-row of a
        # lead-in row carries no number of its own)
        bounds = [(a[-1][0], b[0]) for a, b in zip(seq, seq[1:])]
        bounds = [(last, first) for last, first in bounds if last >= 0 and first[0] >= 0]
        jumps = [(last, first) for last, first in bounds if first[0] > last + 1]
        continuing = sum(first[0] == last + 1 for last, first in bounds)
        if len(bounds) < 3 or continuing < len(bounds) - len(jumps) or len(jumps) * 3 > len(bounds):
            continue
        for last, (n, first) in jumps:
            out.append(
                Finding(
                    "numbering_gap",
                    "warning",
                    f"Row {n} at line {first.line_start} opens its group after row {last}, the end of the group "
                    f"before: {n - last - 1} number(s) skipped (the table is numbered straight through its groups).",
                    first.line_start,
                    first.line_start,
                )
            )
    return out
