"""Section headings as written -> indicator codes, through raw/reference/indicator_aliases.csv.

An alias matches when its key appears in the heading's key (see textkey). The family decides between
homonyms: "thủ tục hành chính" is PAPI.D5 in a PAPI plan and PAR.PROCEDURES in a PAR plan. An alias with
an empty code marks a heading that belongs to neither index. A heading naming two areas
("…văn bản QPPL; Cải cách TTHC") is resolved per task by the areas' task keywords.
A lost PAR heading between two mapped ones is inferred from the methodology's order.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from pipelines.normalise.provinces import REFERENCE_DIR
from pipelines.normalise.textkey import contains, match_key

ALIASES_CSV = REFERENCE_DIR / "indicator_aliases.csv"

# Order of the PAR areas in the 2011-2020 master programme (Resolution 30c) that plans follow.
PAR_SEQUENCE = [
    "PAR.DIRECTION",
    "PAR.INSTITUTIONS",
    "PAR.PROCEDURES",
    "PAR.ORGANISATION",
    "PAR.CIVIL_SERVICE",
    "PAR.FINANCE",
    "PAR.MODERNISATION",
]
PAPI_SEQUENCE = [f"PAPI.D{i}" for i in range(1, 9)]


@dataclass(frozen=True)
class IndicatorAlias:
    alias: str
    family: str  # PAPI | PAR_INDEX | ANY
    level: str  # dimension/area (a section) | subdimension (a sub-section)
    code: str | None  # None: neither index
    dominant: bool
    task_keywords: tuple[str, ...]
    key: str


@lru_cache(maxsize=1)
def indicator_aliases() -> tuple[IndicatorAlias, ...]:
    with open(ALIASES_CSV, encoding="utf-8") as f:
        return tuple(
            IndicatorAlias(
                r["alias"],
                r["family"],
                "subdimension" if r["level"] == "subdimension" else "section",
                r["indicator_code"] or None,
                r["dominant"] == "true",
                tuple(match_key(k) for k in r["task_keywords"].split("|") if k.strip()),
                match_key(r["alias"]),
            )
            for r in csv.DictReader(f)
        )


@dataclass(frozen=True)
class Mapping:
    code: str | None
    rule: str  # alias | outside_indices | combined_heading_task_keywords | combined_heading_first |
    #            inferred_from_neighbours | unmapped | no_heading
    aliases: tuple[str, ...] = ()


@lru_cache(maxsize=1 << 12)  # every task under a heading asks again
def _matches(text: str, family: str | None, level: str) -> tuple[tuple[int, IndicatorAlias], ...]:
    key = match_key(text)
    fams = {"ANY", family} if family else {"ANY"}
    hits = []
    for a in indicator_aliases():
        if a.level != level or a.family not in fams:
            continue
        pos = contains(key, a.key)
        if pos >= 0:
            hits.append((pos, a))
    # drop an alias whose span sits inside a longer matching alias (e.g. "Kiểm soát tham nhũng" inside
    # "Kiểm soát tham nhũng trong chính quyền")
    kept = []
    for pos, a in hits:
        n = len(a.key.split())
        inside = any(
            p2 <= pos and pos + n <= p2 + len(b.key.split()) and len(b.key.split()) > n for p2, b in hits if b is not a
        )
        if not inside:
            kept.append((pos, a))
    return tuple(sorted(kept, key=lambda h: h[0]))


def map_heading(text: str | None, family: str | None, level: str = "section", task_text: str | None = None) -> Mapping:
    if not text:
        return Mapping(None, "no_heading")
    hits = _matches(text, family, level)
    if not hits:
        return Mapping(None, "unmapped")
    codes = list(dict.fromkeys(a.code for _, a in hits))
    names = tuple(a.alias for _, a in hits)
    if len(codes) == 1:
        return Mapping(codes[0], "alias" if codes[0] else "outside_indices", names)
    dominant = [a for _, a in hits if a.dominant]
    if len(dominant) == 1:
        return Mapping(dominant[0].code, "alias", names)
    if task_text:
        tkey = match_key(task_text)
        by_kw = [a.code for _, a in hits if any(contains(tkey, k) >= 0 for k in a.task_keywords)]
        by_kw = list(dict.fromkeys(by_kw))
        if len(by_kw) == 1:
            return Mapping(by_kw[0], "combined_heading_task_keywords", names)
    if level == "subdimension":
        return Mapping(None, "ambiguous", names)
    return Mapping(codes[0], "combined_heading_first", names)


def infer_between(prev_code: str | None, next_code: str | None) -> str | None:
    """The one area between two mapped neighbours in the methodology's order, if there is exactly one."""
    for seq in (PAR_SEQUENCE, PAPI_SEQUENCE):
        if prev_code in seq and next_code in seq:
            i, j = seq.index(prev_code), seq.index(next_code)
            if j - i == 2:
                return seq[i + 1]
    return None


def family_for(task_family: str | None, doc_indices: list[str] | None) -> str | None:
    if task_family:
        return task_family
    if doc_indices and len(doc_indices) == 1:
        return doc_indices[0]
    return None
