"""What every score loader (PAPI, PAR, PCI) makes: its rows, findings and quarantine rows, and the numbers it reads.

Apart from the loaders so that pipelines/sources/scores/pci.py and pipelines/sources/scores/scores.py share them without importing
each other."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from pipelines.model import finding_row, quarantine_row
from pipelines.sources.plans.ingest import RawFile


@dataclass
class ScoreLoad:
    scores: list[dict] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)
    skipped_rows: int = 0  # e.g. the workbook's maximum row (tinhid 999)
    layout_note: str | None = None  # how a file with a layout of its own was read (the PCI workbook's sheet, columns)


def score_quarantine(f: RawFile, sha: str | None, reason: str, ref: str | None) -> dict:
    """A score file, row or cell rejected while loading (stg_score_quarantine)."""
    return quarantine_row(f.source_path, f.root_label, sha, "score_load", reason, ref)


def score_finding(f: RawFile, rule: str, severity: str, message: str, ref: str) -> dict:
    """A finding about a score file's row or cell (stg_score_findings), about the score it gives."""
    return finding_row(
        rule, severity, message, related_table="fct_indicator_score", related_id=ref, source_path=f.source_path
    )


def score_row(
    f: RawFile,
    province_code: str,
    year: int,
    code: str,
    level: str,
    score: float | None,
    source: str,
    ref: str,
    column: str,
) -> dict:
    return {
        "province_key": f"2004-{province_code}",
        "province_code": province_code,
        "year": year,
        "indicator_code": code,
        "level": level,
        "score": score,
        "source": source,
        "source_ref": ref,
        "source_column": column,
        "source_path": f.source_path,
        "raw_root": f.root_label,
    }


def number(raw) -> tuple[float | None, str | None]:
    """(value, error). Empty is (None, None): missing, not an error."""
    if raw is None:
        return None, None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        v = float(raw)
    else:
        s = str(raw).strip()
        if s == "" or s.upper() in {"NA", "N/A"}:
            return None, None
        try:
            v = float(s)
        except ValueError:
            return None, f"non-numeric value {s!r}"
    if math.isnan(v):
        return None, None
    if math.isinf(v):
        return None, f"non-finite value {raw!r}"
    return v, None


# Published sub-dimension values can sit a little outside the nominal 1/n..10/n range (SC81 in 2020 is
# 0.3317 < 1/3): inside this slack they are kept and reported, beyond it they are quarantined.
RANGE_SLACK = 0.01


def check_range(v: float, lo: float, hi: float) -> str | None:
    if v < lo - RANGE_SLACK or v > hi + RANGE_SLACK:
        return f"value {v:g} outside its range {lo:g}-{hi:g}"
    return None


def _near_range(v: float, lo: float, hi: float) -> bool:
    return (v < lo - 1e-6 or v > hi + 1e-6) and check_range(v, lo, hi) is None


def _range_finding(f: RawFile, ref: str, ind: str, v: float, lo: float, hi: float) -> dict:
    return score_finding(
        f,
        "score_outside_nominal_range",
        "info",
        f"{ind} = {v:g} at {ref} is slightly outside the nominal range {lo:.4g}-{hi:.4g}; kept as published",
        ref,
    )
