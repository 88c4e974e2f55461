"""How /root/.pyenv/shims/python3.11 -m venv .venv scores one file: the per-field counts, a file's result, and the matching of expected tasks to the tasks read (by text, tolerant of labels and wrapping)."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.sources.plans.lines import html_to_text

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
        """None only when there was nothing to find and nothing was found; a field never read scores 0."""
        if self.tp + self.fp + self.fn == 0:
            return None
        p, r = self.precision or 0.0, self.recall or 0.0
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
    folder: str = ""  # the fixture folder under tests/fixtures/{dev,heldout}/ (layouts, real, published …)
    split: str = "dev"


@dataclass
class Fixture:
    name: str
    text_path: Path  # the document, in any plan format
    meta: dict
    expected: list[dict]
    targets: list[dict]
    folder: str = ""  # its fixture folder under tests/fixtures/{dev,heldout}/
    split: str = "dev"

    @property
    def format(self) -> str:
        ext = self.text_path.suffix.lower().lstrip(".")
        return "html" if ext == "htm" else ext


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _unlabelled(text: str) -> str:
    """A task's words without a leading "<party>:" label."""
    head, sep, rest = text.partition(":")
    return rest.strip() if sep and len(head) <= 120 and len(rest.strip()) >= 20 else text


def _match(expected: list[dict], tasks: list[dict]) -> list[tuple[dict, dict | None]]:
    """Each expected row to the first unused extracted task whose text starts with its opening words
    (or nearly: typos in the fixture's copy, markup), in document order."""
    used: set[int] = set()
    texts = [_norm(t["task_text"]) for t in tasks]
    pairs = []
    for e in expected:
        want = _norm(e["task_text_start"])[:60]
        hit = None
        # of the rows that open with the same words, the one closest over the whole start (plans repeat an opening:
        # "Chủ trì triển khai, thực hiện các nhiệm vụ được giao tại Tiểu dự án 1 / 3 / 4 …")
        same = [i for i, t in enumerate(texts) if i not in used and want and t.startswith(want[:40])]
        if same:
            whole = _norm(e["task_text_start"])
            hit = max(same, key=lambda i: (_common_prefix(texts[i], whole), -same.index(i)))
        if hit is None and want:
            # the same task written with or without the party it names first ("Sở Tài chính: Căn cứ …")
            for i, t in enumerate(texts):
                if i not in used and (_unlabelled(t).startswith(_unlabelled(want)[:40])):
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
