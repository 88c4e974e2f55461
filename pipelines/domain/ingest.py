"""Raw roots, file discovery, and one document -> (document row, task rows, findings) or quarantine.

Every file under a `plans/` folder of a raw root ends up either in `documents` or in `quarantine`.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .consistency import stated_count_findings
from .contradictions import (duplicate_task_findings, foreign_issuer_findings, issue_date_findings,
                             table_label_findings)
from .provinces import provinces_2004
from .decode import DecodeError, decode_document, document_id_for, sha256_bytes
from .lines import find_repeated_blocks, mask_lines
from .metadata import extract_metadata, not_a_plan
from .model import Finding, ParsedPlan
from .plan import PlanParseError, parse_plan, task_text_in_lines

PROJECT_DIR = Path(__file__).resolve().parents[2]
RAW_EXTRA_ENV = "GOVDATA_RAW_EXTRA"


def raw_roots() -> list[Path]:
    """`raw/` plus every folder in GOVDATA_RAW_EXTRA (os.pathsep-separated), existing ones only."""
    roots = [PROJECT_DIR / "raw"]
    for part in os.environ.get(RAW_EXTRA_ENV, "").split(os.pathsep):
        if part.strip():
            p = Path(part.strip())
            p = p if p.is_absolute() else (PROJECT_DIR / p)
            if p.resolve() not in [r.resolve() for r in roots]:
                roots.append(p)
    return [r for r in roots if r.is_dir()]


@dataclass(frozen=True)
class RawFile:
    root: Path
    path: Path

    @cached_property  # pathlib work, asked for again and again for the same file
    def source_path(self) -> str:
        """Path relative to its raw root, as stored in the warehouse."""
        return self.path.relative_to(self.root).as_posix()

    @cached_property
    def root_label(self) -> str:
        return "raw" if self.root == PROJECT_DIR / "raw" else str(self.root)


def discover(kind: str, roots: list[Path] | None = None) -> list[RawFile]:
    """Every file under `<root>/<kind>/` at any depth, hidden files included (they must be accounted for)."""
    out: list[RawFile] = []
    for root in roots if roots is not None else raw_roots():
        base = root / kind
        if not base.is_dir():
            continue
        for dirpath, _dirs, files in os.walk(base):
            for name in sorted(files):
                out.append(RawFile(root, Path(dirpath) / name))
    return sorted(out, key=lambda f: (str(f.root), f.source_path))


def file_fingerprint(f: RawFile) -> str:
    """Cheap change key for sensors and partitions: sha256 of the bytes."""
    return hashlib.sha256(f.path.read_bytes()).hexdigest()


@dataclass
class DocumentResult:
    document: dict | None
    tasks: list[dict]
    findings: list[dict]
    quarantine: dict | None


def quarantine_row(source_path: str, root: str, sha256: str | None, stage: str, reason: str) -> dict:
    return {
        "source_path": source_path,
        "raw_root": root,
        "sha256": sha256,
        "stage": stage,
        "reason": reason,
        "detected_at": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
    }


def _contradictions(meta, parsed: ParsedPlan, lines: list[str]) -> list[Finding]:
    date_line = next((i for i, ln in enumerate(lines[:40], start=1)
                      if meta.issue_date and "ngày" in ln and str(meta.issue_date.year) in ln), None)
    is_city = {p.code: p.is_city for p in provinces_2004()}.get(meta.province_code)
    return (issue_date_findings(meta.issue_date, meta.plan_year_start, date_line)
            + foreign_issuer_findings(lines, meta.doc_numbers, meta.issuer_level, is_city)
            + table_label_findings(parsed.tasks) + duplicate_task_findings(parsed.tasks))


def process_document(f: RawFile, data: bytes | None = None) -> DocumentResult:
    """Decode, extract metadata and tasks. Never raises for bad input: bad input is quarantined."""
    source_path, root_label = f.source_path, f.root_label  # pathlib work: once per document, not per row
    if data is None:
        try:
            data = f.path.read_bytes()
        except OSError as e:
            return DocumentResult(None, [], [], quarantine_row(source_path, root_label, None, "read", f"unreadable: {e}"))
    sha = sha256_bytes(data)
    try:
        decoded = decode_document(data)
    except DecodeError as e:
        return DocumentResult(None, [], [], quarantine_row(source_path, root_label, sha, "decode", str(e)))
    lines = decoded.text.split("\n")
    meta, meta_findings = extract_metadata(decoded.text)
    why_not = not_a_plan(meta, lines)
    try:
        blocks = find_repeated_blocks(lines)
        parsed = ParsedPlan() if why_not else parse_plan(decoded.text, lines, blocks)
    except PlanParseError as e:
        return DocumentResult(None, [], [], quarantine_row(source_path, root_label, sha, "parse", str(e)))
    except Exception as e:  # a reader bug must not stop the other documents
        return DocumentResult(None, [], [], quarantine_row(
            source_path, root_label, sha, "parse", f"reader error {type(e).__name__}: {e}"))
    if why_not:
        meta_findings.append(Finding("not_a_plan", "info", f"Not read for tasks: {why_not}.", 1, len(lines)))
    doc_id = document_id_for(decoded.text)
    counted = stated_count_findings(mask_lines(lines, blocks)) + _contradictions(meta, parsed, lines)
    findings = [x.as_dict() for x in meta_findings + parsed.findings + counted]
    tasks = []
    for i, t in enumerate(parsed.tasks, start=1):
        row = t.as_dict()
        row["document_id"] = doc_id
        row["task_seq"] = i
        row["task_id"] = f"{doc_id}-{i:04d}"
        row["source_path"] = source_path
        if not task_text_in_lines(t.task_text, lines, t.line_start, t.line_end):
            findings.append({"rule": "provenance_mismatch", "severity": "error",
                             "message": f"Task {row['task_id']} text not found in lines {t.line_start}-{t.line_end}.",
                             "line_start": t.line_start, "line_end": t.line_end,
                             "related_table": "fct_plan_task", "related_id": row["task_id"]})
        tasks.append(row)
    for x in findings:
        x["document_id"] = doc_id
        x["source_path"] = source_path
    doc = {
        "document_id": doc_id,
        "source_path": source_path,
        "raw_root": root_label,
        "sha256": sha,
        "size_bytes": decoded.size_bytes,
        "encoding": decoded.encoding,
        "n_lines": len(lines),
        "readers": ",".join(parsed.readers_used),
        **{k: v for k, v in meta.as_dict().items() if k not in ("province_name",)},
        "province_name": meta.province_name,
        "n_tasks": len(tasks),
    }
    return DocumentResult(doc, tasks, findings, None)
