"""Normalise the staged plans: indicator codes, canonical agencies, dates, targets, quoted scores.

Input: the rows of stg_documents and stg_plan_tasks, and each document's text (for targets and quotes).
Output: plain rows for the staging tables stg_task_normalised, stg_task_agency, stg_plan_targets,
stg_plan_quoted_scores and stg_normalise_findings. Every unmapped heading, unknown agency and unparsed
timeline is reported as a finding; nothing is guessed silently.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field

from pipelines.model import finding_row
from pipelines.normalise import agencies as ag
from pipelines.normalise.indicators import Mapping, family_for, infer_between, map_heading
from pipelines.normalise.provinces import provinces_2004, units_2025
from pipelines.normalise.table_targets import table_target_rows
from pipelines.normalise.targets import TARGET_WORDS, find_quoted_scores, find_targets, target_indicator
from pipelines.normalise.timelines import parse_timeline
from pipelines.sources.plans.conform import conform_year, quoted_score_problem, target_problem
from pipelines.sources.plans.formats import location_of
from pipelines.sources.plans.lines import lines_containing
from pipelines.sources.plans.metadata import PLAN_TYPES


@dataclass
class Normalised:
    tasks: list[dict] = field(default_factory=list)
    task_agencies: list[dict] = field(default_factory=list)
    targets: list[dict] = field(default_factory=list)
    quoted_scores: list[dict] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)
    alias_use: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _finding(
    doc: dict, rule: str, severity: str, message: str, line_start=None, line_end=None, table=None, rid=None
) -> dict:
    return finding_row(
        rule,
        severity,
        message,
        line_start,
        line_end,
        table,
        rid,
        document_id=doc["document_id"],
        source_path=doc["source_path"],
    )


def _section_key(t: dict):
    ref = t.get("section_ref") or ""
    parts = []
    for p in ref.split("."):
        parts.append((0, int(p), "") if p.isdigit() else (1, 0, p))
    return tuple(parts)


def _parent(code: str) -> str:
    return code.rsplit(".", 1)[0]


def _indicator_of(
    heading: str | None, subsection: str | None, fam: str | None, task_text: str
) -> tuple[Mapping, Mapping | None]:
    """Indicator and sub-dimension of a task. A sub-dimension label names its dimension wherever it is written: in
    the sub-section (under a lost or unnamed dimension) or in the dimension's own place."""
    m = map_heading(heading, fam, "section", task_text)
    sub = None
    if m.code is None and m.rule != "outside_indices" and heading and fam in (None, "PAPI"):
        sm = map_heading(heading, "PAPI", "subdimension")
        if sm.code:
            return Mapping(_parent(sm.code), "from_subdimension", sm.aliases), sm
    if subsection and (m.rule == "no_heading" or (m.code or "").startswith("PAPI.D")):
        sm = map_heading(subsection, "PAPI", "subdimension")
        if m.code is None:  # no dimension written: the sub-dimension names it
            if sm.code and fam in (None, "PAPI"):
                return Mapping(_parent(sm.code), "from_subdimension", sm.aliases), sm
            # a sub-section that names a whole dimension or area (PCI sub-index, PAR criterion column)
            sec = map_heading(subsection, fam, "section", task_text)
            if sec.code:
                return Mapping(sec.code, "from_subsection", sec.aliases), None
            return m, None
        if sm.code and not sm.code.startswith(m.code + "."):
            sm = Mapping(None, "subdimension_of_other_dimension", sm.aliases)
        sub = sm
    return m, sub


@dataclass
class TaskIndicator:
    """One task with the indicator (and sub-indicator) its headings map to, and the index family it was read in."""

    task: dict
    family: str | None
    mapping: Mapping
    sub: Mapping | None


@dataclass(frozen=True)
class DocContext:
    """What every step needs to know about the document being normalised."""

    doc: dict
    indices: list[str]
    province_key: str | None
    is_city: bool | None
    issuer_unit: str | None

    @classmethod
    def of(cls, doc: dict) -> DocContext:
        province_key = (
            f"{doc.get('province_vintage') or 2004}-{doc['province_code']}" if doc.get("province_code") else None
        )
        units = units_2025() if doc.get("province_vintage") == 2025 else provinces_2004()
        is_city = {p.code: p.is_city for p in units}.get(doc.get("province_code") or "")
        issuer_unit = (
            re.sub(r"^(?:Ủy|Uỷ) ban nhân dân\s+", "", doc.get("issuer_name") or "", flags=re.IGNORECASE) or None
        )
        return cls(doc, list(doc.get("indices") or []), province_key, is_city, issuer_unit)


def normalise_document(
    doc: dict, tasks: list[dict], text: str | None, out: Normalised, locations: list[str | None] | None = None
) -> None:
    """`locations`: the place of each line of `text` in the original file (formats.Document.locations), given to
    the targets and findings of this document by their line; None for plain text."""
    n_targets, n_findings = len(out.targets), len(out.findings)
    _normalise_document(doc, tasks, text, out)
    for row, key in [(r, "line") for r in out.targets[n_targets:]] + [
        (r, "line_start") for r in out.findings[n_findings:]
    ]:
        row["source_location"] = location_of(locations, row.get(key)) if locations else None


def _normalise_document(doc: dict, tasks: list[dict], text: str | None, out: Normalised) -> None:
    """A document's tasks (indicator, timeline, agencies, task by task), then its targets and quoted scores."""
    ctx = DocContext.of(doc)
    if ctx.province_key is None and tasks:
        out.findings.append(
            _finding(
                doc,
                "province_unresolved",
                "warning",
                "the plan's province could not be read: its agencies are keyed UNRESOLVED "
                "(dim_agency) and its targets cannot be evaluated",
                1,
                1,
            )
        )
    rows = map_indicators(tasks, ctx.indices)
    fill_lost_headings(rows)
    reported: set[tuple] = set()  # a heading is reported once per plan
    seen_gone: set[tuple[str, str]] = set()  # a body no longer in force is reported once per plan
    for row in rows:
        report_indicator(ctx, row, reported, out)
        normalise_timeline(ctx, row, out)
        resolve_agencies(ctx, row.task, seen_gone, out)
    if text is None or (not tasks and doc.get("doc_type") not in PLAN_TYPES):
        return  # a document that is not a plan sets no targets (a report's figures are results)
    lines = text.split("\n")
    near = TaskNear(rows)
    extract_targets(ctx, lines, near, out)
    extract_table_targets(ctx, lines, out)
    extract_quoted_scores(ctx, lines, near, out)
    _internal_contradictions(doc, out)


def map_indicators(tasks: list[dict], indices: list[str]) -> list[TaskIndicator]:
    """Step 1: the indicator of each task, from its headings in the family it was read in."""
    rows = []
    for t in tasks:
        fam = family_for(t.get("family_context"), indices)
        heading = t.get("section_as_written")
        m, sub = _indicator_of(heading, t.get("subsection_as_written"), fam, t["task_text"])
        if (
            heading
            and "SIPAS" in heading
            and (m.code in (None, "PAR.IMPACT"))
            and (fam in ("SIPAS", None) or "SIPAS" in indices)
        ):
            m = Mapping("SIPAS.TOTAL", "family_total")  # a heading that names SIPAS: the tasks are on it
        if m.code is None and fam == "SIPAS" and m.rule != "outside_indices":
            m = Mapping("SIPAS.TOTAL", "family_total")  # SIPAS has no areas: a task under a SIPAS heading is on it
        if m.code is None and fam is None and len(indices) > 1:
            # a plan on several indices, the task under no index heading: the family whose vocabulary names it
            for f in indices:
                fm, fsub = _indicator_of(heading, t.get("subsection_as_written"), f, t["task_text"])
                if fm.code:
                    m, sub, fam = fm, fsub, f
                    break
        rows.append(TaskIndicator(t, fam, m, sub))
    return rows


def fill_lost_headings(rows: list[TaskIndicator]) -> None:
    """Step 1b: a section whose heading was lost gets the code between its neighbours' in section order."""
    sections = sorted({(_section_key(r.task), r.task.get("section_ref")) for r in rows})
    code_of: dict[str | None, str] = {}
    for r in rows:
        if r.mapping.code:
            code_of.setdefault(r.task.get("section_ref"), r.mapping.code)
    order = [ref for _k, ref in sections]
    for r in rows:
        if r.mapping.rule == "no_heading" and r.task.get("section_inferred"):
            i = order.index(r.task.get("section_ref"))
            prev_code = next((code_of[ref] for ref in reversed(order[:i]) if ref in code_of), None)
            next_code = next((code_of[ref] for ref in order[i + 1 :] if ref in code_of), None)
            guess = infer_between(prev_code, next_code)
            if guess:
                r.mapping = Mapping(guess, "inferred_from_neighbours")


def report_indicator(ctx: DocContext, row: TaskIndicator, reported: set[tuple], out: Normalised) -> None:
    """Findings for a heading that maps to no indicator, an inferred one, or an unmapped sub-section."""
    doc, t, fam, m, sub = ctx.doc, row.task, row.family, row.mapping, row.sub
    key = (t.get("section_ref"), t.get("section_as_written"))
    # a plan on no index (drug control, digital economy …): its headings are not meant to name an indicator
    if m.rule in ("unmapped", "no_heading") and key not in reported and ctx.indices:
        reported.add(key)
        what = (
            f"heading {t['section_as_written']!r}"
            if t.get("section_as_written")
            else f"section {t.get('section_ref')} (heading lost in the export)"
        )
        out.findings.append(
            _finding(
                doc,
                "indicator_unmapped",
                "warning",
                f"{what} maps to no indicator (family {fam or 'unknown'}); indicator_code left NULL",
                t["line_start"],
                t["line_end"],
                "fct_plan_task",
                t["task_id"],
            )
        )
    elif m.rule == "inferred_from_neighbours" and key not in reported:
        reported.add(key)
        out.findings.append(
            _finding(
                doc,
                "indicator_inferred",
                "info",
                f"section {t.get('section_ref')} lost its heading; {m.code} inferred from the "
                "neighbouring sections' order in the PAR methodology",
                t["line_start"],
                t["line_end"],
                "fct_plan_task",
                t["task_id"],
            )
        )
    if sub is not None and sub.code is None and (t.get("section_ref"), t["subsection_as_written"]) not in reported:
        reported.add((t.get("section_ref"), t["subsection_as_written"]))
        out.findings.append(
            _finding(
                doc,
                "subindicator_unmapped",
                "info",
                f"sub-section {t['subsection_as_written']!r} under {m.code} names "
                f"{'several sub-dimensions' if sub.rule == 'ambiguous' else 'no sub-dimension'}; "
                "subindicator_code left NULL",
                t["line_start"],
                t["line_end"],
                "fct_plan_task",
                t["task_id"],
            )
        )


def normalise_timeline(ctx: DocContext, row: TaskIndicator, out: Normalised) -> None:
    """Step 2: the task's due dates, and its stg_task_normalised row."""
    doc, t, m, sub = ctx.doc, row.task, row.mapping, row.sub
    tl = parse_timeline(t.get("timeline_text"))
    if tl.kind == "unparsed":
        out.findings.append(
            _finding(
                doc,
                "timeline_unparsed",
                "info",
                f"timeline {t['timeline_text']!r} has no recognised form; dates left NULL",
                t["line_start"],
                t["line_end"],
                "fct_plan_task",
                t["task_id"],
            )
        )
    issue = doc.get("issue_date")
    if tl.due_end and issue and tl.due_end < issue:
        out.findings.append(
            _finding(
                doc,
                "deadline_before_issue",
                "warning",
                f"deadline {tl.due_end.isoformat()} ({t['timeline_text']!r}) is before the plan's "
                f"issue date {issue.isoformat()}",
                t["line_start"],
                t["line_end"],
                "fct_plan_task",
                t["task_id"],
            )
        )
    out.tasks.append(
        {
            "task_id": t["task_id"],
            "document_id": doc["document_id"],
            "family": row.family,
            "indicator_code": m.code,
            "indicator_rule": m.rule,
            "subindicator_code": sub.code if sub else None,
            "subindicator_rule": sub.rule if sub else None,
            "due_start": tl.due_start,
            "due_end": tl.due_end,
            "recurrence": tl.recurrence,
            "timeline_kind": tl.kind,
            "timeline_event": tl.event,
        }
    )


def resolve_agencies(ctx: DocContext, t: dict, seen_gone: set[tuple[str, str]], out: Normalised) -> None:
    """Step 3: the canonical agencies a task names as lead and support, one bridge row per agency and role."""
    doc, province_key, issuer_unit, is_city = ctx.doc, ctx.province_key, ctx.issuer_unit, ctx.is_city
    seen: dict[tuple[str, str], dict] = {}
    for col, role in (("lead_as_written", "lead"), ("support_as_written", "support")):
        res = ag.resolve(t.get(col), role)
        for u in res.unknown:
            out.findings.append(
                _finding(
                    doc,
                    "agency_unknown",
                    "warning",
                    f"{col.split('_')[0]} agency text {u!r} (in {t.get(col)!r}) matches no "
                    "alias in raw/reference/agency_aliases.csv",
                    t["line_start"],
                    t["line_end"],
                    "fct_plan_task",
                    t["task_id"],
                )
            )
        for mtn in res.mentions:
            out.alias_use[mtn.alias] += 1
            a = ag.agencies()[mtn.code]
            issued = doc.get("issue_date")
            if a.valid_to and issued and issued.isoformat() >= a.valid_to and (mtn.code, "gone") not in seen_gone:
                seen_gone.add((mtn.code, "gone"))
                then = (
                    f"; its duties passed to {ag.agencies()[a.successor].name_vi}"
                    if a.successor in ag.agencies()
                    else ""
                )
                out.findings.append(
                    _finding(
                        doc,
                        "agency_not_in_force",
                        "warning",
                        f"{mtn.as_written!r} names a body that ceased on {a.valid_to}, before the "
                        f"plan's issue date {issued.isoformat()}{then}",
                        t["line_start"],
                        t["line_end"],
                        "fct_plan_task",
                        t["task_id"],
                    )
                )
            k = (mtn.code, mtn.role)
            if k in seen:  # one agency named twice in one cell: one bridge row, both spellings kept
                if mtn.as_written not in seen[k]["as_written"]:
                    seen[k]["as_written"] += "; " + mtn.as_written
                continue
            unit, unit_level = ag.unit_of(
                a, mtn.level_word, doc.get("issuer_level"), province_key, issuer_unit, is_city
            )
            seen[k] = {
                "task_id": t["task_id"],
                "document_id": doc["document_id"],
                "agency_code": mtn.code,
                "agency_province_key": None if a.is_group else province_key,
                "agency_unit_key": unit,
                "agency_unit_level": unit_level,
                "name_vi": a.name_in(
                    unit_level, issuer_unit if unit_level == doc.get("issuer_level") else None, is_city
                ),
                "role": mtn.role,
                "as_written": mtn.as_written,
            }
    out.task_agencies.extend(seen.values())


class TaskNear:
    """The task a line of the text belongs to (or, for a line between tasks, the task starting within 4 lines)."""

    def __init__(self, rows: list[TaskIndicator]):
        self.rows = rows
        self.by_line: dict[int, int] = {}
        self.starts = sorted((r.task["line_start"], r.task["line_end"], i) for i, r in enumerate(rows))
        for s, e, i in self.starts:
            for n in range(s, e + 1):
                self.by_line.setdefault(n, i)

    def inside(self, n: int) -> bool:
        return n in self.by_line

    def __call__(self, n: int) -> TaskIndicator | None:
        if n in self.by_line:
            return self.rows[self.by_line[n]]
        nxt = [i for s, _e, i in self.starts if n < s <= n + 4]
        return self.rows[nxt[0]] if nxt else None


def extract_table_targets(ctx: DocContext, lines: list[str], out: Normalised) -> None:
    """Step 4b: the targets tables give per component (normalise/table_targets.py)."""
    taken = {(t["line"], t["value"]) for t in out.targets if t["document_id"] == ctx.doc["document_id"]}
    rows, rejected = table_target_rows(ctx.doc, ctx.indices, ctx.province_key, lines, taken)
    out.targets.extend(rows)
    for line, why, quote in rejected:
        out.findings.append(
            _finding(ctx.doc, "target_rejected", "warning", f"Not a target: {why} ({quote[:80]!r})", line, line)
        )


def extract_targets(ctx: DocContext, lines: list[str], task_near: TaskNear, out: Normalised) -> None:
    """Step 4: the numeric targets of every line, with the task and indicator they belong to."""
    doc, indices = ctx.doc, ctx.indices
    plan_year = doc.get("plan_year_end") or doc.get("plan_year_start")
    for i in lines_containing(TARGET_WORDS, lines):
        n, line = i + 1, lines[i]
        hits = find_targets(line)
        ids: list[str] = []
        for h in hits:
            near = task_near(n)
            task_id = near.task["task_id"] if near and task_near.inside(n) else None
            code = target_indicator(h, line, near.mapping.code if near is not None else None, indices)
            tid = hashlib.md5(f"{doc['document_id']}|{n}|{len(ids)}|{h.quote}".encode()).hexdigest()[:16]
            ids.append(tid)
            row = {
                "target_id": tid,
                "document_id": doc["document_id"],
                "task_id": task_id,
                "indicator_code": code,
                "province_key": ctx.province_key,
                "target_year": conform_year(h.year_hint or plan_year),
                "metric_text": h.metric_text[:300],
                "comparator": h.comparator,
                "value": h.value,
                "unit": h.unit,
                "share_comparator": h.share_comparator,
                "share_value": h.share_value,
                "paired_with_target_id": ids[h.paired_with_index] if h.paired_with_index is not None else None,
                "line": n,
                "quote": h.quote[:300],
                "source_path": doc["source_path"],
            }
            if why := target_problem(row):  # a misread figure is a finding, never a stop
                out.findings.append(
                    _finding(doc, "target_rejected", "warning", f"Not a target: {why} ({h.quote[:80]!r})", n, n)
                )
                continue
            out.targets.append(row)


def extract_quoted_scores(ctx: DocContext, lines: list[str], task_near: TaskNear, out: Normalised) -> None:
    """Step 5: index scores the plan states about its own province; an 'increase' to a lower value is an error."""
    doc = ctx.doc

    def dim_at(n: int) -> str | None:
        near = task_near(n)
        code = near.mapping.code if near else None
        return code if code and code.startswith("PAPI.D") else None

    for n, q in find_quoted_scores(lines, dim_at):
        row = {
            "document_id": doc["document_id"],
            "province_key": ctx.province_key,
            "year": q.year,
            "indicator_code": q.indicator_code,
            "score": q.score,
            "rank": q.rank,
            "n_ranked": q.n_ranked,
            "claim": q.claim,
            "previous_score": q.previous_score,
            "previous_year": q.previous_year,
            "line": n,
            "quote": q.quote[:400],
            "source_path": doc["source_path"],
            "source_ref": f"{doc['source_path']}:{n}",
        }
        if why := quoted_score_problem(row):
            out.findings.append(_finding(doc, "quoted_score_rejected", "warning", f"Not a score: {why}", n, n))
            continue
        out.quoted_scores.append(row)
        if (
            q.claim == "increase"
            and q.previous_score is not None
            and q.score is not None
            and q.score < q.previous_score
        ):
            out.findings.append(
                _finding(
                    doc,
                    "increase_to_lower_value",
                    "error",
                    f"{q.indicator_code}: written as an increase ('tăng từ {q.previous_score:.2f} lên "
                    f"{q.score:.2f}') but the new value is lower",
                    n,
                    n,
                    "fct_indicator_score",
                    f"{doc['source_path']}:{n}",
                )
            )


def _internal_contradictions(doc: dict, out: Normalised) -> None:
    """The same baseline stated twice with different values, and totals that are not the sum of their parts."""
    mine = [q for q in out.quoted_scores if q["document_id"] == doc["document_id"]]
    by_key = defaultdict(list)
    for q in mine:
        by_key[(q["indicator_code"], q["year"])].append(q)
    for (code, year), qs in sorted(by_key.items()):
        vals = sorted({q["score"] for q in qs if q["score"] is not None})
        if len(vals) > 1:
            lines = sorted({q["line"] for q in qs})
            out.findings.append(
                _finding(
                    doc,
                    "baseline_conflict",
                    "error",
                    f"{code} {year} is stated with different values: "
                    + ", ".join(f"{q['score']:.2f} (line {q['line']})" for q in qs),
                    lines[0],
                    lines[-1],
                    "fct_indicator_score",
                    f"{code}|{year}",
                )
            )
    for q in mine:
        if q["indicator_code"] != "PAPI.TOTAL" or not (q["claim"] or "").startswith("sum_of_"):
            continue
        k = int(q["claim"].split("_")[2])
        dims: dict[str, float] = {}
        for d in mine:
            if d["year"] == q["year"] and d["indicator_code"].startswith("PAPI.D") and d["line"] < q["line"]:
                dims.setdefault(d["indicator_code"], d["score"])
        if len(dims) == k:
            s = round(sum(dims.values()), 2)
            if abs(s - q["score"]) > 0.015:
                out.findings.append(
                    _finding(
                        doc,
                        "total_not_sum",
                        "error",
                        f"PAPI.TOTAL {q['year']} is stated as {q['score']:.2f}, but the {k} dimension "
                        f"scores the plan states sum to {s:.2f}",
                        q["line"],
                        q["line"],
                        "fct_indicator_score",
                        q["source_ref"],
                    )
                )


def normalise(
    documents: list[dict],
    tasks: list[dict],
    texts: dict[str, str | None],
    locations: dict[str, list[str | None]] | None = None,
) -> Normalised:
    out = Normalised()
    by_doc = defaultdict(list)
    for t in tasks:
        by_doc[t["document_id"]].append(t)
    for d in documents:
        normalise_document(
            d,
            sorted(by_doc[d["document_id"]], key=lambda t: t["task_seq"]),
            texts.get(d["document_id"]),
            out,
            (locations or {}).get(d["document_id"]),
        )
    return out
