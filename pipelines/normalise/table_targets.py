"""The targets a table gives per component of an index ("Chỉ tiêu phấn đấu năm 2026" over "≥ 5,45"), as target rows
of the warehouse: each for the component its row names, or the index's total."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from pipelines.normalise.indicators import map_heading
from pipelines.normalise.targets import _num
from pipelines.sources.plans.conform import conform_year, target_problem
from pipelines.sources.plans.lines import lines_containing

_TOTAL_WORDS = re.compile(r"(?i)tổng điểm|điểm tổng hợp|chỉ số tổng hợp|chỉ số (?:papi|pci|par index|sipas)\b")
_FAMILY_TOTAL = {"PAPI": "PAPI.TOTAL", "PCI": "PCI.TOTAL", "PAR_INDEX": "PAR.TOTAL", "SIPAS": "SIPAS.TOTAL"}


def table_target_rows(
    doc: dict, indices: list[str], province_key: str | None, lines: list[str], taken: set[tuple[int, float]]
) -> tuple[list[dict], list[tuple[int, str, str]]]:
    """(target rows, (line, why, quote) of each figure that is no target) for a plan of one index; a row whose words
    name no component of it, or a figure a line's own words gave already (`taken`: line, value), is left out."""
    if len(indices) != 1:
        return [], []
    fam = indices[0]
    rows: list[dict] = []
    rejected: list[tuple[int, str, str]] = []
    for tt in find_table_targets(lines):
        if (tt.line, tt.value) in taken:
            continue
        code = _FAMILY_TOTAL.get(fam) if _TOTAL_WORDS.search(tt.component) else map_heading(tt.component, fam).code
        if code is None:
            continue
        row = {
            "target_id": hashlib.md5(f"{doc['document_id']}|{tt.line}|table|{tt.quote}".encode()).hexdigest()[:16],
            "document_id": doc["document_id"],
            "task_id": None,
            "indicator_code": code,
            "province_key": province_key,
            "target_year": conform_year(tt.year),
            "metric_text": tt.component[:300],
            "comparator": tt.comparator,
            "value": tt.value,
            "unit": tt.unit,
            "share_comparator": None,
            "share_value": None,
            "paired_with_target_id": None,
            "line": tt.line,
            "quote": tt.quote[:300],
            "source_path": doc["source_path"],
        }
        if why := target_problem(row):  # a misread figure is a finding, never a stop
            rejected.append((tt.line, why, tt.quote))
            continue
        rows.append(row)
    return rows, rejected


# "Chỉ tiêu phấn đấu năm 2026", "Mục tiêu năm 2026": the column of a table that gives each component its target
_TARGET_COLUMN = re.compile(r"(?i)(?:chỉ tiêu|mục tiêu|phấn đấu)[^|]{0,30}?(?:năm\s+)?(?P<year>20\d\d)")
_CELL_TARGET = re.compile(
    r"(?i)^[^\w≥≤<>]*(?:(?P<ge>≥|>=|từ|tối thiểu|không dưới|ít nhất)|(?P<gt>>|trên)|(?P<le>≤|<=|tối đa|không quá)|"
    r"(?P<lt><|dưới))?\s*(?P<v>\d{1,3}(?:[.,]\d{1,2})?)\s*(?P<pct>%)?\s*(?:điểm)?\s*(?P<up>trở lên)?\W*$"
)


@dataclass
class TableTarget:
    line: int  # 1-based
    component: str  # the row's words that name what the target is for
    comparator: str
    value: float
    unit: str
    year: int
    quote: str


def _cells(line: str) -> list[str]:
    inner = line.strip()
    return [c.strip().strip("*").strip() for c in inner.strip("|").split("|")]


def find_table_targets(lines: list[str]) -> list[TableTarget]:
    """Targets a table gives per row: a header column "Chỉ tiêu phấn đấu năm 2026" over cells such as "≥ 5,45",
    "Từ 5,90 trở lên", "Trên 4,75", each for the component its row names (tables as their pipe rows)."""
    out: list[TableTarget] = []
    header_at = [i for i in lines_containing(("chỉ tiêu", "mục tiêu", "phấn đấu"), lines) if lines[i].count("|") >= 3]
    for i in header_at:
        cells = _cells(lines[i])
        col = next((k for k, c in enumerate(cells) if _TARGET_COLUMN.search(c)), None)
        if col is None:
            continue
        year = int(_TARGET_COLUMN.search(cells[col])["year"])  # type: ignore[index]
        for j in range(i + 1, min(len(lines), i + 60)):
            if lines[j].count("|") < 3:
                break
            row = _cells(lines[j])
            if len(row) != len(cells) or set("".join(row)) <= set("-: "):
                continue
            m = _CELL_TARGET.match(row[col])
            words = [c for k, c in enumerate(row) if k != col and re.search(r"[^\W\d_]{3}", c)]
            if m is None or not words:
                continue
            comparator, unit = _cell_comparator(m), "percent" if m["pct"] else "points"
            out.append(TableTarget(j + 1, words[0], comparator, _num(m["v"]), unit, year, row[col]))
    return out + _spaced_table_targets(lines)


def _cell_comparator(m: re.Match) -> str:
    return ">=" if m["ge"] or m["up"] else ">" if m["gt"] else "<=" if m["le"] else "<" if m["lt"] else "="


def _spaced_heads(lines: list[str]) -> list[int]:
    """Lines that may head a table laid out by spaces with a target column (no pipe, wide gaps)."""
    return [
        i
        for i in lines_containing(("chỉ tiêu", "mục tiêu", "phấn đấu"), lines)
        if "|" not in lines[i] and lines[i].count("  ") >= 2 and _TARGET_LABEL.search(lines[i])
    ]


_TARGET_LABEL = re.compile(r"(?i)(?:chỉ tiêu|mục tiêu)(?:\s+phấn đấu)?|phấn đấu")


def _spaced_table_targets(lines: list[str]) -> list[TableTarget]:
    """The same, in a table laid out by spaces (formats/column_tables.py): the target column's label may wrap onto the
    next line with its year ("Chỉ tiêu phấn đấu" over "năm 2026")."""
    from pipelines.sources.plans.formats.column_tables import spaced_rows

    out: list[TableTarget] = []
    for i in _spaced_heads(lines):
        read = spaced_rows(lines, i)
        if read is None:
            continue
        header, rows = read
        col = next((k for k, c in enumerate(header) if _TARGET_COLUMN.search(c.text)), None)
        if col is None:
            continue
        year = int(_TARGET_COLUMN.search(header[col].text)["year"])  # type: ignore[index]
        for row in rows:
            m = _CELL_TARGET.match(row[col].text)
            words = [c.text for k, c in enumerate(row) if k != col and re.search(r"[^\W\d_]{3}", c.text)]
            if m is None or not words:
                continue
            comparator, unit = _cell_comparator(m), "percent" if m["pct"] else "points"
            out.append(TableTarget(row[col].line_start, words[0], comparator, _num(m["v"]), unit, year, row[col].text))
    return out
