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

from ..agency_text import parse_assignment
from ..decode import collapse_ws
from ..lines import html_to_text, strip_markup
from ..model import Finding, TaskRow

_REF = re.compile(r"^(?:[IVX]{1,4}|\d{1,2}(?:\.\d{1,2})*)\.?$")
_LETTER_START = re.compile(r"^(?P<m>[a-zđ])\)\s*(?P<t>\S.*)$", re.DOTALL)
_REF_LABEL = re.compile(r"^(stt|tt|số tt|số thứ tự|s\.tt|it|tt\.)$")  # the number column's label, typos included
_LETTER_REF = re.compile(r"^(?P<m>[a-zđ])[).]$")  # "a)" alone in the number column: a lettered sub-row

_TASK_HEADER = re.compile(r"nhiệm vụ|giải pháp|công việc|hoạt động")
_ROLE_RULES: list[tuple[str, re.Pattern]] = [
    ("ref", re.compile(r"^(stt|tt|số tt|số thứ tự|s\.tt|it|tt\.)$")),
    ("subsection", re.compile(r"thành phần")),
    ("lead", re.compile(r"chủ trì|chịu trách nhiệm|đơn vị thực hiện|cơ quan thực hiện|phân công|đầu mối")),
    ("support", re.compile(r"phối hợp")),
    ("output", re.compile(r"sản phẩm|kết quả|hình thức văn bản")),
    ("timeline", re.compile(r"thời gian|thời hạn|tiến độ|hoàn thành")),
    ("note", re.compile(r"ghi chú")),
    ("task", _TASK_HEADER),
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
    if "task" not in roles and "lead" in roles:
        # "TT | Chỉ tiêu | Chủ trì": a table giving each target to its lead; the target is the work
        for i, h in enumerate(header):
            if roles[i] is None and re.match(r"(?:các\s+)?chỉ tiêu\b", collapse_ws(strip_markup(h)).lower()):
                roles[i] = "task"
                break
    if "task" not in roles or not ({"lead", "ref"} & set(roles)):
        return None
    return roles


def merge_subheader(header: list[str], cells: list[str]) -> list[str] | None:
    """The second row of a two-row header (a spanning label over its sub-columns): only short labels, none in the
    task column, at least one naming a role. Each column takes its sub-label, else the label above."""
    roles = header_roles(header) or []
    if len(cells) < len(header) or "task" not in roles or cells[roles.index("task")].strip():
        return None
    labels = [collapse_ws(strip_markup(c)) for c in cells]
    if not any(labels) or any(len(c) > 40 or _FIGURE.match(c) for c in labels if c):
        return None
    named = [c for c in labels if c and any(rx.search(c.lower()) for _, rx in _ROLE_RULES)]
    if len(named) < sum(1 for c in labels if c):
        return None
    merged = [sub or top for top, sub in zip(header, labels)]
    return merged if header_roles(merged) is not None else None


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
    buf_start = 0  # where the open cell began (read only while buf holds lines)
    for i in range(start, len(lines) + 1):
        if i in skip:
            continue
        s = lines[i - 1].strip()
        if not s:
            continue
        if not s.strip("|"):  # only pipes: empty cells
            if buf:  # text without a closing pipe, then an empty cell
                cells.append(Cell("\n".join(buf), buf_start, i - 1))
                buf, buf_start = [], 0
            cells.extend(Cell("", i, i) for _ in range(len(s)))
            continue
        if s.endswith("|"):
            content = s[:-1].strip()
            if buf:
                buf.append(content)
                cells.append(Cell("\n".join(buf), buf_start, i))
                buf, buf_start = [], 0
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
        if s.endswith("|") and _REF_LABEL.match(s[:-1].strip().lower()) and i not in skip:
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
        is_ref = (bool(_REF.match(txt)) or bool(_LETTER_REF.match(txt))) and txt != ""
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
        elif txt == header[0].strip() or _REF_LABEL.match(txt.lower()):
            cur = [c]  # repeated header row (whatever its first label); dropped below
        else:
            findings.append(
                Finding(
                    "table_stray_cell",
                    "info",
                    f"Text outside any table row at line {c.line_start}: '{txt[:60]}'",
                    c.line_start,
                    c.line_end,
                )
            )
            continue
        last_line = max(last_line, c.line_end)
    if cur is not None:
        rows.append(cur)
    rows = [r + [Cell("", r[-1].line_end, r[-1].line_end)] * (ncols - len(r)) for r in rows]
    rows = [r for r in rows if not is_repeated_header([x.text for x in r], header)]
    return RawTable("pipe_table", header, rows, line_start, last_line, findings)


# ---------------------------------------------------------------- markdown / grid layouts

# "| 1 | Nhiệm vụ | Sở Tư pháp |" one row per line (Markdown, Word "save as text"), with or without "|---|" rules;
# pandoc grid tables ("+----+----+" borders, a cell's text continuing on the next line inside the same row).
_MD_ROW = re.compile(r"^\s*\|(?:[^|]*\|){2,}\s*$")
_MD_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)+\|?\s*$")
_GRID_RULE = re.compile(r"^\s*\+(?:[-=:]+\+){2,}\s*$")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)


def _split_md(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return [_BR.sub("\n", c).strip() for c in inner.split("|")]


def find_md_tables(lines: list[str], skip: set[int]) -> list[RawTable]:
    tables: list[RawTable] = []
    n, i = len(lines), 1
    while i <= n:
        raw = lines[i - 1]
        if i in skip or not (_MD_ROW.match(raw) or _GRID_RULE.match(raw)):
            i += 1
            continue
        # the block: table lines, with single blank lines between rows allowed (exports add them)
        j, last = i, i
        while j <= n:
            t = lines[j - 1]
            if j not in skip and (_MD_ROW.match(t) or _GRID_RULE.match(t) or _MD_RULE.match(t)):
                last = j
            elif t.strip() == "" and j + 1 <= n and (_MD_ROW.match(lines[j]) or _GRID_RULE.match(lines[j])):
                pass
            else:
                break
            j += 1
        block = list(range(i, last + 1))
        grid = any(_GRID_RULE.match(lines[k - 1]) for k in block)
        rows = _grid_rows(lines, block) if grid else _md_rows(lines, block)
        found = _table_from_rows(rows, "grid_table" if grid else "md_table", i, last)
        if found is not None:
            tables.append(found)
        i = last + 1
    return tables


def _is_bar(line: str) -> bool:
    return line.strip() == "|"


def find_bar_tables(lines: list[str], skip: set[int]) -> list[RawTable]:
    """The portal scrape's table: a line holding only "|" before every cell, the cell's words on the lines after
    it (wrapped at any width), two "|" lines in a row between rows."""
    tables: list[RawTable] = []
    n, i = len(lines), 1
    while i <= n:
        if i in skip or not _is_bar(lines[i - 1]):
            i += 1
            continue
        j, last = i, i
        while j <= n and j not in skip:
            t = lines[j - 1]
            if t.strip():
                last = j
            else:
                # a blank line ends the table unless the next line goes on with it
                nxt = next((k for k in range(j + 1, min(j + 3, n + 1)) if lines[k - 1].strip()), None)
                if nxt is None or not (_is_bar(lines[nxt - 1]) or _is_bar(lines[j - 2])):
                    break
            j += 1
        block = list(range(i, last + 1))
        if sum(_is_bar(lines[k - 1]) for k in block) >= 6:
            rows = _bar_rows(lines, block)
            # a scraped table always keeps its header row: one that names no task is a table of something else
            # (sites, parameters, coordinates), never read for tasks by its content
            if rows and _is_header([c.text for c in rows[0]]):
                found = _table_from_rows(rows, "bar_table", i, last)
                if found is not None:
                    tables.append(found)
        i = last + 1
    return tables


def _bar_rows(lines: list[str], block: list[int]) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    row: list[Cell] = []
    width = 0  # the header's, once known
    prev_bar = False
    for idx, k in enumerate(block):
        t = strip_markup(lines[k - 1]).strip()
        if _is_bar(lines[k - 1]):
            if prev_bar:
                nxt = next(
                    (
                        strip_markup(lines[m - 1]).strip()
                        for m in block[idx + 1 :]
                        if lines[m - 1].strip() and not _is_bar(lines[m - 1])
                    ),
                    "",
                )
                # "|" twice: a row ends, unless the row is still short and the next words do not open a row
                # (an empty cell inside it)
                opens_row = bool(_REF.match(nxt) or _LETTER_REF.match(nxt) or _LETTER_START.match(nxt))
                has_words = any(not c.blank for c in row)
                if width and has_words and len(row) < width - 1 and not opens_row and row[-1].blank:
                    row.append(Cell("", k, k))
                    prev_bar = False
                    continue
                if row and row[-1].blank:
                    row.pop()  # the cell the closing "|" opened
                if row:
                    rows.append(row)
                    width = width or len(row)
                row = [Cell("", k, k)]
            else:
                row.append(Cell("", k, k))
            prev_bar = True
            continue
        prev_bar = False
        if not t:
            continue
        if not row:
            row = [Cell("", k, k)]
        c = row[-1]
        c.text = f"{c.text} {t}" if c.text else t
        c.line_start = c.line_start if c.text != t else k
        c.line_end = k
    if row and row[-1].blank:
        row.pop()
    if row:
        rows.append(row)
    return rows


def _md_rows(lines: list[str], block: list[int]) -> list[list[Cell]]:
    rows = []
    for k in block:
        t = lines[k - 1]
        if not t.strip() or _MD_RULE.match(t):
            continue
        rows.append([Cell(c, k, k) for c in _split_md(t)])
    return rows


def _grid_rows(lines: list[str], block: list[int]) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    cur: list[Cell] | None = None
    for k in block:
        t = lines[k - 1]
        if _GRID_RULE.match(t) or not t.strip():
            if cur is not None:
                rows.append(cur)
            cur = None
            continue
        parts = _split_md(t)
        if cur is None:
            cur = [Cell(c, k, k) for c in parts]
            continue
        for ci, c in enumerate(parts):
            if ci >= len(cur):
                cur.append(Cell(c, k, k))
            elif c:
                cur[ci].text = f"{cur[ci].text}\n{c}" if cur[ci].text else c
                cur[ci].line_start = cur[ci].line_start if cur[ci].text != c else k
                cur[ci].line_end = k
    if cur is not None:
        rows.append(cur)
    return rows


def is_repeated_header(cells: list[str], header: list[str]) -> bool:
    """A header row repeated at a page break, whatever its first label (TT, STT, Số TT, a typo such as IT):
    its other cells name the same column roles as the header."""
    if not header or len([c for c in cells if c.strip()]) < 2:
        return False
    a = [collapse_ws(strip_markup(c)).lower() for c in cells[1:]]
    b = [collapse_ws(strip_markup(h)).lower() for h in header[1:]]
    same = sum(1 for x, y in zip(a, b) if x and x == y)
    if same >= max(2, len([x for x in b if x]) - 1):
        return True
    roles = header_roles(["stt", *cells[1:]])
    return roles is not None and roles == header_roles(["stt", *header[1:]]) and all(len(c) < 60 for c in cells)


# Content of a column when a table has no header row (lost in the export): a role per column from its cells.
_DATE_LIKE = re.compile(
    r"(?i)\b(năm\s+20\d\d|quý\s+[ivx1-4]+|tháng\s+\d|\d{1,2}/20\d\d|20\d\d|thường xuyên|hằng năm|hàng năm|"
    r"định kỳ|trước ngày|đến ngày|hàng quý|6 tháng|năm học|hằng tháng|hàng tháng)"
)
_AGENCY_WORDS = re.compile(
    r"(?i)^(?:các\s+)?(?:sở|ubnd|ủy ban|uỷ ban|phòng|ban|thanh tra|công an|văn phòng|trung tâm|"
    r"đài|cục|chi cục|bhxh|bảo hiểm|hội|đoàn|liên đoàn|mặt trận|mttq|kho bạc|tỉnh đoàn|"
    r"huyện đoàn|thành đoàn|công chức|bộ phận|cơ quan|đơn vị)\b"
)


def _infer_roles(rows: list[list[Cell]]) -> list[str] | None:
    width = max(len(r) for r in rows)
    if width < 3:
        return None
    stats = []
    for ci in range(width):
        vals = [collapse_ws(r[ci].text) for r in rows if ci < len(r) and r[ci].text.strip()]
        if not vals:
            stats.append(("empty", 0.0))
            continue
        mean_len = sum(map(len, vals)) / len(vals)
        if sum(1 for v in vals if _REF.match(v)) >= 0.6 * len(vals):
            stats.append(("ref", mean_len))
        elif sum(1 for v in vals if _AGENCY_WORDS.match(v)) >= 0.6 * len(vals):
            stats.append(("agency", mean_len))
        elif sum(1 for v in vals if _DATE_LIKE.search(v) and len(v) < 60) >= 0.6 * len(vals):
            stats.append(("timeline", mean_len))
        else:
            stats.append(("text", mean_len))
    roles: list[str] = []
    texts = [i for i, (k, _) in enumerate(stats) if k == "text"]
    if not texts:
        return None
    task_col = max(texts, key=lambda i: stats[i][1])
    n_agency = 0
    for i, (k, _) in enumerate(stats):
        if k == "ref" and "ref" not in roles:
            roles.append("ref")
        elif i == task_col:
            roles.append("task")
        elif k == "agency":
            roles.append("lead" if n_agency == 0 else "support" if n_agency == 1 else "note")
            n_agency += 1
        elif k == "timeline" and "timeline" not in roles:
            roles.append("timeline")
        elif k == "text" and i > task_col and "output" not in roles:
            roles.append("output")
        elif k == "text" and i < task_col and "section" not in roles:
            roles.append("section")
        else:
            roles.append("note")
    return roles if "lead" in roles or "ref" in roles else None


_ROLE_LABEL = {
    "ref": "STT",
    "task": "Nội dung nhiệm vụ",
    "lead": "Cơ quan chủ trì",
    "support": "Cơ quan phối hợp",
    "timeline": "Thời gian thực hiện",
    "output": "Sản phẩm",
    "section": "Lĩnh vực",
    "note": "Ghi chú",
}


def _is_words(text: str) -> bool:
    """Text, not a number or a mark: a task or a name."""
    t = text.strip()
    return len(t) > 15 and sum(ch.isalpha() for ch in t) > 10


def _table_from_rows(rows: list[list[Cell]], reader: str, line_start: int, line_end: int) -> RawTable | None:
    rows = [r for r in rows if any(c.text.strip() for c in r)]
    if len(rows) < 2:
        return None
    findings: list[Finding] = []
    first = [c.text for c in rows[0]]
    if _is_header(first):
        header, body = first, rows[1:]
        if body:
            merged = merge_subheader(header, [c.text for c in body[0]])
            if merged is not None:  # a two-row header: "Cơ quan thực hiện" over "Chủ trì" | "Phối hợp"
                header, body = merged, body[1:]
    else:
        roles = _infer_roles(rows)
        if roles is None:
            return None
        header, body = [_ROLE_LABEL[r] for r in roles], rows
        findings.append(
            Finding(
                "table_header_inferred",
                "info",
                f"Table at lines {line_start}-{line_end} has no header row; column roles read from "
                f"their content: {', '.join(roles)}.",
                line_start,
                line_end,
            )
        )
    width = len(header)
    number_first = (header_roles(header) or [None])[0] == "ref"
    out = []
    for r in body:
        texts = [c.text for c in r]
        if is_repeated_header(texts, header):
            continue
        if (
            number_first
            and 1 < len(r) < width
            and sum(not c.blank for c in r) >= 2  # a task and its agency, not a group row's heading
            and _is_words(r[0].text)
            and not re.match(r"^(?:[IVX]{1,4}|[A-Z]|\d{1,2}(?:\.\d{1,2})*)[.)]\s", r[0].text.strip())
        ):
            # a row whose number cell is merged with the row above (rowspan flattened by the export): its cells
            # start at the task column
            r = [Cell("", r[0].line_start, r[0].line_start), *r]
        r = r[:width] + [Cell("", r[-1].line_end, r[-1].line_end) for _ in range(width - len(r))]
        out.append(r)
    return RawTable(reader, header, out, line_start, line_end, findings)


def _roles_key(header: list[str]) -> tuple:
    roles = header_roles(["stt", *header[1:]]) or []
    while roles and roles[-1] is None:
        roles.pop()
    return tuple(roles)


def merge_continued(tables: list[RawTable], lines: list[str]) -> list[RawTable]:
    """One table split by a page break (a repeated header, a running page header such as "ỦY BAN NHÂN DÂN"
    or a page number between the parts) is one table again, so merged cells and groups carry across the break."""
    tables = sorted(tables, key=lambda t: t.line_start)
    out: list[RawTable] = []
    for t in tables:
        prev = out[-1] if out else None
        if prev is not None and prev.reader == t.reader and _roles_key(prev.header) == _roles_key(t.header):
            gap = [lines[k - 1].strip() for k in range(prev.line_end + 1, t.line_start)]
            gap = [g for g in gap if g]
            if len(gap) <= 3 and all(len(g) <= 60 and not g.endswith((".", ";")) for g in gap):
                prev.rows.extend(t.rows)
                prev.line_end = t.line_end
                prev.findings.extend(t.findings)
                continue
        out.append(t)
    return out


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
    first = start + 1
    nxt = lines[start].rstrip("\n") if start < len(lines) else ""
    if "\t" in nxt and nxt[:1].islower():
        # a header cell broken at a line break inside it ("Cơ quan" / "chủ trì"): its words continue the last cell
        more = [html_to_text(c.strip()) for c in nxt.split("\t")]
        joined = header[:-1] + [f"{header[-1]} {more[0]}".strip()] + more[1:]
        if _is_header(joined):
            header, first = joined, start + 2
    rows: list[list[Cell]] = []
    end = first - 1
    for i in range(first, len(lines) + 1):
        if i in skip:
            continue
        raw = lines[i - 1].rstrip("\n")
        if not raw.strip():
            continue
        if "\t" not in raw:
            t = raw.strip()
            if i <= end + 2 and len(t) < 200 and _GROUP_WORDS.match(t) and not _ROMAN_REF.match(t.split(" ")[0]):
                # a group row written on its own line ("Lĩnh vực 1: …"): it spans the table
                cells = [Cell("", i, i), Cell(html_to_text(t), i, i)]
                rows.append(cells + [Cell("", i, i)] * (len(header) - 2))
                end = i
                continue
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
        if is_repeated_header([c.text for c in cells], header):
            end = i  # header repeated at a page break (TT, STT, a typo such as IT)
            continue
        width = len(header)
        cells = cells[:width] + [Cell("", i, i)] * (width - len(cells))
        rows.append(cells)
        end = i
    return RawTable("tab_table", header, rows, start, end)


# ---------------------------------------------------------------- one conversion for all layouts


def _clean(text: str) -> str:
    return collapse_ws(strip_markup(text.replace("\n", " ")))


_FIGURE = re.compile(r"^[-+]?\d{1,3}(?:[.,\s]\d{3})*(?:[.,]\d+)?\s*%?$|^\d{1,3}\s*/\s*\d{1,3}$")


def is_table_of_figures(table: RawTable, roles: list[str | None]) -> bool:
    """A table of results (points per criterion, a ranking of agencies, rates by year), not of tasks: no column
    assigns work (lead, coordinator, timeline, output), at least one other column is mostly figures, and the
    label column holds short labels rather than task sentences."""
    if {"lead", "support", "timeline", "output"} & set(roles) or "task" not in roles or not table.rows:
        return False
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


_ROMAN_REF = re.compile(r"^[IVX]{1,4}\.?$")
# a label with its own number or none: "I. NÂNG CAO …", "3. Trách nhiệm giải trình …", "Tính minh bạch"
_NUMBERED_LABEL = re.compile(r"^(?:(?P<r>[IVX]{1,4}|\d{1,2}(?:\.\d{1,2})*)[.)]\s*)?(?P<t>\S.{3,})$", re.DOTALL)
_GROUP_WORDS = re.compile(
    r"(?i)^(?:[IVX]{1,4}[.)]\s*|\d{1,2}(?:\.\d{1,2})*[.)]?\s*)?(?:nhóm\s+)?(?:chỉ số|chỉ tiêu|"
    r"nội dung thành phần|lĩnh vực|tiêu chí|phần\s|nhóm\s|cải cách|công tác chỉ đạo|"
    r"hiện đại hóa|hiện đại hoá|xây dựng và phát triển chính phủ|tác động)"
)
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


def _combined_cells(d: dict) -> None:
    """ "Chủ trì: X; Phối hợp: Y" in one cell: the labelled parts go to their own fields."""
    for key in ("lead", "support", "note", "timeline"):
        v = d.get(key)
        if not v or ":" not in v:
            continue
        attrs, before = parse_assignment(v)
        if not attrs or before.strip(" ;,.-"):
            continue
        d[key] = None
        for k, val in attrs.items():
            if not d.get(k) or k == key:
                d[k] = val


def table_to_tasks(table: RawTable, section_lookup) -> tuple[list[TaskRow], list[Finding]]:
    """`section_lookup(group, task_texts)` -> (heading or None, inferred) for tables whose section headings were
    lost (no section column). Returns the tasks and the reader's findings."""
    reader = _TableWalk(table)
    _join_continued_rows(table, reader.roles, reader.findings)
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
    _fill_merged(drafts, reader.has_section_col, reader.findings)
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


class _TableWalk:
    """Reads a table's rows top to bottom into task drafts (dicts, filled in further by _fill_merged), keeping the
    current section, sub-section and numbered heading row that the rows below belong to."""

    def __init__(self, table: RawTable):
        self.table = table
        self.roles = header_roles(table.header) or []
        self.col = {r: i for i, r in enumerate(self.roles) if r}
        self.findings = list(table.findings)
        self.has_section_col = "section" in self.col
        self.refs_number_rows = False
        self.prev: dict | None = None
        self.cur_section: str | None = None
        self.cur_section_ref: str | None = None
        self.cur_sub: str | None = None
        self.group_section = False  # sections come from spanning group rows
        self.sub_blank_since = False  # a task row with a blank sub-dimension cell since the label was last written
        self.sub_written_at = 0
        self.parent_ref: str | None = None
        self.parent_text: str | None = None
        self.parent_attrs: dict[str, str] = {}

    def get(self, row: list[Cell], role: str) -> str:
        i = self.col.get(role)
        return _clean(row[i].text) if i is not None and i < len(row) else ""

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
            "lead": self.get(row, "lead") or None,
            "support": self.get(row, "support") or None,
            "timeline": self.get(row, "timeline") or None,
            "note": self.get(row, "note") or None,
            "line_start": line_start,
            "line_end": line_end,
        }
        _combined_cells(d)
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


def _fill_merged(drafts: list[dict], has_section_col: bool, findings: list[Finding]) -> None:
    """Merged cells come out of an export blank, their text on one row of the block (the first, or the middle when
    the cell was centred). Inside one section a blank lead or timeline is the nearest value above; rows before the
    first value take the first value below. Each fill is a finding."""

    def flat(d: dict) -> bool:  # numbered 1, 2, 3 …: the number is the row's own, not a section's
        return bool(d["task_ref"]) and d["task_ref"].isdigit() and d["section_ref"] == d["task_ref"]

    def same(a: dict, b: dict) -> bool:
        return a["section_key"] == b["section_key"] and (
            has_section_col or a["section_ref"] == b["section_ref"] or (flat(a) and flat(b))
        )

    for k in ("lead", "support", "timeline"):
        for i, d in enumerate(drafts):
            if d[k] is not None:
                continue
            if k == "support" and d["lead"] is not None and not d.get("_lead_filled"):
                continue  # a row that names its own lead and no coordinator has none
            src = None
            for j in range(i - 1, -1, -1):
                if not same(drafts[j], d):
                    break
                if drafts[j][k] is not None and not drafts[j].get(f"_{k}_filled_up"):
                    src = drafts[j]
                    break
            up = False
            if src is None:
                for j in range(i + 1, len(drafts)):
                    if not same(drafts[j], d):
                        break
                    if drafts[j][k] is not None:
                        src, up = drafts[j], True
                        break
            if src is None:
                continue
            d[k] = src[k]
            d[f"_{k}_filled_up"] = up
            d[f"_{k}_filled"] = True
            findings.append(
                Finding(
                    "merged_cell_inherited",
                    "info",
                    f"Blank {k} cell at line {d['line_start']} read as the merged cell "
                    f"{'below' if up else 'above'}: '{src[k][:50]}'.",
                    d["line_start"],
                    d["line_end"],
                )
            )
