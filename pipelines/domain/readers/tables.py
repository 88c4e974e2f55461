"""Readers for task tables. Each layout has a small tokenizer into `RawTable`; one function turns
any `RawTable` into TaskRows (column roles, merged cells, lettered sub-rows, lost section headings).

Layouts:
- pipe: one cell per line ending in " |", a lone "|" or "||||" for empty cells, rows not delimited;
- tab, cell per line: each cell on a line starting with a tab, continuation lines without one,
  a blank line between rows;
- tab, row per line: cells separated by tabs on one line, cells may hold HTML fragments.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..decode import collapse_ws
from ..lines import html_to_text, strip_markup
from ..model import Finding, TaskRow

_REF = re.compile(r"^(?:[IVX]{1,4}|\d{1,2}(?:\.\d{1,2})*)\.?$")
_LETTER_START = re.compile(r"^(?P<m>[a-zđ])\)\s*(?P<t>\S.*)$", re.DOTALL)

_ROLE_RULES: list[tuple[str, re.Pattern]] = [
    ("ref", re.compile(r"^(stt|tt|số tt|số thứ tự)$")),
    ("subsection", re.compile(r"thành phần")),
    ("lead", re.compile(r"chủ trì|chịu trách nhiệm|đơn vị thực hiện|cơ quan thực hiện")),
    ("support", re.compile(r"phối hợp")),
    ("output", re.compile(r"sản phẩm|kết quả đầu ra|hình thức văn bản")),
    ("timeline", re.compile(r"thời gian|thời hạn|tiến độ|hoàn thành")),
    ("note", re.compile(r"ghi chú")),
    ("task", re.compile(r"nhiệm vụ|giải pháp|công việc|hoạt động")),
    ("section", re.compile(r"chỉ số|lĩnh vực|tiêu chí|nội dung")),
]


@dataclass
class Cell:
    text: str
    line_start: int
    line_end: int

    @property
    def blank(self) -> bool:
        return not self.text.strip()


@dataclass
class RawTable:
    reader: str
    header: list[str]
    rows: list[list[Cell]]
    line_start: int
    line_end: int
    findings: list[Finding] = field(default_factory=list)


def header_roles(header: list[str]) -> list[str | None] | None:
    """Column roles from header text; None when this is not a task table."""
    roles: list[str | None] = []
    for h in header:
        t = collapse_ws(strip_markup(h)).lower()
        role = None
        for name, rx in _ROLE_RULES:
            if rx.search(t) and name not in roles:
                role = name
                break
        roles.append(role)
    if "task" not in roles and "section" in roles:
        roles[roles.index("section")] = "task"  # a lone "Nội dung" column is the task
    if "task" not in roles or not ({"lead", "ref"} & set(roles)):
        return None
    return roles


def _is_header(cells: list[str]) -> bool:
    # header cells are short labels; a signature block or title that happens to contain
    # "nhiệm vụ" is not a header
    if any(len(c) > 80 or c.count("\n") > 2 for c in cells):
        return False
    return header_roles(cells) is not None and sum(1 for c in cells if c.strip()) >= 3


# ---------------------------------------------------------------- pipe layout

def _pipe_cells(lines: list[str], start: int, skip: set[int]) -> list[Cell]:
    cells: list[Cell] = []
    buf: list[str] = []
    buf_start = None
    for i in range(start, len(lines) + 1):
        if i in skip:
            continue
        s = lines[i - 1].strip()
        if not s:
            continue
        if not s.strip("|"):  # only pipes: empty cells
            if buf:  # text without a closing pipe, then an empty cell
                cells.append(Cell("\n".join(buf), buf_start, i - 1))
                buf, buf_start = [], None
            cells.extend(Cell("", i, i) for _ in range(len(s)))
            continue
        if s.endswith("|"):
            content = s[:-1].strip()
            if buf:
                buf.append(content)
                cells.append(Cell("\n".join(buf), buf_start, i))
                buf, buf_start = [], None
            else:
                cells.append(Cell(content, i, i))
        else:
            if not buf:
                buf_start = i
            buf.append(s)
    if buf:
        cells.append(Cell("\n".join(buf), buf_start, len(lines)))
    return cells


def find_pipe_tables(lines: list[str], skip: set[int]) -> list[RawTable]:
    tables: list[RawTable] = []
    n = len(lines)
    i = 1
    while i <= n:
        s = lines[i - 1].strip()
        if s.endswith("|") and re.match(r"^(STT|TT|Số TT)\s*\|$", s, re.IGNORECASE) and i not in skip:
            cells = _pipe_cells(lines, i, skip)
            width = 0
            for c in cells[1:12]:
                if c.blank or _REF.match(c.text.strip()):
                    break
                width += 1
            header = [cells[0].text] + [c.text for c in cells[1 : 1 + width]]
            roles = header_roles(header)
            if roles:
                t = _pipe_rows(cells[1 + width :], header, i)
                tables.append(t)
                i = t.line_end + 1
                continue
        i += 1
    return tables


def _pipe_rows(cells: list[Cell], header: list[str], line_start: int) -> RawTable:
    ncols = len(header)
    rows: list[list[Cell]] = []
    cur: list[Cell] | None = None
    last_line = line_start
    findings: list[Finding] = []
    for c in cells:
        txt = c.text.strip()
        is_ref = bool(_REF.match(txt)) and txt != ""
        is_letter = bool(_LETTER_START.match(txt))
        if cur is not None and len(cur) < ncols:
            if (is_ref and len(cur) >= 2) or (is_letter and len(cur) >= 3):
                rows.append(cur)  # a short row: close it and let this cell start the next
                cur = None
            else:
                cur.append(c)
                last_line = max(last_line, c.line_end)
                if len(cur) == ncols:
                    rows.append(cur)
                    cur = None
                continue
        if c.blank:
            continue
        if is_ref:
            cur = [c]
        elif is_letter:
            cur = [Cell("", c.line_start, c.line_start), c]  # the number cell is merged away
        elif txt == header[0].strip():
            cur = [c]  # repeated header row; dropped below
        else:
            findings.append(Finding("table_stray_cell", "info",
                                    f"Text outside any table row at line {c.line_start}: '{txt[:60]}'",
                                    c.line_start, c.line_end))
            continue
        last_line = max(last_line, c.line_end)
    if cur is not None:
        rows.append(cur)
    rows = [r + [Cell("", r[-1].line_end, r[-1].line_end)] * (ncols - len(r)) for r in rows]
    rows = [r for r in rows if [x.text.strip() for x in r] != [h.strip() for h in header]]
    return RawTable("pipe_table", header, rows, line_start, last_line, findings)


# ---------------------------------------------------------------- tab layouts

def find_tab_tables(lines: list[str], skip: set[int]) -> list[RawTable]:
    tables: list[RawTable] = []
    n = len(lines)
    i = 1
    while i <= n:
        raw = lines[i - 1]
        if i not in skip and "\t" in raw:
            inner = raw.strip("\n").lstrip("\t")
            if inner.count("\t") >= 2:
                t = _tab_row_mode(lines, i, skip)
            elif raw.startswith("\t"):
                t = _tab_cell_mode(lines, i, skip)
            else:
                t = None
            if t is not None:
                tables.append(t)
                i = t.line_end + 1
                continue
        i += 1
    return tables


def _tab_cell_mode(lines: list[str], start: int, skip: set[int]) -> RawTable | None:
    rows: list[list[Cell]] = []
    cur: list[Cell] = []
    header: list[str] | None = None
    end = start
    for i in range(start, len(lines) + 1):
        if i in skip:
            continue
        raw = lines[i - 1].rstrip("\n")
        if raw.startswith("\t"):
            cur.append(Cell(raw[1:].strip(), i, i))
        elif raw.strip() == "":
            if cur:
                if header is None:
                    texts = [c.text for c in cur]
                    if not _is_header(texts):
                        return None
                    header = texts
                elif [c.text for c in cur] != header:
                    rows.append(cur)
                end = cur[-1].line_end
                cur = []
            elif header is not None and rows and i - end > 2:
                break
        else:
            if not cur:
                if header is None:
                    return None
                break  # narrative text after the table
            cur[-1].text += "\n" + raw.strip()
            cur[-1].line_end = i
    if cur and header is not None:
        if [c.text for c in cur] != header:
            rows.append(cur)
        end = cur[-1].line_end
    if header is None:
        return None
    width = len(header)
    rows = [r[:width] + [Cell("", r[-1].line_end, r[-1].line_end)] * (width - len(r)) for r in rows]
    for r in rows:
        for c in r:
            c.text = html_to_text(c.text)
    return RawTable("tab_table", header, rows, start, end)


def _tab_row_mode(lines: list[str], start: int, skip: set[int]) -> RawTable | None:
    header_cells = [c.strip() for c in lines[start - 1].strip("\n").split("\t")]
    if header_cells and header_cells[0] == "":
        header_cells = header_cells[1:]
    header = [html_to_text(c) for c in header_cells]
    if not _is_header(header):
        return None
    rows: list[list[Cell]] = []
    end = start
    for i in range(start + 1, len(lines) + 1):
        if i in skip:
            continue
        raw = lines[i - 1].rstrip("\n")
        if not raw.strip():
            continue
        if "\t" not in raw:
            if rows and i == end + 1:
                last = rows[-1][-1]
                last.text += "\n" + raw.strip()
                last.line_end = i
                end = i
                continue
            break
        parts = raw.split("\t")
        if parts and parts[0] == "" and len(parts) > len(header):
            parts = parts[1:]
        cells = [Cell(html_to_text(p.strip()), i, i) for p in parts]
        if [collapse_ws(c.text) for c in cells[: len(header)]] == [collapse_ws(h) for h in header]:
            end = i  # header repeated at a page break
            continue
        width = len(header)
        cells = cells[:width] + [Cell("", i, i)] * (width - len(cells))
        rows.append(cells)
        end = i
    return RawTable("tab_table", header, rows, start, end)


# ---------------------------------------------------------------- one conversion for all layouts

def _clean(text: str) -> str:
    return collapse_ws(strip_markup(text.replace("\n", " ")))


def _norm_ref(ref: str) -> str:
    return ref.strip().rstrip(".")


def table_to_tasks(table: RawTable, section_lookup) -> tuple[list[TaskRow], list[Finding]]:
    """`section_lookup(group, task_texts)` -> (ref, heading or None, inferred) for tables whose
    section headings were lost (no section column)."""
    roles = header_roles(table.header) or []
    col = {r: i for i, r in enumerate(roles) if r}
    findings = list(table.findings)
    has_section_col = "section" in col

    def get(row: list[Cell], role: str) -> str:
        i = col.get(role)
        return _clean(row[i].text) if i is not None and i < len(row) else ""

    drafts: list[dict] = []
    prev: dict | None = None
    cur_section = cur_section_ref = None
    parent_ref: str | None = None
    parent_text: str | None = None
    for ri, row in enumerate(table.rows):
        ref = get(row, "ref")
        sec = get(row, "section") if has_section_col else ""
        task_raw = row[col["task"]].text if "task" in col else ""
        task = _clean(html_to_text(task_raw))
        others = [get(row, r) for r in ("output", "lead", "support", "timeline", "note") if r in col]
        line_start = min(c.line_start for c in row if not c.blank) if any(not c.blank for c in row) else row[0].line_start
        line_end = max(c.line_end for c in row if not c.blank) if any(not c.blank for c in row) else row[-1].line_end

        new_section = False
        if has_section_col:
            if sec:
                cur_section, new_section = sec, True
                cur_section_ref = _norm_ref(ref) if ref else None
        letter = None
        m = _LETTER_START.match(task)
        if m:
            letter, task = m["m"], collapse_ws(m["t"])
        if ref and not has_section_col:
            parent_ref, parent_text = _norm_ref(ref), None
        nxt_task = ""
        if ri + 1 < len(table.rows) and "task" in col:
            nxt_task = _clean(table.rows[ri + 1][col["task"]].text)
        if (ref and task and letter is None and not any(others)
                and _LETTER_START.match(nxt_task) and not has_section_col):
            parent_text = task  # a numbered row that only heads its lettered sub-rows
            continue
        if not task:
            sub = get(row, "subsection")
            if prev is not None and sub and prev["section_key"] == cur_section:
                prev["subsections"].append(sub)
                prev["line_end"] = max(prev["line_end"], line_end)
                findings.append(Finding("merged_task_cell", "info",
                                        f"Row at line {line_start} ('{sub[:50]}') has a blank task cell: "
                                        "read as merged with the task above.", line_start, line_end))
            elif any(others) or sub:
                findings.append(Finding("table_row_without_task", "warning",
                                        f"Table row at line {line_start} has no task text; not read as a task.",
                                        line_start, line_end))
            continue
        if has_section_col:
            task_ref = None
        elif letter:
            task_ref = f"{parent_ref}.{letter}" if parent_ref else letter
        else:
            task_ref = _norm_ref(ref) if ref else None
        d = {
            "task_ref": task_ref,
            "section_key": cur_section,
            "section_ref": cur_section_ref if has_section_col else (parent_ref.split(".")[0] if parent_ref else None),
            "section": cur_section,
            "subsections": [s for s in [get(row, "subsection")] if s],
            "parent_text": parent_text if letter else None,
            "task_text": task,
            "output": get(row, "output") or None,
            "lead": get(row, "lead") or None,
            "support": get(row, "support") or None,
            "timeline": get(row, "timeline") or None,
            "note": get(row, "note") or None,
            "line_start": line_start,
            "line_end": line_end,
        }
        # merged cells: a blank lead or timeline is the one above, inside the same section/group
        same_group = prev is not None and prev["section_key"] == d["section_key"] and (
            has_section_col or (prev["section_ref"] == d["section_ref"]))
        if same_group and not new_section:
            for k in ("lead", "timeline"):
                if d[k] is None and prev[k] is not None:
                    d[k] = prev[k]
                    findings.append(Finding("merged_cell_inherited", "info",
                                            f"Blank {k} cell at line {line_start} read as the merged cell above: '{prev[k][:50]}'.",
                                            line_start, line_end))
        drafts.append(d)
        prev = d

    tasks: list[TaskRow] = []
    groups: dict[str, list[dict]] = {}
    for d in drafts:
        groups.setdefault(d["section_ref"] or "", []).append(d)
    for d in drafts:
        sec_name, inferred, heading = d["section"], False, d["section"]
        if not has_section_col and d["section_ref"]:
            sec_name, inferred = section_lookup(d["section_ref"], [x["task_text"] for x in groups[d["section_ref"]]])
            heading = sec_name
        sub = "; ".join(d["subsections"]) if d["subsections"] else d["parent_text"]
        tasks.append(TaskRow(
            task_ref=d["task_ref"], source_kind="table", reader=table.reader,
            section_ref=d["section_ref"], section_as_written=sec_name, section_heading=heading,
            subsection_as_written=sub, family_context=None, task_text=d["task_text"],
            output_text=d["output"], lead_as_written=d["lead"], support_as_written=d["support"],
            timeline_text=d["timeline"], note_text=d["note"], line_start=d["line_start"],
            line_end=d["line_end"], section_inferred=inferred,
        ))
    return tasks, findings

