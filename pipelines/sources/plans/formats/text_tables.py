"""The table layouts of text exports, each tokenised into one `RawTable` (pipelines/sources/plans/table_model.py):

- Markdown pipe rows (with or without `|---|` rules, `<br>` in cells) and pandoc grid tables (`+---+` borders);
- a portal scrape's one cell per line between lines holding only `|` ("bar" tables);
- pipe: one cell per line ending in " |", a lone "|" or "||||" for empty cells, rows not delimited;
- tab, cell per line: each cell on a line starting with a tab, continuation lines without one, a blank line between
  rows;
- tab, row per line: cells separated by tabs on one line, cells may hold HTML fragments.

A table continued after a page break is joined (merge_continued). The readers never see a layout: only RawTable."""

from __future__ import annotations

import re

from pipelines.model import Finding
from pipelines.sources.plans.assignment_lines import stacked_fields
from pipelines.sources.plans.decode import collapse_ws
from pipelines.sources.plans.formats.record_tables import record_as_row, transposed_records
from pipelines.sources.plans.lines import html_to_text, lowered_text
from pipelines.sources.plans.period_grid import unpivot_period_grid
from pipelines.sources.plans.table_model import (
    _AGENCY_WORDS,
    _DATE_LIKE,
    _GROUP_WORDS,
    _LETTER_REF,
    _LETTER_START,
    _REF,
    _REF_LABEL,
    _ROMAN_REF,
    KEYED,
    Cell,
    RawTable,
    _is_header,
    header_roles,
    keyed_roles,
    label_key,
    label_role,
    merge_subheader,
)

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
    if "|" not in lowered_text(lines):  # most texts: no pipe at all
        return tables
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
_RULE_BITS = re.compile(r"[+\-=:\s]*")
# a grid row whose last cells are ruled off beneath a spanning label ("| TT | … | +-----+-----+")
_PART_RULE = re.compile(r"^\s*\|(?:[^|\n]*\|)+\s*\+(?:[-=:]+\+)+\s*$")


def _split_md(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return [_BR.sub("\n", c).strip() for c in inner.split("|")]


def find_md_tables(lines: list[str], skip: set[int]) -> list[RawTable]:
    tables: list[RawTable] = []
    joined = lowered_text(lines)
    if "|" not in joined and "+" not in joined:  # neither a pipe row nor a grid rule anywhere
        return tables
    n, i = len(lines), 1
    while i <= n:
        raw = lines[i - 1]
        if i in skip or not (("|" in raw and _MD_ROW.match(raw)) or ("+" in raw and _GRID_RULE.match(raw))):
            i += 1
            continue
        # the block: table lines, with single blank lines between rows allowed (exports add them)
        j, last = i, i
        while j <= n:
            t = lines[j - 1]
            if j not in skip and (_MD_ROW.match(t) or _GRID_RULE.match(t) or _MD_RULE.match(t) or _PART_RULE.match(t)):
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


def tables_from_spans(spans: list, lines: list[str], skip: set[int], reader: str) -> list[RawTable]:
    """The tables a Word, HTML or PDF file holds (formats.TableSpan), each row on its own line of the text. A span
    whose lines are no longer the rows written for it (the text was changed after the adapter) is left to the text
    layouts; rows on skipped lines (a repeated block, a signature) are left out."""
    out: list[RawTable] = []
    for span in spans:
        first, n = span.first_line, len(span.rows)
        at = span.row_lines or [first + k for k in range(n)]
        if first < 1 or len(at) != n or at[-1] > len(lines):
            continue
        if any(lines[at[k] - 1] != "| " + " | ".join(r) + " |" for k, r in enumerate(span.rows)):
            continue
        rows = [
            [Cell(_BR.sub("\n", c).strip(), at[k], at[k]) for c in r]
            for k, r in enumerate(span.rows)
            if at[k] not in skip
        ]
        found = _table_from_rows(rows, reader, first, max(at[-1], first))
        if found is not None:
            out.append(found)
    return out


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
        parts = ["" if _RULE_BITS.fullmatch(c) else c for c in _split_md(t)]
        if not any(parts):
            continue  # a rule under part of the row ("| … | +----+----+"): a spanning label's sub-columns begin
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
    a = [label_key(c) for c in cells[1:]]
    b = [label_key(h) for h in header[1:]]
    same = sum(1 for x, y in zip(a, b) if x and x == y)
    if same >= max(2, len([x for x in b if x]) - 1):
        return True
    roles = header_roles(["stt", *cells[1:]])
    return roles is not None and roles == header_roles(["stt", *header[1:]]) and all(len(c) < 60 for c in cells)


# Content of a column when a table has no header row (lost in the export): a role per column from its cells.


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
        elif sum(1 for v in vals if _AGENCY_WORDS.match(v)) + sum(
            1 for r in rows if ci < len(r) and "\n" in r[ci].text and stacked_fields(r[ci].text)
        ) >= 0.6 * len(vals):
            # bodies, or fields stacked under labels in capitals ("CHỦ TRÌ Sở Nội vụ PHỐI HỢP …"): who does it
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


def _card_row(row: list[Cell]) -> bool:
    """A one-row table that is one task written as a card (a number, the work, its fields): a table all the same."""
    return len(row) >= 3 and bool(_REF.match(row[0].text.strip())) and _is_words(row[1].text)


def _table_from_rows(rows: list[list[Cell]], reader: str, line_start: int, line_end: int) -> RawTable | None:
    rows = [r for r in rows if any(c.text.strip() for c in r)]
    if len(rows) < 2 and not (rows and _card_row(rows[0])):
        return None
    findings: list[Finding] = []
    record = record_as_row(rows) or transposed_records(rows)
    if record is not None:
        rows = record
    first = [c.text for c in rows[0]]
    if (grid := unpivot_period_grid(RawTable(reader, first, rows[1:], line_start, line_end))) is not None:
        grid.findings.append(
            Finding(
                "period_grid_read",
                "info",
                f"Table at lines {line_start}-{line_end} gives each body's work by period ('{' | '.join(first)[:80]}'):"
                " read as one task per piece of work, with its body as lead and its column's period as deadline.",
                line_start,
                line_end,
            )
        )
        return grid
    if not _is_header(first) and keyed_roles(first) is not None:
        return RawTable(KEYED, first, rows[1:], line_start, line_end)  # more fields of tasks coded elsewhere
    if _is_header(first):
        header, body = first, rows[1:]
        if body:
            merged = merge_subheader(header, [c.text for c in body[0]])
            if merged is not None:  # a two-row header: "Cơ quan thực hiện" over "Chủ trì" | "Phối hợp"
                header, body = merged, body[1:]
    else:
        if label_role(first[0]) == "ref" and all(len(collapse_ws(c)) <= 40 for c in first):
            return None  # a header ("STT | Chỉ tiêu | Kết quả năm 2024 | …") naming no task column: not a task table
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
    header_r = header_roles(header) or [None]
    number_first = header_r[0] == "ref"
    task_col = header_r.index("task") if "task" in header_r else None
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
            # a row whose leading cells are merged with the row above (rowspan flattened by the export): its cells
            # are the last columns when that puts words in the task column ("Nội dung" | "Chỉ tiêu" | "Thời hạn"
            # under "STT | Chủ trì | Phối hợp | Nhóm | …"), else they start after the number
            shift = width - len(r)
            right = shift > 1 and task_col is not None and task_col >= shift and _is_words(r[task_col - shift].text)
            r = [Cell("", r[0].line_start, r[0].line_start) for _ in range(shift if right else 1)] + r
        r = r[:width] + [Cell("", r[-1].line_end, r[-1].line_end) for _ in range(width - len(r))]
        out.append(r)
    return RawTable(reader, header, out, line_start, line_end, findings)


def _roles_key(header: list[str]) -> tuple:
    roles = header_roles(["stt", *header[1:]]) or []
    while roles and roles[-1] is None:
        roles.pop()
    return tuple(roles)


# a numbered heading, or a table's own caption ("Bảng 2. Nhiệm vụ hoàn thành trong Quý II/2026", "Biểu số 3")
_HEADING_LINE = re.compile(
    r"^\W*(?:(?:[IVX]{1,4}|\d{1,2}(?:\.\d{1,2})*)[.)]\s+\w+\s+\w+|(?i:bảng|biểu|phụ lục)\s+(?:số\s*)?(?:\d{1,2}|[IVX]{1,4})\b)"
)


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
            # a numbered heading between them ("2. Chỉ số Tiếp cận đất đai") starts another part of the plan
            if len(gap) <= 3 and all(
                len(g) <= 60 and not g.endswith((".", ";")) and not _HEADING_LINE.match(g) for g in gap
            ):
                prev.rows.extend(t.rows)
                prev.line_end = t.line_end
                prev.findings.extend(t.findings)
                continue
        out.append(t)
    return out


# ---------------------------------------------------------------- tab layouts


def find_tab_tables(lines: list[str], skip: set[int]) -> list[RawTable]:
    tables: list[RawTable] = []
    if "\t" not in lowered_text(lines):  # most texts: no tab at all (the text joined once for every rule)
        return tables
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
