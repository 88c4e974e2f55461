"""The targets a table gives per component of an index ("Chỉ tiêu phấn đấu năm 2026" over "≥ 5,45"), as target rows
of the warehouse: each for the component its row names, or the index's total."""

from __future__ import annotations

import hashlib
import re

from pipelines.normalise.indicators import map_heading
from pipelines.normalise.targets import find_table_targets
from pipelines.sources.plans.conform import conform_year, target_problem

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
