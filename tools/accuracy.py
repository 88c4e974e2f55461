"""Reading accuracy on documents the readers were not written against: `make accuracy`.

Every fixture folder under tests/fixtures/ (a folder holding `<id>.meta.json` files) is measured: layouts/ (hand-written
plans of other provinces and levels, one layout each), real/ (expected rows for real plans in raw/plans/), and any
other, such as published/ (plans as published: .docx, .pdf, .html). A fixture's document is `<id>` with any plan
extension (.txt, .docx, .pdf, .html, .htm, .doc; several documents of one id are measured each on its own), and
its expected rows are in the format tests/fixtures/dev/layouts/README.md describes (lines counted in the document's
normalised text). Files named `bad_*` without expected rows must be quarantined with a stated reason.
This module reads each document with the code the pipeline runs (ingest.process_document, then normalise), matches
the extracted tasks to the expected ones by their opening words, and reports precision/recall per file, per field
and per format. `python -m tools.accuracy` prints the tables and writes docs/accuracy.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from pipelines.normalise.plan_rows import normalise
from pipelines.settings import Settings
from pipelines.sources.plans.ingest import RawFile, process_document
from tools.accuracy_match import FIELDS, Counts, FileResult, Fixture, _codes, _match, _norm, _text_equal

PROJECT = Path(__file__).resolve().parents[1]
FIXTURES = PROJECT / "tests" / "fixtures"
SPLITS = ("dev", "heldout")  # dev: batches the readers were fixed against; heldout: batches measured before any fix
REAL = FIXTURES / "dev" / "real"
PLANS = PROJECT / "raw" / "plans"
# Real documents are read in place from the shared data folder beside the checkout, never copied (meta "document")
# (Settings.shared_data: GOVDATA_SHARED_DATA, by default ../shared/data)
SHARED_DATA = Settings.from_env().shared_data
FIRST_MEASUREMENTS = FIXTURES / "heldout" / "first_measurements.json"
DOCUMENT_EXTENSIONS = (".txt", ".md", ".docx", ".pdf", ".html", ".htm", ".doc")


def fixture_folders() -> list[tuple[Path, Path]]:
    """(folder of expected rows, folder of its documents) for every batch under tests/fixtures/{dev,heldout}/:
    dev/real reads raw/plans/, every other folder its own files (or, for a meta naming its "document", the shared
    data folder)."""
    out = []
    for split in SPLITS:
        root = FIXTURES / split
        if not root.is_dir():
            continue
        for d in sorted(p for p in root.iterdir() if p.is_dir()):
            if any(d.glob("*.meta.json")):
                out.append((d, PLANS if d == REAL else d))
    return out


def split_of(folder: Path) -> str:
    """dev or heldout: the split a fixture folder sits in."""
    return folder.parent.name if folder.parent.name in SPLITS else "dev"


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
            if "document" in meta:  # a real document read in place from the shared data folder
                docs = [SHARED_DATA / meta["document"]] if (SHARED_DATA / meta["document"]).is_file() else []
            for doc in docs:  # one result per document: p01.docx and p01.pdf are measured apart
                name = stem if len(docs) == 1 and doc.suffix in (".txt", ".md") else doc.name
                out.append(Fixture(name, doc, meta, expected, targets, folder.name, split_of(folder)))
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
    from pipelines.sources.plans.formats import read_document

    decoded = read_document(path.read_bytes(), path.name)
    doc_id = res.document["document_id"]
    norm = normalise([res.document], res.tasks, {doc_id: decoded.text}, {doc_id: decoded.locations})
    return res, norm


def evaluate(fx: Fixture) -> FileResult:
    res, norm = read_and_normalise(fx.text_path)
    is_plan = bool(fx.meta.get("is_plan", True))
    r = FileResult(fx.name, fx.meta.get("layout", ""), is_plan, fx.format, len(fx.expected), len(res.tasks))
    r.folder, r.split = fx.folder, fx.split
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
    """A target is found when a row read from the line that holds its words has its indicator, year, unit,
    comparator and value: all five, or it is missed."""
    cc = r.counts["targets"]
    used: set[int] = set()
    from pipelines.sources.plans.formats import read_document

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
                and g["unit"] == e["unit"]
                and (g.get("indicator_code") or "") == (e.get("indicator_code") or "")
                and str(g.get("target_year") or "") == str(e.get("target_year") or "")
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


def run(folders: list[tuple[Path, Path]] | None = None) -> list[FileResult]:
    return [evaluate(fx) for fx in fixtures(folders)]


def figures(results: list[FileResult]) -> dict:
    """The headline figures of some results, per file and over all: what a first measurement records."""

    def of(counts: dict[str, Counts]) -> dict:
        c = counts["task"]
        out = {"task_precision": c.precision, "task_recall": c.recall, "task_f1": c.f1}
        out.update({f: field_score(counts[f]) for f in FIELDS})
        out["targets_recall"] = counts["targets"].recall
        out["findings_recall"] = counts["findings"].recall
        return {k: None if v is None else round(v, 4) for k, v in out.items()}

    total = {k: Counts() for k in ("task", *FIELDS, "targets", "findings")}
    files = {}
    for r in results:
        for k, c in r.counts.items():
            total[k].add(c)
        files[r.name] = {
            "expected": r.n_expected,
            "extracted": r.n_extracted,
            "quarantined": r.quarantined,
            **of(r.counts),
        }
    return {"files": files, "all": of(total)}


def load_first_measurements() -> dict:
    return json.loads(FIRST_MEASUREMENTS.read_text(encoding="utf-8")) if FIRST_MEASUREMENTS.is_file() else {}


def _commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT, capture_output=True, text=True)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "pipelines/sources"], cwd=PROJECT, capture_output=True, text=True
        )
        return head.stdout.strip() + (" (reader code with uncommitted changes)" if dirty.stdout.strip() else "")
    except OSError:
        return "unknown"


def record_first(batch: str) -> dict:
    """Measure a held-out batch (tests/fixtures/heldout/<batch>/) and write its first figures to the committed JSON.
    Refused when the batch was measured before: a first measurement is taken once, before any fix against it."""
    first = load_first_measurements()
    if batch in first:
        raise SystemExit(f"{batch}: first figures already recorded on {first[batch]['measured_on']}; never again")
    folder = FIXTURES / "heldout" / batch
    if not any(folder.glob("*.meta.json")):
        raise SystemExit(f"{folder}: no held-out batch there (no *.meta.json)")
    results = run([(folder, folder)])
    if not results:
        raise SystemExit(f"{batch}: none of its documents is here (real documents are read from {SHARED_DATA})")
    first[batch] = {
        "measured_on": dt.date.today().isoformat(),
        "reader_commit": _commit(),
        "n_documents": len(results),
        **figures(results),
    }
    FIRST_MEASUREMENTS.parent.mkdir(parents=True, exist_ok=True)
    FIRST_MEASUREMENTS.write_text(json.dumps(first, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return first[batch]


def _first_table(first: dict) -> str:
    cols = ("task_precision", "task_recall", "task_f1", *FIELDS, "targets_recall")
    out = [
        "| batch | measured on | reader commit | documents | " + " | ".join(cols) + " |",
        "|" + "---|" * (4 + len(cols)),
    ]
    for batch, m in sorted(first.items()):
        if "files" not in m:
            continue  # a batch of labelled documents: _labels_table
        out.append(
            f"| {batch} | {m['measured_on']} | {m['reader_commit']} | {m['n_documents']} | "
            + " | ".join(_fmt(m["all"].get(c)) for c in cols)
            + " |"
        )
        for name, f in sorted(m["files"].items()):
            out.append(
                f"| · {name} | | | {f['expected']}/{f['extracted']} | "
                + " | ".join(_fmt(f.get(c)) for c in cols)
                + " |"
            )
    return "\n".join(out)


def _labels_table(m: dict) -> list[str]:
    return [
        f"- {m['n_documents']} labelled real documents, measured on {m['measured_on']} (reader commit "
        f"{m['reader_commit']}): document type right {m['type_right']}/{m['n_documents']} ({_fmt(m['type_accuracy'])}); "
        f"{m['n_non_assigning_with_tasks']} documents that assign no work gave {m['tasks_from_non_assigning_total']} "
        f"tasks; {len(m['assigning_without_tasks'])} documents that assign work gave none.",
        "  By type (right/labelled): " + ", ".join(f"{k} {v}" for k, v in m["type_accuracy_by_type"].items()) + ".",
    ]


def render(results: list[FileResult], bad: list[tuple[str, str | None]], first: dict) -> str:
    """docs/accuracy.md: the first figures of every held-out batch (from the committed JSON, never recomputed),
    then today's figures on the held-out batches not yet fixed against and on the dev batches, apart."""
    lines = [
        "# Reading accuracy",
        "",
        "Generated by `make accuracy` (tools/accuracy.py) from tests/fixtures/heldout/first_measurements.json "
        "and a run over tests/fixtures/; tests/test_accuracy.py fails when this page is stale.",
        "",
        "**How to read it.** A held-out batch is written by someone who has not read the reader code, measured "
        "once with `python -m tools.accuracy --record-first <batch>` before any fix, and its figures are "
        "committed. Once a reader is fixed against it, it moves to tests/fixtures/dev/ and its figures below are "
        "development figures: they say what the readers do on documents they were tuned on, not on unseen ones. "
        "Only the first figures say that. Field columns are F1 over matched tasks (a field never read scores 0); "
        "a target counts only with its indicator, year, unit, comparator and value.",
        "",
        "## First measurements of held-out batches (before any fix)",
        "",
        _first_table(first) if first else "(none recorded)",
        "",
    ]
    for m in first.values():
        if "files" not in m:
            lines += _labels_table(m) + [""]
    for split, title in (("heldout", "Held-out batches not yet fixed against"), ("dev", "Development batches")):
        part = [r for r in results if r.split == split]
        lines += [f"## {title}: today", ""]
        lines += [report(part), "", "Per format:", "", format_report(part), ""] if part else ["(none)", ""]
    if bad:
        lines += ["Bad files (each must be quarantined with its reason):", ""]
        lines += [f"- {name}: {_bad_outcome(reason)}" for name, reason in bad] + [""]
    for r in results:
        differ = {k: v for k, v in r.doc_checks.items() if str(v[0]) != str(v[1])}
        if differ:
            lines.append(
                f"- {r.name}: document fields differ: "
                + ", ".join(f"{k} want {w!r} got {g!r}" for k, (w, g) in differ.items())
            )
    return "\n".join(lines).rstrip() + "\n"


def label_files(split: str | None = None) -> list[Path]:
    """Label files (`*labels*.csv`: file, doc_type, is_plan, assigns_tasks, evidence_lines …) of real documents."""
    return sorted(p for sp in ([split] if split else SPLITS) for p in (FIXTURES / sp).glob("*labels*.csv"))


def classify_labelled(paths: list[Path]) -> dict:
    """Each labelled real document read as the pipeline reads it: its type and whether it gives tasks, against the
    labels (written by someone who never read the readers). Tasks may come only from a document that assigns work."""
    rows = [r for p in paths for r in csv.DictReader(open(p, encoding="utf-8", newline=""))]
    out: dict = {"n_documents": 0, "type_right": 0, "tasks_from_non_assigning": {}, "assigning_without_tasks": []}
    types: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        path = SHARED_DATA / "real_documents" / row["file"]
        if not path.is_file():
            continue
        res = process_document(RawFile(path.parent, path))
        out["n_documents"] += 1
        got_type = res.document.get("doc_type") if res.document else None
        want_type = row["doc_type"] if not row["doc_type"].startswith("Other") else "Khác"
        ok = got_type == want_type
        out["type_right"] += ok
        types[want_type][0] += ok
        types[want_type][1] += 1
        n = len(res.tasks)
        if row["assigns_tasks"].lower() != "true" and n:
            out["tasks_from_non_assigning"][row["file"]] = n
        if row["assigns_tasks"].lower() == "true" and not n:
            out["assigning_without_tasks"].append(row["file"])
    out["type_accuracy"] = round(out["type_right"] / out["n_documents"], 4) if out["n_documents"] else None
    out["n_non_assigning_with_tasks"] = len(out["tasks_from_non_assigning"])
    out["tasks_from_non_assigning_total"] = sum(out["tasks_from_non_assigning"].values())
    out["type_accuracy_by_type"] = {k: f"{a}/{b}" for k, (a, b) in sorted(types.items())}
    return out


def main(argv: list[str]) -> int:
    if "--record-first-labels" in argv:
        first = load_first_measurements()
        if "real_document_labels" in first:
            raise SystemExit("real_document_labels: first figures already recorded; never again")
        paths = label_files("heldout")
        first["real_document_labels"] = {
            "measured_on": dt.date.today().isoformat(),
            "reader_commit": _commit(),
            "labels": [p.name for p in paths],
            **classify_labelled(paths),
        }
        FIRST_MEASUREMENTS.write_text(json.dumps(first, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(json.dumps(first["real_document_labels"], ensure_ascii=False, indent=2)[:3000])
        return 0
    if "--record-first" in argv:
        batch = argv[argv.index("--record-first") + 1]
        m = record_first(batch)
        print(f"{batch}: first figures recorded in {FIRST_MEASUREMENTS.relative_to(PROJECT)}")
        print(json.dumps(m["all"], indent=2))
        return 0
    results = run()
    bad = bad_files()
    for split in SPLITS:
        part = [r for r in results if r.split == split]
        if part:
            print(f"\n## {split}\n")
            print(report(part))
            print()
            print(format_report(part))
    for name, reason in bad:
        print(f"{name}: {_bad_outcome(reason)}")
    if "-v" in argv:
        for r in results:
            print(f"\n## {r.name}")
            for miss in r.misses:
                print("   ", miss)
    (PROJECT / "docs" / "accuracy.md").write_text(render(results, bad, load_first_measurements()), encoding="utf-8")
    print("\nwritten: docs/accuracy.md")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
