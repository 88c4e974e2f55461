"""Tables into tasks: one conversion for every layout's `RawTable` (column roles, merged cells, lettered
sub-rows, lost section headings, group rows, continued rows). The layouts themselves are tokenised in
formats/text_tables.py."""

from __future__ import annotations

import re
from functools import lru_cache

from pipelines.model import Finding, TaskRow
from pipelines.sources.plans.agency_text import looks_like_agency, names_a_body, time_only
from pipelines.sources.plans.assignment_lines import stacked_fields
from pipelines.sources.plans.decode import collapse_ws
from pipelines.sources.plans.lines import html_to_text, strip_markup
from pipelines.sources.plans.readers.merged_cells import fill_merged
from pipelines.sources.plans.readers.table_cells import (
    attribute_rows,
    bold_lead,
    closing_assignment,
    combined_cells,
    split_lettered_cells,
)
from pipelines.sources.plans.table_model import (
    _AGENCY_WORDS,
    _DATE_LIKE,
    _FIGURE,
    _GROUP_WORDS,
    _LETTER_REF,
    _LETTER_START,
    _REF,
    _ROMAN_REF,
    _TASK_HEADER,
    BODIES_ONLY,
    Cell,
    RawTable,
    header_roles,
    label_key,
    label_role,
)

# ---------------------------------------------------------------- one conversion for all layouts


_FORM_LABEL = re.compile(r"^[^\d:]{2,40}:$")  # a label in the number column ("Địa chỉ:"): never a task's number


@lru_cache(maxsize=1 << 16)  # every cell is cleaned again by each role asked of its row
def _clean(text: str) -> str:
    return collapse_ws(strip_markup(text.replace("\n", " ")))


def is_table_of_figures(table: RawTable, roles: list[str | None]) -> bool:
    """A table of results (points per criterion, a ranking of agencies, rates by year), not of tasks: no column
    assigns work (lead, coordinator, timeline, output), at least one other column is mostly figures, and the
    label column holds short labels rather than task sentences."""
    assigning = [
        r
        for i, r in enumerate(roles)
        if r in ("support", "timeline", "output")
        or r == "lead"
        and not (i < len(table.header) and BODIES_ONLY.match(label_key(table.header[i])))
    ]
    if assigning or "task" not in roles or not table.rows:
        return False  # a column of bodies alone ("Cơ quan, đơn vị") may be what a table of figures ranks
    if any(_SCORING.search(label_key(h)) for h in table.header):
        return True  # "TIÊU CHÍ THI ĐUA | ĐIỂM CHUẨN | HƯỚNG DẪN CHẤM ĐIỂM": criteria and their points, not work
    i_task = roles.index("task")
    if i_task < len(table.header) and _TASK_HEADER.search(collapse_ws(strip_markup(table.header[i_task])).lower()):
        return False  # a column headed "Nhiệm vụ" holds tasks, even beside a column of figures (budget, quantity)
    labels = sorted(len(_clean(r[i_task].text)) for r in table.rows if i_task < len(r) and r[i_task].text.strip())
    if not labels or labels[len(labels) // 2] >= 80:
        return False
    for i, role in enumerate(roles):
        if role is not None:
            continue
        cells = [_clean(r[i].text) for r in table.rows if i < len(r) and r[i].text.strip()]
        if len(cells) >= 2 and sum(bool(_FIGURE.match(c)) for c in cells) >= 0.7 * len(cells):
            return True
    return False


_SCORING = re.compile(r"điểm chuẩn|điểm tối đa|thang điểm|số điểm|chấm điểm|điểm tự chấm")
_COLUMN_NUMBER = re.compile(r"^\(?(?:\d{1,2}|[A-Z])\)?$")


def is_column_numbering(row: list[Cell]) -> bool:
    """The row under a header that numbers its columns: (1) (2) (3) … or 1 2 3 …, or (A) (B) …"""
    texts = [_clean(c.text) for c in row if not c.blank]
    if len(texts) < 3 or not all(_COLUMN_NUMBER.match(t) for t in texts):
        return False
    nums = [int(t.strip("()")) for t in texts if t.strip("()").isdigit()]
    return len(nums) < len(texts) or nums == list(range(nums[0], nums[0] + len(nums)))


def _refs_number_rows(table: RawTable, col: dict[str, int]) -> bool:
    """In a table with a dimension column, the number column numbers either the dimensions (a number only where a
    new dimension starts) or the rows (a number on a row that continues the dimension above: repeated or blank)."""
    i_ref, i_sec = col.get("ref"), col["section"]
    if i_ref is None:
        return False
    prev_sec = None
    for row in table.rows:
        ref = _clean(row[i_ref].text) if i_ref < len(row) else ""
        sec = _clean(row[i_sec].text) if i_sec < len(row) else ""
        if ref and _REF.match(ref) and prev_sec is not None and (not sec or sec == prev_sec):
            return True
        prev_sec = sec or prev_sec
    return False


def _norm_ref(ref: str) -> str:
    return ref.strip().rstrip(".")


# a label with its own number or none: "I. NÂNG CAO …", "3. Trách nhiệm giải trình …", "Tính minh bạch"
_NUMBERED_LABEL = re.compile(r"^(?:(?P<r>[IVX]{1,4}|\d{1,2}(?:\.\d{1,2})*)[.)]\s*)?(?P<t>\S.{3,})$", re.DOTALL)
_SUBGROUP_WORDS = re.compile(
    r"(?i)^(?:\d{1,2}(?:\.\d{1,2})+[.)]?\s*|[a-zđ]\)\s*)?(?:nội dung thành phần|chỉ số thành phần|"
    r"tiêu chí thành phần)"
)


def _is_group_row(ref: str, task: str, others: list[str], nxt_task: str) -> str | None:
    """A row that spans the table and heads the rows below it: 'section' or 'subsection', else None.
    A task row whose merged cells came out blank has the same shape, so a group row must also look like one:
    a Roman number, capitals, or the words that open dimension, area and criterion names."""
    if any(others) or not task or len(task) > 200:
        return None
    if _SUBGROUP_WORDS.match(task) or (ref and "." in ref.rstrip(".") and _GROUP_WORDS.match(task)):
        return "subsection"
    letters = sum(1 for ch in task if ch.isalpha())
    if (
        _ROMAN_REF.match(ref)
        or (letters and sum(1 for ch in task if ch.isupper()) >= 0.8 * letters)
        or _GROUP_WORDS.match(task)
    ):
        return "section"
    return None


def _move_misplaced(d: dict, findings: list[Finding]) -> None:
    """A timeline that slid into the coordinator column (a column lost in the export) goes back, with a finding."""
    sup = d.get("support")
    if sup and not d.get("timeline") and _DATE_LIKE.search(sup) and not _AGENCY_WORDS.match(sup) and len(sup) < 80:
        d["timeline"], d["support"] = sup, None
        findings.append(
            Finding(
                "value_moved",
                "info",
                f"'{sup[:50]}' at line {d['line_start']} stands in the coordinator column but is a "
                "timeline; read as the timeline.",
                d["line_start"],
                d["line_end"],
            )
        )


def table_to_tasks(table: RawTable, section_lookup) -> tuple[list[TaskRow], list[Finding]]:
    """`section_lookup(group, task_texts)` -> (heading or None, inferred) for tables whose section headings were
    lost (no section column). Returns the tasks and the reader's findings."""
    reader = _TableWalk(table)
    _join_continued_rows(table, reader.roles, reader.findings)
    split_lettered_cells(table, reader.roles, reader.findings)
    attribute_rows(table, reader.roles, reader.findings)
    if is_table_of_figures(table, reader.roles):
        reader.findings.append(
            Finding(
                "table_of_figures",
                "info",
                f"Table at lines {table.line_start}-{table.line_end} ('{' | '.join(table.header)[:80]}') "
                "holds figures (scores, rates, ranks) against short labels, with no lead, "
                "coordinator, timeline or output column: read as results, not tasks.",
                table.line_start,
                table.line_end,
            )
        )
        return [], reader.findings
    drafts = reader.drafts()
    # a merged cell in a column left of the section column spans rows of several sections (an agency-first table)
    outer = {k for k, i in reader.col.items() if reader.has_section_col and i < reader.col["section"]}
    fill_merged(drafts, reader.has_section_col, reader.findings, outer)
    return _task_rows(table, drafts, reader.has_section_col, section_lookup), reader.findings


def _join_continued_rows(table: RawTable, roles: list[str | None], findings: list[Finding]) -> None:
    """A row with no number whose task words go on in lower case from the row above ("người dân ngay sau khi …")
    is the rest of that row, wrapped by the export: each of its cells is joined to the same cell above."""
    if "task" not in roles:
        return
    ti = roles.index("task")
    ri = roles.index("ref") if "ref" in roles else None
    out: list[list[Cell]] = []
    joined = 0
    for row in table.rows:
        task = row[ti].text.strip() if ti < len(row) else ""
        prev = out[-1] if out else None
        if (
            prev is not None
            and (ri is None or ri >= len(row) or row[ri].blank)
            and task[:1].islower()
            and not _LETTER_START.match(task)
            and ti < len(prev)
            and not prev[ti].blank
        ):
            for k, c in enumerate(row[: len(prev)]):
                if c.blank:
                    continue
                above = prev[k]
                above.text = f"{above.text} {c.text.strip()}" if above.text.strip() else c.text.strip()
                above.line_start = min(above.line_start, c.line_start) if not above.blank else c.line_start
                above.line_end = max(above.line_end, c.line_end)
            joined += 1
            continue
        out.append(row)
    if joined:
        table.rows = out
        findings.append(
            Finding(
                "table_row_continued",
                "info",
                f"{joined} rows of the table at lines {table.line_start}-{table.line_end} continue the row above "
                "(no number, words going on in lower case): joined to it.",
                table.line_start,
                table.line_end,
            )
        )


def _row_lines(row: list[Cell]) -> tuple[int, int]:
    """The lines a table row spans: those of its non-blank cells (of its first and last cell when all are blank)."""
    filled = [c for c in row if not c.blank]
    if not filled:
        return row[0].line_start, row[-1].line_end
    return min(c.line_start for c in filled), max(c.line_end for c in filled)


_FAMILY_VALUE = re.compile(
    r"(?i)^(?:chỉ số\s+)?(?:papi|par\s*index|sipas|pci|cchc|cải cách hành chính|hài lòng)\b.{0,40}$"
)


def _one_per_line(cell: str) -> str | None:
    """A cell naming one body a line: the bodies set apart with "; " (the cleaning joins lines with a space)."""
    if "\n" not in cell and "<br" not in cell:  # one line: one body at most
        return None
    parts = [_clean(x) for x in re.split(r"\n|<br\s*/?>", cell) if _clean(x)]
    if len(parts) < 2 or not all(looks_like_agency(x) for x in parts):
        return None
    return "; ".join(x.rstrip(" ,;.") for x in parts)


def _family_column(table: RawTable, roles: list[str | None]) -> int | None:
    """The section column when its cells only name an index (PAR Index, SIPAS …) and another column is labelled as a
    section too ("Lĩnh vực"): a column of index families, with the finer section beside it."""
    if "section" not in roles:
        return None
    i = roles.index("section")
    if not any(j != i and roles[j] is None and label_role(h) == "section" for j, h in enumerate(table.header)):
        return None
    values = [_clean(r[i].text) for r in table.rows if i < len(r) and _clean(r[i].text).strip(" -–—")]
    return i if values and all(_FAMILY_VALUE.match(v) for v in values) else None


class _TableWalk:
    """Reads a table's rows top to bottom into task drafts (dicts, filled in further by _fill_merged), keeping the
    current section, sub-section and numbered heading row that the rows below belong to."""

    def __init__(self, table: RawTable):
        self.table = table
        self.roles = header_roles(table.header) or []
        self.col = {r: i for i, r in enumerate(self.roles) if r}
        self.family_col = _family_column(table, self.roles)
        if self.family_col is not None:
            # "Thuộc chỉ số" over "Chỉ số | Lĩnh vực": the index each row is on, then its area; the area is the
            # section, the index stands for it where the area is left blank ("SIPAS | -")
            self.col["section"] = next(
                j for j, h in enumerate(table.header) if j != self.family_col and label_role(h) == "section"
            )
        self.findings = list(table.findings)
        self.has_section_col = "section" in self.col
        self.refs_number_rows = False
        self.prev: dict | None = None
        self.cur_section: str | None = None
        self.cur_section_ref: str | None = None
        self.cur_sub: str | None = None
        self.group_section = False  # sections come from spanning group rows
        self.group_agency: str | None = None  # a group row that names a body ("I. SỞ NỘI VỤ") in a table with no lead
        self.sub_blank_since = False  # a task row with a blank sub-dimension cell since the label was last written
        self.sub_written_at = 0
        self.parent_ref: str | None = None
        self.parent_text: str | None = None
        self.parent_attrs: dict[str, str] = {}

    def get(self, row: list[Cell], role: str) -> str:
        i = self.col.get(role)
        v = _clean(row[i].text) if i is not None and i < len(row) else ""
        if role == "section" and self.family_col is not None and not v.strip(" -–—") and self.family_col < len(row):
            v = _clean(row[self.family_col].text)
        return v

    def drafts(self) -> list[dict]:
        self.refs_number_rows = self.has_section_col and _refs_number_rows(self.table, self.col)
        out: list[dict] = []
        for ri, row in enumerate(self.table.rows):
            if is_column_numbering(row):
                continue
            d = self._read_row(ri, row)
            if d is not None:
                out.append(d)
                self.prev = d
        return out

    def _read_row(self, ri: int, row: list[Cell]) -> dict | None:
        """The row's task draft, or None for a heading row or a row without a task (state updated either way)."""
        col, rows = self.col, self.table.rows
        ref = self.get(row, "ref")
        if _FORM_LABEL.match(ref):
            return None  # "Địa chỉ:" | … | "Điện thoại:" | …: a form's labels and values (a site's footer), no row
        sec = self.get(row, "section") if self.has_section_col else ""
        sub_cell = self.get(row, "subsection")
        task = _clean(html_to_text(row[col["task"]].text if "task" in col else ""))
        others = [self.get(row, r) for r in ("output", "lead", "support", "timeline", "note") if r in col]
        if (
            ref
            and not task
            and not sec
            and not sub_cell
            and not any(others)
            and not _REF.match(ref)
            and not _LETTER_REF.match(ref)
        ):
            # a row spanning the table (colspan) keeps its text in the first cell, the number column
            # only when it reads as a group heading; other text alone in that cell stays a row without a task
            m_head = _NUMBERED_LABEL.match(_clean(html_to_text(row[col["ref"]].text)))
            if m_head and _is_group_row(m_head["r"] or "", m_head["t"], others, ""):
                ref, task = m_head["r"] or "", m_head["t"]
        elif (
            not task and not sec and not sub_cell and sum(1 for o in others if o) == 1 and (not ref or _REF.match(ref))
        ):
            # a spanning row whose text landed in the first cell after the number, whatever that column is
            # ("I | THAM GIA CỦA NGƯỜI DÂN …" under "STT | Cơ quan chủ trì | Nội dung …"): a heading if it reads as one
            text = next(o for o in others if o)
            if _is_group_row(ref, text, [], ""):
                task, others = text, ["" for _ in others]
        line_start, line_end = _row_lines(row)
        if self.has_section_col and sec and not (self.refs_number_rows and sec == self.cur_section):
            sub_cell = self._section_cell(sec, ref, sub_cell)
        nxt_task = _clean(rows[ri + 1][col["task"]].text) if ri + 1 < len(rows) and "task" in col else ""
        # rows that span the table: a dimension / area / sub-dimension heading, never a task
        kind = _is_group_row(ref, task, [*others, sub_cell], nxt_task) if not sec else None
        if kind is not None:
            self._group_row(kind, task, ref)
            return None
        self._sub_label(sub_cell, task, line_start)
        letter = None
        m = _LETTER_START.match(task)
        if m:
            letter, task = m["m"], collapse_ws(m["t"])
        elif _LETTER_REF.match(ref):
            letter, ref = ref[0], ""
        if ref and not self.has_section_col and not self.group_section:
            self.parent_ref, self.parent_text, self.parent_attrs = _norm_ref(ref), None, {}
        nxt_ref = self.get(rows[ri + 1], "ref") if ri + 1 < len(rows) else ""
        if self._heading_row(row, ref, task, letter, others, nxt_ref, nxt_task):
            return None
        if not task:
            self._row_without_task(sub_cell, others, line_start, line_end)
            return None
        return self._draft(row, ref, task, letter, sub_cell, line_start, line_end)

    def _section_cell(self, sec: str, ref: str, sub_cell: str) -> str:
        """A filled section column opens a section (or, lettered, a sub-dimension); returns the sub-section cell."""
        if _LETTER_START.match(sec) and not sub_cell:
            # a sub-dimension label written in the dimension column ("a) Tri thức công dân")
            sub_cell = sec
            if ref and not self.refs_number_rows:
                self.cur_section, self.cur_section_ref = None, _norm_ref(ref)
        else:
            self.cur_section = sec
            if self.refs_number_rows:  # the dimension's own number, as written in its cell ("3. Trách nhiệm …")
                m_num = _NUMBERED_LABEL.match(sec)
                self.cur_section_ref = m_num["r"] if m_num else None
            else:
                self.cur_section_ref = _norm_ref(ref) if ref else None
        self.cur_sub = None
        return sub_cell

    def _group_row(self, kind: str, task: str, ref: str) -> None:
        if "lead" not in self.col:
            # a table with no lead column grouped by body: the group's body leads its rows
            self.group_agency = task if names_a_body(task) else None
        if kind == "section":
            self.cur_section, self.cur_section_ref, self.cur_sub = task, _norm_ref(ref) if ref else None, None
            self.group_section = True
            self.parent_ref, self.parent_text = (_norm_ref(ref) if ref else None), None
            self.prev = None
        else:  # a sub-section
            self.cur_sub, self.parent_text = task, None
            self.prev = None if self.prev is None or self.prev["section_key"] != self.cur_section else self.prev

    def _sub_label(self, sub_cell: str, task: str, line_start: int) -> None:
        """The current sub-section label; one written again below its own merged block is a numbering_duplicate."""
        if sub_cell:
            if sub_cell == self.cur_sub and self.sub_blank_since and task:
                # a column that writes its label once per merged block, here written again below its own block
                self.findings.append(
                    Finding(
                        "numbering_duplicate",
                        "warning",
                        f"Label '{sub_cell[:60]}' is written again at line {line_start} "
                        f"(first at line {self.sub_written_at}).",
                        line_start,
                        line_start,
                    )
                )
            if sub_cell != self.cur_sub:
                self.sub_written_at = line_start
            self.cur_sub, self.sub_blank_since = sub_cell, False
        elif task:
            self.sub_blank_since = True

    def _heading_row(
        self, row: list[Cell], ref: str, task: str, letter: str | None, others: list[str], nxt_ref: str, nxt_task: str
    ) -> bool:
        """A numbered row that heads the lettered rows below it: remembered as their parent, not a task."""
        if ref and task.endswith(":") and letter is None and _LETTER_REF.match(nxt_ref):
            # "5. Thực hiện công khai …, gồm:" over "a)", "b)" rows: their heading; its cells hold for them
            self.parent_ref, self.parent_text = _norm_ref(ref), task.rstrip(" :")
            self.parent_attrs = {
                k: self.get(row, k) for k in ("lead", "support", "timeline", "output") if self.get(row, k)
            }
            return True
        if (
            ref
            and task
            and letter is None
            and not any(others)
            and _LETTER_START.match(nxt_task)
            and not self.has_section_col
        ):
            self.parent_text = task  # a numbered row that only heads its lettered sub-rows
            return True
        return False

    def _row_without_task(self, sub_cell: str, others: list[str], line_start: int, line_end: int) -> None:
        prev = self.prev
        if prev is not None and sub_cell and prev["section_key"] == self.cur_section and not any(others):
            prev["subsections"].append(sub_cell)
            prev["line_end"] = max(prev["line_end"], line_end)
            self.findings.append(
                Finding(
                    "merged_task_cell",
                    "info",
                    f"Row at line {line_start} ('{sub_cell[:50]}') has a blank task cell: "
                    "read as merged with the task above.",
                    line_start,
                    line_end,
                )
            )
        elif any(others) or sub_cell:
            self.findings.append(
                Finding(
                    "table_row_without_task",
                    "warning",
                    f"Table row at line {line_start} has no task text; not read as a task.",
                    line_start,
                    line_end,
                )
            )

    def _cell_roles(self, row: list[Cell], d: dict) -> None:
        """Who does the work, as one cell writes it: a body a line, the body in bold among others, labels stacked."""
        for role in ("lead", "support"):
            j = self.col.get(role)
            if j is not None and j < len(row) and d.get(role) and (listed := _one_per_line(row[j].text)):
                d[role] = listed  # "Sở Nội vụ" / "Văn phòng UBND tỉnh" / "Thanh tra tỉnh", a body a line: kept apart
        if (i := self.col.get("lead")) is not None and i < len(row) and (marked := bold_lead(row[i].text)):
            d["lead"], d["support"] = marked[0], d["support"] or marked[1]
        else:
            for role in ("lead", "support", "output", "note", "timeline"):
                j = self.col.get(role)
                if j is not None and j < len(row) and "\n" in row[j].text and (stacked := stacked_fields(row[j].text)):
                    # "CHỦ TRÌ" / "Sở Nội vụ" / "PHỐI HỢP" / … / "THỜI HẠN" / "Quý II/2026" stacked in one cell
                    d[role] = None
                    d.update(stacked)
                    break

    def _draft(
        self, row: list[Cell], ref: str, task: str, letter: str | None, sub_cell: str, line_start: int, line_end: int
    ) -> dict:
        has_section_col, group_section, parent_ref = self.has_section_col, self.group_section, self.parent_ref
        if has_section_col or group_section:
            task_ref = (
                _norm_ref(ref) if (ref and ((group_section and not has_section_col) or self.refs_number_rows)) else None
            )
        elif letter:
            task_ref = f"{parent_ref}.{letter}" if parent_ref else letter
        else:
            task_ref = _norm_ref(ref) if ref else None
        sub_filled = False
        subs = [sub_cell] if sub_cell else []
        if not subs and self.cur_sub and (has_section_col or group_section or "subsection" in self.col):
            # a blank cell in the sub-dimension column is the merged cell above (within its section)
            subs = [self.cur_sub]
            sub_filled = not sub_cell and self.prev is not None and self.prev["section_key"] == self.cur_section
        d: dict = {
            "task_ref": task_ref,
            "section_key": self.cur_section,
            "section_ref": self.cur_section_ref
            if (has_section_col or group_section)
            else (parent_ref.split(".")[0] if parent_ref else None),
            "section": self.cur_section,
            "subsections": subs,
            "parent_text": self.parent_text if letter else None,
            "task_text": task,
            "output": self.get(row, "output") or None,
            "lead": self.get(row, "lead") or self.group_agency,
            "support": self.get(row, "support") or None,
            "timeline": self.get(row, "timeline") or None,
            "note": self.get(row, "note") or None,
            "line_start": line_start,
            "line_end": line_end,
        }
        self._cell_roles(row, d)
        combined_cells(d)
        closing_assignment(d)
        if not d["timeline"] and self.cur_section and (when := time_only(self.cur_section)):
            d["timeline"] = when  # a group row that is only a time ("Quý I năm 2026") over the rows it heads
        if letter and self.parent_attrs:
            for k, v in self.parent_attrs.items():
                if not d.get(k):
                    d[k] = v
                    self.findings.append(
                        Finding(
                            "merged_cell_inherited",
                            "info",
                            f"Blank {k} cell of sub-row {letter}) at line {line_start} read as "
                            f"its heading row's: '{v[:50]}'.",
                            line_start,
                            line_end,
                        )
                    )
        _move_misplaced(d, self.findings)
        if sub_filled and sub_cell == "" and (has_section_col or "subsection" in self.col):
            self.findings.append(
                Finding(
                    "merged_cell_inherited",
                    "info",
                    f"Blank sub-dimension cell at line {line_start} read as the merged cell "
                    f"above: '{(self.cur_sub or '')[:50]}'.",
                    line_start,
                    line_end,
                )
            )
        return d


def _task_rows(table: RawTable, drafts: list[dict], has_section_col: bool, section_lookup) -> list[TaskRow]:
    """The drafts as task rows; a table without a section column asks `section_lookup` for its lost headings."""
    tasks: list[TaskRow] = []
    groups: dict[str, list[dict]] = {}
    for d in drafts:
        groups.setdefault(d["section_ref"] or "", []).append(d)
    for d in drafts:
        sec_name, inferred, heading = d["section"], False, d["section"]
        if not has_section_col and d["section"] is None and d["section_ref"]:
            sec_name, inferred = section_lookup(d["section_ref"], [x["task_text"] for x in groups[d["section_ref"]]])
            heading = sec_name
        sub = "; ".join(dict.fromkeys(d["subsections"])) if d["subsections"] else d["parent_text"]
        tasks.append(
            TaskRow(
                task_ref=d["task_ref"],
                source_kind="table",
                reader=table.reader,
                section_ref=d["section_ref"],
                section_as_written=sec_name,
                section_heading=heading,
                subsection_as_written=sub,
                family_context=None,
                task_text=d["task_text"],
                output_text=d["output"],
                lead_as_written=d["lead"],
                support_as_written=d["support"],
                timeline_text=d["timeline"],
                note_text=d["note"],
                line_start=d["line_start"],
                line_end=d["line_end"],
                section_inferred=inferred,
            )
        )
    return tasks
