"""Reading accuracy on documents the readers were not written against: `make accuracy`.

Every fixture folder under tests/fixtures/ (a folder holding `<id>.meta.json` files) is measured: layouts/ (hand-written
plans of other provinces and levels, one layout each), real/ (expected rows for real plans in raw/plans/), and any
other, such as published/ (plans as published: .docx, .pdf, .html). A fixture's document is `<id>` with any plan
extension (.txt, .docx, .pdf, .html, .htm, .doc; several documents of one id are measured each on its own), and
its expected rows are in the format tests/fixtures/layouts/README.md describes (lines counted in the document's
normalised text). Files named `bad_*` without expected rows must be quarantined with a stated reason.
This module reads each document with the code the pipeline runs (ingest.process_document, then normalise), matches
the extracted tasks to the expected ones by their opening words, and reports precision/recall per file, per field
and per format. `python -m pipelines.accuracy` prints the tables and writes docs/accuracy.md.
"""

from __future__ import annotations

import csv
import difflib
import json
import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .domain.ingest import RawFile, process_document
from .domain.lines import html_to_text
from .domain.normalise import normalise

PROJECT = Path(__file__).resolve().parents[1]
FIXTURES = PROJECT / "tests" / "fixtures"
LAYOUTS = FIXTURES / "layouts"
REAL = FIXTURES / "real"
PLANS = PROJECT / "raw" / "plans"
DOCUMENT_EXTENSIONS = (".txt", ".docx", ".pdf", ".html", ".htm", ".doc")

FIELDS = ("indicator", "subindicator", "lead", "support", "timeline", "output")


def _norm(s: str | None) -> str:
    s = unicodedata.normalize("NFC", html_to_text(s or ""))
    s = re.sub(r"\s+", " ", s).strip().lower()
    return s.lstrip("-–•+* ").strip(" .;:")


def _codes(s: str | None) -> frozenset[str]:
    return frozenset(c.strip() for c in (s or "").replace("|", ";").split(";") if c.strip())


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class FileResult:
    name: str
    layout: str
    is_plan: bool
    format: str
    n_expected: int
    n_extracted: int
    counts: dict[str, Counts] = field(default_factory=dict)
    agency_mentions: int = 0
    agency_unknown: int = 0
    doc_checks: dict[str, tuple[object, object]] = field(default_factory=dict)
    quarantined: str | None = None
    misses: list[str] = field(default_factory=list)
    folder: str = ""  # the fixture folder under tests/fixtures/ (layouts, real, published …)


@dataclass
class Fixture:
    name: str
    text_path: Path  # the document, in any plan format
    meta: dict
    expected: list[dict]
    targets: list[dict]
    folder: str = ""  # its fixture folder under tests/fixtures/

    @property
    def format(self) -> str:
        ext = self.text_path.suffix.lower().lstrip(".")
        return "html" if ext == "htm" else ext


def fixture_folders() -> list[tuple[Path, Path]]:
    """(folder of expected rows, folder of its documents): real/ reads raw/plans/, every other folder its own files."""
    out = [(REAL, PLANS)] if REAL.is_dir() else []
    for d in sorted(p for p in FIXTURES.iterdir() if p.is_dir() and p != REAL):
        if any(d.glob("*.meta.json")):
            out.append((d, d))
    return out


def documents_of(folder: Path, stem: str) -> list[Path]:
    return sorted(
        p
        for p in folder.glob(f"{stem}.*")
        if p.suffix.lower() in DOCUMENT_EXTENSIONS and p.name == stem + p.suffix and p.is_file()
    )


def fixtures(folders: list[tuple[Path, Path]] | None = None) -> list[Fixture]:
    out = []
    for folder, text_dir in fixture_folders() if folders is None else folders:
        for meta_path in sorted(folder.glob("*.meta.json")):
            stem = meta_path.name[: -len(".meta.json")]
            docs = documents_of(text_dir, stem)

            def rows(suffix: str) -> list[dict]:  # called in this iteration: the loop names are current
                p = folder / f"{stem}.{suffix}.csv"  # noqa: B023
                if not p.exists():
                    return []
                with open(p, encoding="utf-8", newline="") as f:
                    return list(csv.DictReader(f))

            meta, expected, targets = (
                json.loads(meta_path.read_text(encoding="utf-8")),
                rows("expected"),
                rows("targets"),
            )
            for doc in docs:  # one result per document: p01.docx and p01.pdf are measured apart
                name = stem if len(docs) == 1 and doc.suffix == ".txt" else doc.name
                out.append(Fixture(name, doc, meta, expected, targets, folder.name))
    return out


def bad_files(folders: list[tuple[Path, Path]] | None = None) -> list[tuple[str, str | None]]:
    """(file, quarantine reason or None when it was read) for every `bad_*` document without expected rows."""
    out = []
    for folder, text_dir in fixture_folders() if folders is None else folders:
        for p in sorted(text_dir.glob("bad_*")):
            stem = p.name.split(".")[0]
            if (
                p.is_file()
                and not p.name.endswith((".json", ".csv", ".md"))
                and not (folder / f"{stem}.meta.json").exists()
            ):
                res = process_document(RawFile(p.parent, p))
                if res.quarantine:
                    out.append((f"{folder.name}/{p.name}", res.quarantine["reason"]))
                elif res.document and res.document.get("text_source") == "ocr":
                    # a scan is quarantined "needs OCR" only where Tesseract is absent; read by OCR, it is marked
                    out.append(
                        (f"{folder.name}/{p.name}", "read by OCR (text_source = 'ocr', findings of low confidence)")
                    )
                else:
                    out.append((f"{folder.name}/{p.name}", None))
    return out


def _bad_outcome(reason: str | None) -> str:
    if reason is None:
        return "READ (expected a quarantine with its reason)"
    return reason if reason.startswith("read by OCR") else "quarantined: " + reason


def read_and_normalise(path: Path):
    res = process_document(RawFile(path.parent, path))
    if res.document is None:
        return res, None
    from .domain.formats import read_document

    decoded = read_document(path.read_bytes(), path.name)
    doc_id = res.document["document_id"]
    norm = normalise([res.document], res.tasks, {doc_id: decoded.text}, {doc_id: decoded.locations})
    return res, norm


def _match(expected: list[dict], tasks: list[dict]) -> list[tuple[dict, dict | None]]:
    """Each expected row to the first unused extracted task whose text starts with its opening words
    (or nearly: typos in the fixture's copy, markup), in document order."""
    used: set[int] = set()
    texts = [_norm(t["task_text"]) for t in tasks]
    pairs = []
    for e in expected:
        want = _norm(e["task_text_start"])[:60]
        hit = None
        for i, t in enumerate(texts):
            if i not in used and want and t.startswith(want[:40]):
                hit = i
                break
        if hit is None:
            best, best_r = None, 0.0
            for i, t in enumerate(texts):
                if i in used:
                    continue
                r = difflib.SequenceMatcher(None, want, t[: len(want)]).ratio()
                if r > best_r:
                    best, best_r = i, r
            if best is not None and best_r >= 0.85:
                hit = best
        if hit is not None:
            used.add(hit)
        pairs.append((e, tasks[hit] if hit is not None else None))
    return pairs


def _text_equal(want: str | None, got: str | None) -> bool:
    a, b = _norm(want), _norm(got)
    if not a:
        return not b
    return bool(b) and (a == b or a in b or b in a and len(b) >= 0.8 * len(a))


def evaluate(fx: Fixture) -> FileResult:
    res, norm = read_and_normalise(fx.text_path)
    is_plan = bool(fx.meta.get("is_plan", True))
    r = FileResult(fx.name, fx.meta.get("layout", ""), is_plan, fx.format, len(fx.expected), len(res.tasks))
    r.folder = fx.folder
    r.counts = {k: Counts() for k in ("task", *FIELDS, "targets", "findings")}
    if res.document is None:
        r.quarantined = res.quarantine["reason"] if res.quarantine else "?"
        r.counts["task"].fn = len(fx.expected)
        r.counts["targets"].fn = len(fx.targets)
        return r
    doc = res.document
    for key in ("doc_type", "issuer_level", "province_code", "doc_number", "issue_date"):
        if key in ("issuer_level", "province_code") and fx.meta.get("doc_type") == "Tin bài":
            continue  # a news item has no issuer of its own: its portal's owner is in the page furniture dropped
        if key in fx.meta:
            got = doc.get(key)
            if key == "doc_number":
                got = (doc.get("doc_numbers") or [None])[0]
            if key == "issue_date" and got is not None:
                got = got.isoformat()
            r.doc_checks[key] = (fx.meta[key], got)
    nt = {t["task_id"]: t for t in norm.tasks}
    agencies: dict[tuple[str, str], set[str]] = defaultdict(set)
    for a in norm.task_agencies:
        agencies[(a["task_id"], a["role"])].add(a["agency_code"])
    r.agency_mentions = len(norm.task_agencies)
    r.agency_unknown = sum(1 for f in norm.findings if f["rule"] == "agency_unknown")
    r.agency_mentions += r.agency_unknown

    pairs = _match(fx.expected, res.tasks)
    matched = {id(t) for _e, t in pairs if t is not None}
    c = r.counts["task"]
    c.tp = len(matched)
    c.fn = len(fx.expected) - c.tp
    c.fp = len(res.tasks) - c.tp
    for t in res.tasks:
        if id(t) not in matched and len(r.misses) < 400:
            r.misses.append(f"extra  line {t['line_start']}: {t['task_text'][:70]}")
    for e, t in pairs:
        if t is None:
            if len(r.misses) < 400:
                r.misses.append(f"missed: {e['task_text_start'][:70]}")
            continue
        n = nt.get(t["task_id"], {})
        for fld, want, got in (
            ("indicator", e.get("indicator_code"), n.get("indicator_code")),
            ("subindicator", e.get("subindicator_code"), n.get("subindicator_code")),
        ):
            _score_value(r, fld, want or None, got or None, e)
        for role in ("lead", "support"):
            want_c, got_c = _codes(e.get(role)), agencies.get((t["task_id"], role), set())
            cc = r.counts[role]
            cc.tp += len(want_c & got_c)
            cc.fp += len(got_c - want_c)
            cc.fn += len(want_c - got_c)
            if want_c != got_c and len(r.misses) < 400:
                r.misses.append(f"{role:7}{e['task_text_start'][:40]!r}: want {sorted(want_c)} got {sorted(got_c)}")
        for fld, col in (("timeline", "timeline_text"), ("output", "output_text")):
            want, got = e.get(fld) or None, t.get(col)
            cc = r.counts[fld]
            if want and _text_equal(want, got):
                cc.tp += 1
            else:
                if want:
                    cc.fn += 1
                if got and not (want and _text_equal(want, got)):
                    cc.fp += 1
    _score_targets(r, fx, norm.targets)
    _score_findings(r, fx, res.findings + norm.findings)
    return r


def _score_value(r: FileResult, fld: str, want, got, e) -> None:
    cc = r.counts[fld]
    if want is None and got is None:
        return
    if want == got:
        cc.tp += 1
        return
    if want is not None:
        cc.fn += 1
    if got is not None:
        cc.fp += 1
    if len(r.misses) < 400:
        r.misses.append(f"{fld:7}{e['task_text_start'][:40]!r}: want {want} got {got}")


def _score_targets(r: FileResult, fx: Fixture, got: list[dict]) -> None:
    """A target is found when a row with its comparator and value was read from the line that holds its words."""
    cc = r.counts["targets"]
    used: set[int] = set()
    from .domain.formats import read_document

    lines = read_document(fx.text_path.read_bytes(), fx.text_path.name).text.split("\n")
    for e in fx.targets:
        want_q = _norm(e["quote_contains"])
        hit = None
        for i, g in enumerate(got):
            if i in used:
                continue
            line = _norm(lines[g["line"] - 1]) if 0 < g["line"] <= len(lines) else ""
            if (
                (want_q in _norm(g["quote"]) or _norm(g["quote"]) in want_q or want_q in line)
                and g["comparator"] == e["comparator"]
                and abs(float(g["value"]) - float(e["value"])) < 1e-6
            ):
                hit = i
                break
        if hit is None:
            cc.fn += 1
            if len(r.misses) < 400:
                r.misses.append(
                    f"target missed: {e['comparator']} {e['value']} {e['unit']} '{e['quote_contains'][:50]}'"
                )
        else:
            used.add(hit)
            cc.tp += 1
    cc.fp += len(got) - len(used)


def _score_findings(r: FileResult, fx: Fixture, got: list[dict]) -> None:
    cc = r.counts["findings"]
    for e in fx.meta.get("findings", []):
        line = e.get("line")
        ok = any(
            g["rule"] == e["rule"]
            and (
                line is None
                or g.get("line_start") is None
                or abs((g.get("line_start") or 0) - line) <= 2
                or (g.get("line_start") or 0) <= line <= (g.get("line_end") or 0)
            )
            for g in got
        )
        if ok:
            cc.tp += 1
        else:
            cc.fn += 1
            if len(r.misses) < 400:
                r.misses.append(f"finding missed: {e['rule']} line {line}")


def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def report(results: list[FileResult]) -> str:
    out = [
        "| file | layout | tasks exp/got | task P | task R | task F1 | "
        + " | ".join(FIELDS)
        + " | targets R | findings R | agency unknown |",
        "|" + "---|" * (9 + len(FIELDS)),
    ]
    total = {k: Counts() for k in ("task", *FIELDS, "targets", "findings")}
    mentions = unknown = 0
    for r in results:
        for k, c in r.counts.items():
            total[k].add(c)
        mentions += r.agency_mentions
        unknown += r.agency_unknown
        c = r.counts["task"]
        note = f" (quarantined: {r.quarantined})" if r.quarantined else ""
        out.append(
            f"| {r.name}{note} | {r.layout[:40].replace('|', '/')} | {r.n_expected}/{r.n_extracted} | {_fmt(c.precision)} | "
            f"{_fmt(c.recall)} | {_fmt(c.f1)} | "
            + " | ".join(_fmt(field_score(r.counts[f])) for f in FIELDS)
            + f" | {_fmt(r.counts['targets'].recall)} | {_fmt(r.counts['findings'].recall)} | "
            f"{r.agency_unknown}/{r.agency_mentions} |"
        )
    c = total["task"]
    out.append(
        f"| **all** | | | {_fmt(c.precision)} | {_fmt(c.recall)} | {_fmt(c.f1)} | "
        + " | ".join(_fmt(field_score(total[f])) for f in FIELDS)
        + f" | {_fmt(total['targets'].recall)} | {_fmt(total['findings'].recall)} | {unknown}/{mentions} |"
    )
    return "\n".join(out)


def by_format(results: list[FileResult]) -> dict[str, dict[str, Counts]]:
    """Counts summed per document format (txt, docx, pdf, html, doc): the issue's floors are per format."""
    out: dict[str, dict[str, Counts]] = {}
    for r in results:
        tot = out.setdefault(r.format, {k: Counts() for k in r.counts})
        for k, c in r.counts.items():
            tot[k].add(c)
    return out


def format_report(results: list[FileResult]) -> str:
    out = ["| format | documents | task P | task R | task F1 | lead F1 | indicator F1 | targets R |", "|" + "---|" * 8]
    for fmt, c in sorted(by_format(results).items()):
        n = sum(1 for r in results if r.format == fmt)
        out.append(
            f"| {fmt} | {n} | {_fmt(c['task'].precision)} | {_fmt(c['task'].recall)} | {_fmt(c['task'].f1)} | "
            f"{_fmt(field_score(c['lead']))} | {_fmt(field_score(c['indicator']))} | "
            f"{_fmt(c['targets'].recall)} |"
        )
    return "\n".join(out)


def field_score(c: Counts) -> float | None:
    """Field scores are over matched tasks: F1 of the values (an empty expected value wrongly filled is a false
    positive, a value not found a false negative)."""
    return c.f1 if c.tp + c.fp + c.fn else None


def run() -> list[FileResult]:
    return [evaluate(fx) for fx in fixtures()]


def main(argv: list[str]) -> int:
    results = run()
    table = report(results)
    formats = format_report(results)
    bad = bad_files()
    print(table)
    print()
    print(formats)
    for name, reason in bad:
        print(f"{name}: {_bad_outcome(reason)}")
    verbose = "-v" in argv
    lines = [
        "# Reading accuracy",
        "",
        "Generated by `make accuracy` (pipelines/accuracy.py). Each row is a document the readers were not "
        "written against: hand-written layout fixtures (tests/fixtures/layouts/, other provinces and levels) "
        "and expected rows for real plans (tests/fixtures/real/); h01-h06 were written after the readers, as a "
        "held-out batch. Field columns are F1 over matched tasks; "
        "targets and findings are recall; agency unknown is unresolved mentions / all mentions. Documents in "
        "published formats (.docx, .pdf, .html, .doc) are read through their adapters; the same figures per "
        "format follow the table. tests/fixtures/published/ (p01-p09, written without reading the readers) was "
        "measured once before any fix: task F1 0.82 (p04 0.38: its tables of figures read as tasks), lead 0.97, "
        "support 0.93, indicator 0.97, targets recall 0.91, 16 document facts wrong; the readers were then fixed "
        "for the classes those files exposed, so they are no longer unseen. tests/fixtures/published2/ (q01-q05, "
        "a second batch written the same way after those fixes) measured first: task F1 1.00 on each of the five, "
        "lead 0.97, support 0.97, targets recall 0.96, but q01's indicators all missing (its group rows put their "
        "text in the lead column, which comes before the task column), q02's province missing (the plan never "
        "names it) and q01's numbering gap 6 -> 8 across two groups missed. Two rules were then changed (a spanning "
        "row's text in whichever column follows the number; a gap between the groups of a table numbered straight "
        "through them): q01 indicator 1.00 and its gap found; q02's province is still missed.",
        "",
        table,
        "",
        "Per format:",
        "",
        formats,
        "",
    ]
    if bad:
        lines += (
            ["Bad files (each must be quarantined with its reason):", ""]
            + [f"- {name}: {_bad_outcome(reason)}" for name, reason in bad]
            + [""]
        )
    for r in results:
        if r.doc_checks:
            differ = {k: v for k, v in r.doc_checks.items() if str(v[0]) != str(v[1])}
            if differ:
                lines.append(
                    f"- {r.name}: document fields differ: "
                    + ", ".join(f"{k} want {w!r} got {g!r}" for k, (w, g) in differ.items())
                )
        if verbose:
            print(f"\n## {r.name}")
            for m in r.misses:
                print("   ", m)
    (PROJECT / "docs" / "accuracy.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\nwritten: docs/accuracy.md")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
