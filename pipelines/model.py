"""The one table model every plan reader writes into, and the one constructor each of a finding row and a
quarantine row (the rows of stg_findings / stg_normalise_findings / stg_score_findings and of stg_quarantine /
stg_score_quarantine; pipelines/quality/schemas.py)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TaskRow:
    """One task of a plan, as written. Normalisation (codes, canonical agencies, dates) comes later."""

    task_ref: str | None  # the row's own number/letter when the plan gives one, e.g. "3.4.b"
    source_kind: str  # "table" | "narrative"
    reader: str  # which reader produced it: narrative | pipe_table | tab_table
    section_ref: str | None  # number of the section heading, e.g. "2" or "2.1.a"
    section_as_written: str | None
    section_heading: str | None  # the whole heading line, marker stripped
    subsection_as_written: str | None
    family_context: str | None  # PAPI | PAR_INDEX when a heading above says which index
    task_text: str
    output_text: str | None
    lead_as_written: str | None
    support_as_written: str | None
    timeline_text: str | None
    note_text: str | None
    line_start: int
    line_end: int
    section_inferred: bool = False  # heading lost in the export; section inferred from numbering

    def as_dict(self) -> dict:
        return dict(vars(self))  # flat fields: a shallow copy (dataclasses.asdict deep-copies, 10x slower)


@dataclass
class Finding:
    """A data-quality finding, produced where the problem is seen."""

    rule: str
    severity: str  # error | warning | info
    message: str
    line_start: int | None = None
    line_end: int | None = None
    related_table: str | None = None
    related_id: str | None = None

    def as_dict(self, document_id: str | None = None, source_path: str | None = None) -> dict:
        return finding_row(
            self.rule,
            self.severity,
            self.message,
            self.line_start,
            self.line_end,
            self.related_table,
            self.related_id,
            document_id=document_id,
            source_path=source_path,
        )


def finding_row(
    rule: str,
    severity: str,
    message: str,
    line_start: int | None = None,
    line_end: int | None = None,
    related_table: str | None = None,
    related_id: str | None = None,
    *,
    document_id: str | None = None,
    source_path: str | None = None,
) -> dict:
    """A row of a findings table: a rule, its severity, what a person should know, and where."""
    return {
        "rule": rule,
        "severity": severity,
        "document_id": document_id,
        "source_path": source_path,
        "line_start": line_start,
        "line_end": line_end,
        "message": message,
        "related_table": related_table,
        "related_id": related_id,
    }


def quarantine_row(
    source_path: str, raw_root: str, sha256: str | None, stage: str, reason: str, source_ref: str | None = None
) -> dict:
    """A row of a quarantine table: a rejected file (or, with source_ref, a row or cell of it) and why."""
    return {
        "source_path": source_path,
        "raw_root": raw_root,
        "sha256": sha256,
        "stage": stage,
        "reason": reason,
        "source_ref": source_ref,
    }


@dataclass
class ParsedPlan:
    tasks: list[TaskRow] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    readers_used: list[str] = field(default_factory=list)
