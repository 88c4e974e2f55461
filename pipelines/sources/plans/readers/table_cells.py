"""What one cell may hold beyond one value: several lettered tasks written one under another ("a) …<br>b) …"), a
task's own assignment in a closing parenthesis ("… (phối hợp: Ủy ban MTTQ tỉnh; thời hạn: Quý II/2026)"), labelled
or tagged roles in one agency cell ("Chủ trì: X; Phối hợp: Y", "X (chủ trì), Y (phối hợp)")."""

from __future__ import annotations

import re

from pipelines.model import Finding
from pipelines.sources.plans.agency_text import (
    lead_and_partners,
    parse_assignment,
    parse_attributes,
    tagged_roles,
    trailing_assignment,
)
from pipelines.sources.plans.decode import collapse_ws
from pipelines.sources.plans.lines import strip_markup
from pipelines.sources.plans.table_model import Cell, RawTable

_ITEM = re.compile(r"^\s*(?:\*\*)?[a-zđ]\)\s+\S")


_FOR_LETTERS = re.compile(
    r"(?im)^\s*(?:nhiệm vụ|nội dung|điểm|mục)\s+(?P<l>[a-zđ](?:\s*(?:,|và)\s*[a-zđ])*)\s*:\s*(?P<v>.+)$"
)


def _by_letter(text: str) -> dict[str, str]:
    """A cell that gives each lettered item its own fields ("Nhiệm vụ a, c: Sở Y tế chủ trì; thời hạn: …" / "Nhiệm
    vụ b: Bảo hiểm xã hội tỉnh chủ trì; …"): {"a": …, "c": …, "b": …}; {} for any other cell."""
    out: dict[str, str] = {}
    for m in _FOR_LETTERS.finditer(re.sub(r"<br\s*/?>", "\n", text)):
        for letter in re.split(r"\s*(?:,|và)\s*", m["l"]):
            out[letter] = m["v"].strip()
    return out


def split_lettered_cells(table: RawTable, roles: list[str | None], findings: list[Finding]) -> None:
    """A task cell that opens with "a)" and holds further lettered lines ("a) Công khai …", "b) Mời đại diện …")
    lists that many tasks of the row's body: the row becomes one row per item, the other cells shared."""
    if "task" not in roles:
        return
    ti = roles.index("task")
    out: list[list[Cell]] = []
    split = 0
    for row in table.rows:
        cell = row[ti] if ti < len(row) else None
        parts = _items(cell.text) if cell is not None else []
        if cell is None or len(parts) < 2:
            out.append(row)
            continue
        keyed = {k: _by_letter(c.text) for k, c in enumerate(row) if k != ti}
        for part in parts:
            letter = part[:2].rstrip(")").strip()
            out.append(
                [
                    Cell(part, cell.line_start, cell.line_end)
                    if k == ti
                    else Cell(keyed[k][letter], c.line_start, c.line_end)
                    if keyed.get(k) and letter in keyed[k]
                    else c
                    for k, c in enumerate(row)
                ]
            )
        split += 1
    if split:
        table.rows = out
        findings.append(
            Finding(
                "table_cell_items",
                "info",
                f"{split} task cells of the table at lines {table.line_start}-{table.line_end} list lettered items "
                "('a) …', 'b) …'): one task per item, the row's other cells shared.",
                table.line_start,
                table.line_end,
            )
        )


def attribute_rows(table: RawTable, roles: list[str | None], findings: list[Finding]) -> None:
    """A row with no number whose only cell holds labelled fields ("Sản phẩm: Văn bản hướng dẫn; Thời gian: Quý
    I/2026") gives them to the task row above: written after its task text in brackets, as a task's own closing
    assignment is read (closing_assignment)."""
    if "task" not in roles:
        return
    ti, ri = roles.index("task"), roles.index("ref") if "ref" in roles else None
    out: list[list[Cell]] = []
    moved = 0
    for row in table.rows:
        filled = [c for c in row if not c.blank]
        cell = row[ti] if ti < len(row) else None
        prev = out[-1] if out else None
        if (
            prev is not None
            and cell is not None
            and filled == [cell]
            and (ri is None or ri >= len(row) or row[ri].blank)
            and ti < len(prev)
            and not prev[ti].blank
            and ":" in cell.text
            and (parsed := parse_attributes(" ".join(cell.text.split())))[0]
            and not parsed[1].strip(" -*_")
        ):
            above = prev[ti]
            above.text = f"{above.text.rstrip()} ({' '.join(cell.text.split()).strip(' .')})"
            above.line_end = max(above.line_end, cell.line_end)
            moved += 1
            continue
        out.append(row)
    if moved:
        table.rows = out
        findings.append(
            Finding(
                "table_field_rows",
                "info",
                f"{moved} rows of the table at lines {table.line_start}-{table.line_end} hold only the fields of the "
                "task row above ('Sản phẩm: …; Thời gian: …'): read as that task's.",
                table.line_start,
                table.line_end,
            )
        )


def _items(text: str) -> list[str]:
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if len(lines) < 2 or not _ITEM.match(lines[0]):
        return []
    items: list[str] = []
    for ln in lines:
        if _ITEM.match(ln):
            items.append(ln.strip())
        else:
            items[-1] += "\n" + ln.strip()
    return items if len(items) >= 2 else []


def closing_assignment(d: dict) -> None:
    """A task text that ends with its own assignment in parentheses: the parts go to the fields the row's cells
    left empty, and the task keeps its words."""
    text = d.get("task_text") or ""
    if not text.endswith(")"):
        return
    attrs, rest = trailing_assignment(text)
    if not attrs or not rest:
        return
    d["task_text"] = rest
    for k, v in attrs.items():
        if not d.get(k):
            d[k] = v


_BOLD = re.compile(r"\*\*(?P<b>[^*]{2,150})\*\*")


def bold_lead(cell: str) -> tuple[str, str | None] | None:
    """One "Cơ quan thực hiện" cell listing every body, the one in charge in bold ("UBND các xã, phường, **Sở Tài
    chính**", a note under the table saying so): (the bold body, the others) or None."""
    if "**" not in cell:
        return None
    marks = list(_BOLD.finditer(cell))
    if len(marks) != 1:
        return None
    others = collapse_ws(strip_markup(_BOLD.sub(",", cell).replace("\n", " "))).strip(" ,;")
    others = re.sub(r"\s*,\s*(?:,\s*)+", ", ", others).strip(" ,;")
    return collapse_ws(marks[0]["b"]), others or None


_LABELLED_PARTNERS = re.compile(r"(?i)chủ\s*trì\s*[;,]\s*phối\s*hợp\s*:")


def combined_cells(d: dict) -> None:
    """ "Chủ trì: X; Phối hợp: Y" in one cell: the labelled parts go to their own fields; "X (chủ trì); Y (phối
    hợp)": the tagged names to theirs."""
    lead = d.get("lead")
    if lead and "(" in lead and (tagged := tagged_roles(lead)) is not None and not tagged[2].strip(" ,;."):
        d["lead"] = tagged[0]
        if tagged[1] and not d.get("support"):
            d["support"] = tagged[1]
    lead = d.get("lead")
    if (
        lead
        and "phối" in lead
        and not d.get("support")
        and not _LABELLED_PARTNERS.search(lead)  # "X chủ trì; phối hợp: Y; thời hạn: …": read below, by labels
        and (given := lead_and_partners(lead)) is not None
    ):
        d["lead"], d["support"] = given  # one "Cơ quan thực hiện" cell: "X, phối hợp với Y", "X chủ trì, Y phối hợp"
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
