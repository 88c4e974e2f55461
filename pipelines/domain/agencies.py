"""Agencies as written -> canonical agencies, through raw/reference/agency_aliases.csv.

Matching works on a key: accents folded, punctuation dropped, abbreviations expanded (UBND, TT&TT,
LĐTB&XH ...). The key is scanned left to right for the longest alias; what lies between aliases must
be a title ("Giám đốc", "Chủ tịch" ...), a connective ("và", "các") or a role word ("Mời", "Đề nghị").
Anything else is reported as unknown, never dropped silently.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache

from .provinces import REFERENCE_DIR
from .textkey import PAREN as _PAREN
from .textkey import PUNCT as _PUNCT
from .textkey import match_key

AGENCIES_CSV = REFERENCE_DIR / "agencies.csv"
ALIASES_CSV = REFERENCE_DIR / "agency_aliases.csv"

# Words that may sit between agencies without naming one. Longest first.
_IGNORABLE = sorted([
    "pho giam doc", "giam doc", "chanh van phong", "chanh", "thu truong", "chu tich", "vien truong", "truong",
    "cac", "va", "co lien quan", "lien quan", "thanh pho", "tinh", "don vi", "kiem tra chuyen de",
    "moi", "de nghi", "tham gia danh gia", "tham gia", "phoi hop voi", "phoi hop", "cua", "thuoc",
], key=lambda s: -len(s.split()))

_INVITE = re.compile(r"\b(?:mời|đề nghị)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Agency:
    code: str
    name_vi: str  # may hold {cap} (thành phố / tỉnh) or {tu} (Thành ủy / Tỉnh ủy)
    name_en: str
    sector: str
    level: str
    agency_type: str
    is_group: bool

    def name_for(self, is_city: bool | None) -> str:
        if self.is_group or is_city is None:
            return self.name_vi.replace(" {cap}", "").replace(" {tu}", "")
        return self.name_vi.replace("{cap}", "thành phố" if is_city else "tỉnh").replace(
            "{tu}", "Thành ủy" if is_city else "Tỉnh ủy")


@lru_cache(maxsize=1)
def agencies() -> dict[str, Agency]:
    with open(AGENCIES_CSV, encoding="utf-8") as f:
        return {r["agency_code"]: Agency(r["agency_code"], r["name_vi"], r["name_en"], r["sector"], r["level"],
                                         r["agency_type"], r["is_group"] == "true")
                for r in csv.DictReader(f)}


@dataclass(frozen=True)
class Alias:
    alias: str
    codes: tuple[str, ...]
    key: tuple[str, ...]


@lru_cache(maxsize=1)
def aliases() -> tuple[Alias, ...]:
    with open(ALIASES_CSV, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out, seen = [], {}
    for r in rows:
        key = tuple(match_key(r["alias"]).split())
        if key in seen:
            raise ValueError(f"agency alias {r['alias']!r} has the same key as {seen[key]!r}")
        seen[key] = r["alias"]
        out.append(Alias(r["alias"], tuple(r["agency_codes"].split("|")), key))
    return tuple(out)


@dataclass(frozen=True)
class AgencyMention:
    code: str
    role: str  # lead | support
    as_written: str
    alias: str


@dataclass
class Resolution:
    mentions: list[AgencyMention]
    unknown: list[str]  # residue that names no known agency


@lru_cache(maxsize=1)
def _alias_table() -> tuple[dict, int, list[tuple[str, ...]]]:
    table = {a.key: a for a in aliases()}
    return table, max(len(k) for k in table), [tuple(p.split()) for p in _IGNORABLE]


def resolve(text: str | None, role: str) -> Resolution:
    """All agencies a lead or support cell names, in order, with their roles.
    In a lead cell, what follows "Mời"/"Đề nghị" is an invited (supporting) agency."""
    if not text or not text.strip():
        return Resolution([], [])
    mentions, unknown = _resolve(text, role)
    return Resolution(list(mentions), list(unknown))


@lru_cache(maxsize=1 << 15)  # the same cells ("Sở Nội vụ", "Các sở, ban, ngành") recur in every plan
def _resolve(text: str, role: str) -> tuple[tuple, tuple]:
    table, max_len, ignorable = _alias_table()
    # keep the original words beside the key, so the as-written span can be reported
    words = _PUNCT.sub(" ", _PAREN.sub(" ", text)).split()
    toks: list[tuple[str, int]] = []
    for i, w in enumerate(words):
        for k in match_key(w).split():
            toks.append((k, i))
    mentions, unknown, residue = [], [], []
    invited = False
    i = 0
    while i < len(toks):
        hit = None
        for n in range(min(max_len, len(toks) - i), 0, -1):
            cand = tuple(t for t, _ in toks[i:i + n])
            if cand in table:
                hit = (table[cand], n)
                break
        if hit is None:
            residue.append(toks[i])
            i += 1
            continue
        invited |= _flush(residue, ignorable, unknown, words)
        alias, n = hit
        span = " ".join(words[toks[i][1]: toks[i + n - 1][1] + 1])
        r = "support" if (role == "support" or invited) else "lead"
        for code in alias.codes:
            mentions.append(AgencyMention(code, r, span, alias.alias))
        i += n
    _flush(residue, ignorable, unknown, words)
    return tuple(mentions), tuple(unknown)


def _flush(residue, ignorable, unknown, words) -> bool:
    """Check the words between two aliases; return True when they invite ("Mời", "Đề nghị")."""
    if not residue:
        return False
    keys = [t for t, _ in residue]
    originals = " ".join(dict.fromkeys(words[j] for _, j in residue))
    invited = bool(_INVITE.search(originals))
    j, left = 0, []
    while j < len(keys):
        for p in ignorable:
            if tuple(keys[j:j + len(p)]) == p:
                j += len(p)
                break
        else:
            left.append(keys[j])
            j += 1
    if left:
        unknown.append(originals)
    residue.clear()
    return invited
