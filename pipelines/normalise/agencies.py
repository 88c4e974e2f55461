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

from pipelines.normalise.provinces import REFERENCE_DIR, provinces_2004
from pipelines.normalise.textkey import PAREN as _PAREN
from pipelines.normalise.textkey import PUNCT as _PUNCT
from pipelines.normalise.textkey import match_key

AGENCIES_CSV = REFERENCE_DIR / "agencies.csv"
ALIASES_CSV = REFERENCE_DIR / "agency_aliases.csv"

# Words that may sit between agencies without naming one. Longest first.
_IGNORABLE = sorted(
    [
        "pho giam doc",
        "giam doc",
        "chanh van phong",
        "chanh",
        "thu truong",
        "chu tich",
        "vien truong",
        "truong",
        "cac",
        "va",
        "co lien quan",
        "lien quan",
        "thanh pho",
        "tinh",
        "don vi",
        "kiem tra chuyen de",
        "moi",
        "de nghi",
        "tham gia danh gia",
        "tham gia",
        "phoi hop voi",
        "phoi hop",
        "cua",
        "thuoc",
        "huyen",
        "quan",
        "thi xa",
        "xa",
        "phuong",
        "thi tran",
        "cac cap",
        "cap",
        "tren dia ban",
        "dia ban",
        "tai",
        "to chuc ca nhan co lien quan",
        "ca nhan co lien quan",
        "khu vuc",
        "voi",
        "cung",
        "theo",
        "chuc nang",
        "nhiem vu",
        "duoc giao",
        "trong",
        "ben",
        "cung cap",
    ],
    key=lambda s: -len(s.split()),
)

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
    levels: tuple[str, ...] = ()  # levels of government it exists at (province, district, commune)
    valid_to: str | None = None  # ISO date the body ceased (2025 reorganisation), else None
    successor: str | None = None

    def name_in(self, unit_level: str | None, unit_name: str | None, is_city: bool | None) -> str:
        """The name in the unit it belongs to: a district-level unit's or commune's body takes that unit's word
        ("Công an thành phố", "Ban Tuyên giáo Thành ủy" in a provincial city; "Huyện ủy", "xã" …)."""
        if unit_level in ("district", "commune") and unit_name and not self.is_group:
            word = (
                unit_name.split(" ")[0].lower()
                if not unit_name.lower().startswith(("thành phố", "thị xã", "thị trấn"))
                else " ".join(unit_name.split(" ")[:2]).lower()
            )
            party = {"thành phố": "Thành ủy", "thị xã": "Thị ủy", "huyện": "Huyện ủy", "quận": "Quận ủy"}.get(
                word, "Đảng ủy"
            )
            return self.name_vi.replace("{cap}", word).replace("{tu}", party)
        return self.name_for(is_city)

    def name_for(self, is_city: bool | None) -> str:
        if self.is_group or is_city is None:
            return self.name_vi.replace(" {cap}", "").replace(" {tu}", "")
        return self.name_vi.replace("{cap}", "thành phố" if is_city else "tỉnh").replace(
            "{tu}", "Thành ủy" if is_city else "Tỉnh ủy"
        )


@lru_cache(maxsize=1)
def agencies() -> dict[str, Agency]:
    with open(AGENCIES_CSV, encoding="utf-8") as f:
        return {
            r["agency_code"]: Agency(
                r["agency_code"],
                r["name_vi"],
                r["name_en"],
                r["sector"],
                r["level"],
                r["agency_type"],
                r["is_group"] == "true",
                tuple(x for x in (r.get("levels") or "").split(";") if x),
                r.get("valid_to") or None,
                r.get("successor_code") or None,
            )
            for r in csv.DictReader(f)
        }


@dataclass(frozen=True)
class Alias:
    alias: str
    codes: tuple[str, ...]
    key: tuple[str, ...]


@lru_cache(maxsize=1)
def aliases() -> tuple[Alias, ...]:
    with open(ALIASES_CSV, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out: list[Alias] = []
    seen: dict[tuple[str, ...], str] = {}
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
    level_word: str | None = None  # "tỉnh", "thành phố", "huyện" … written after the name: whose body it is


# Words naming the unit a body belongs to, as match keys, longest first ("Công an thị xã", "Thanh tra tỉnh")
LEVEL_WORDS = {
    ("cap", "tinh"): "province",
    ("tinh",): "province",
    ("thanh", "pho"): "city",
    ("tp",): "city",
    ("cap", "huyen"): "district",
    ("huyen",): "district",
    ("quan",): "district",
    ("thi", "xa"): "district",
    ("cap", "xa"): "commune",
    ("xa",): "commune",
    ("phuong",): "commune",
    ("thi", "tran"): "commune",
}
_LEVEL_KEYS = sorted(LEVEL_WORDS, key=len, reverse=True)


@dataclass
class Resolution:
    mentions: list[AgencyMention]
    unknown: list[str]  # residue that names no known agency


@lru_cache(maxsize=1)
def _alias_table() -> tuple[dict, int, list[tuple[str, ...]]]:
    table = {a.key: a for a in aliases()}
    # a province's name after a body ("Cục Thuế Kiên Giang", "Báo … Tuyên Quang") says whose it is, names no body
    places = sorted({tuple(match_key(p.name_vi).split()) for p in provinces_2004()}, key=len, reverse=True)
    return table, max(len(k) for k in table), [tuple(p.split()) for p in _IGNORABLE] + places


def resolve(text: str | None, role: str) -> Resolution:
    """All agencies a lead or support cell names, in order, with their roles.
    In a lead cell, what follows "Mời"/"Đề nghị" is an invited (supporting) agency."""
    if not text or not text.strip():
        return Resolution([], [])
    mentions, unknown = _resolve(text, role)
    return Resolution(list(mentions), list(unknown))


# "(gồm các Sở: …)", "(bao gồm …)": the members of a body described in general words
_PAREN_LIST = re.compile(r"\((?P<inner>[^()]{3,300})\)")
_MEMBERS = re.compile(r"\((?:bao\s+)?gồm\s*:?\s*(?P<inner>[^()]+)\)", re.IGNORECASE)
# one head shared by a list: "các Sở: Xây dựng, Công Thương, Tài chính" names three departments
_SHARED_HEAD = re.compile(r"\b[Cc]ác\s+(?P<head>[Ss]ở|[Bb]ộ)\s*:?\s+(?P<list>[^;()]+)")


# "Sở Tài chính - Cơ quan thường trực Ban Chỉ đạo": the body it serves as standing office does not do the work
_STANDING_FOR = re.compile(r"\s*[-–,(]\s*(?:là\s+)?(?:cơ quan|đơn vị)\s+thường trực\b[^;,)]*\)?", re.IGNORECASE)


@lru_cache(maxsize=1)
def _alias_prefixes() -> frozenset[tuple[str, ...]]:
    return frozenset(a.key[:n] for a in aliases() for n in range(2, len(a.key) + 1))


_GENERIC = r"(?:cơ quan|đơn vị|tổ chức|địa phương|doanh nghiệp)"
_SHARED_TAIL = re.compile(
    rf"(?i)\b(?P<list>{_GENERIC}(?:\s*(?:,|\bvà\b)\s*{_GENERIC})+)\s+(?P<tail>(?:có\s+)?liên\s+quan)\b"
)


def _share_head(m: re.Match) -> str:
    """Each item of the list gets the head when the head and the item begin a known name; an item that does not
    ("Thể thao và Du lịch" after "Văn hóa") goes on with the name before it."""
    head = m["head"].capitalize()
    out = []
    for item in m["list"].split(","):
        e = item.strip()
        key = tuple(match_key(f"{head} {e}").split())
        out.append(f"{head} {e}" if e and any(key[:n] in _alias_prefixes() for n in (3, 2)) else e)
    return ", ".join(x for x in out if x)


@lru_cache(maxsize=1 << 15)  # the same cells ("Sở Nội vụ", "Các sở, ban, ngành") recur in every plan
def _resolve(text: str, role: str) -> tuple[tuple, tuple]:
    if (m := _MEMBERS.search(text)) is not None:
        outer = _resolve(text[: m.start()] + text[m.end() :], role)
        if not outer[0]:  # the body is described, not named: its members are who
            return _resolve(m["inner"], role)
    elif "(" in text and (m := _PAREN_LIST.search(text)) is not None:
        # "Các cơ quan đăng ký đầu tư (Sở Tài chính, Ban quản lý Khu kinh tế …)": a description named by the bodies
        # it lists, most of them known
        outer = _resolve(text[: m.start()] + text[m.end() :], role)
        inner = _resolve(m["inner"], role)
        if not outer[0] and len(inner[0]) >= max(1, len(inner[1])):  # more bodies known than not
            return inner
    if "thường trực" in text:
        text = _STANDING_FOR.sub("", text)
    if "liên quan" in text and (m := _SHARED_TAIL.search(text)):
        # "cơ quan, địa phương liên quan": the closing "liên quan" qualifies every generic noun of the list
        nouns = re.split(r"\s*(?:,|\bvà\b)\s*", m["list"])
        text = text[: m.start()] + ", ".join(f"{x} {m['tail']}" for x in nouns if x) + text[m.end() :]
    if _SHARED_HEAD.search(text):
        shared = _SHARED_HEAD.sub(_share_head, text)
        if shared != text:
            text = shared
    mentions, unknown = _resolve_words(text, role, frozenset())
    if unknown and mentions:  # a short form may repeat a name given before or after it in the cell
        named = frozenset(tuple(match_key(m.alias).split()) for m in mentions)
        mentions, unknown = _resolve_words(text, role, named)
    return mentions, unknown


def _resolve_words(text: str, role: str, named: frozenset[tuple[str, ...]]) -> tuple[tuple, tuple]:
    table, max_len, ignorable = _alias_table()
    # keep the original words beside the key, so the as-written span can be reported
    words = _PUNCT.sub(" ", _PAREN.sub(" ", text)).split()
    toks: list[tuple[str, int]] = []
    for i, w in enumerate(words):
        for k in match_key(w).split():
            toks.append((k, i))
    mentions: list[AgencyMention] = []
    unknown: list[str] = []
    residue: list[tuple[str, int]] = []
    invited = False
    i = 0
    while i < len(toks):
        hit = _longest_alias(toks, i, table, max_len)
        if (
            hit is not None
            and residue
            and residue[-1][0] == "bo"
            and words[residue[-1][1]] == "Bộ"  # the capital of a ministry's name, not "cơ quan ngang bộ"
            and hit[0].key[0] != "bo"
        ):
            # "Bộ Công an", "Bộ Tư pháp": a ministry, not the provincial body its subject names
            residue.extend(toks[i : i + hit[1]])
            i += hit[1]
            continue
        if hit is None:
            residue.append(toks[i])
            i += 1
            continue
        parent_of_group = (
            bool(residue)
            and residue[-1][0] == "thuoc"
            and bool(mentions)
            and agencies().get(mentions[-1].code, None) is not None
            and agencies()[mentions[-1].code].is_group
        )
        _short_form(residue, named, table, words, "support" if (role == "support" or invited) else "lead", mentions)
        invited |= _flush(residue, ignorable, unknown, words)
        alias, n = hit
        if parent_of_group and alias.codes == ("UBND",):
            # "các phòng, ban chuyên môn thuộc UBND huyện": the committee the group belongs to, not another agency
            i += n
            for lk in _LEVEL_KEYS:
                if tuple(t for t, _ in toks[i : i + len(lk)]) == lk:
                    i += len(lk)
                    break
            continue
        is_group = all(agencies()[c].is_group for c in alias.codes if c in agencies())
        # a group has no unit ("phường - xã" after it is another group); a body, the unit it belongs to
        level, j = (None, i + n) if is_group else _unit_after(toks, i + n, words, table, max_len)
        span = " ".join(words[toks[i][1] : toks[j - 1][1] + 1])
        r = "support" if (role == "support" or invited) else "lead"
        for code in alias.codes:
            mentions.append(AgencyMention(code, r, span, alias.alias, level))
        i = j
    _short_form(residue, named, table, words, "support" if (role == "support" or invited) else "lead", mentions)
    _flush(residue, ignorable, unknown, words)
    return tuple(mentions), tuple(unknown)


def _longest_alias(toks: list[tuple[str, int]], i: int, table: dict, max_len: int) -> tuple | None:
    """The longest alias starting at token i, with its length in tokens."""
    for n in range(min(max_len, len(toks) - i), 0, -1):
        cand = tuple(t for t, _ in toks[i : i + n])
        if cand in table:
            return table[cand], n
        # a plural inside a title: "Tổ trưởng các tổ dân phố", "Trưởng các thôn" name the same office
        plain_cand = cand[:1] + tuple(t for t in cand[1:] if t != "cac")
        if n > 2 and len(plain_cand) < n and cand[-1] != "cac" and plain_cand in table:
            return table[plain_cand], n
    return None


def _unit_after(
    toks: list[tuple[str, int]], j: int, words: list[str], table: dict, max_len: int
) -> tuple[str | None, int]:
    """The unit a body belongs to after its name ("… thị xã"), then that unit's proper name ("Bỉm Sơn"), up to four
    capitalised words that open no alias: its level and the token after them."""
    if j < len(toks) and words[toks[j][1]][:1].isupper() and _starts_alias(toks, j, table, max_len):
        return None, j  # "Công an tỉnh, Tỉnh đoàn": a capital opens the next name ("Tỉnh đoàn"), not this one's unit
    for lk in _LEVEL_KEYS:
        if tuple(t for t, _ in toks[j : j + len(lk)]) == lk:
            level, j = LEVEL_WORDS[lk], j + len(lk)
            n_words = 0
            while (
                j < len(toks)
                and n_words < 4
                and words[toks[j][1]][:1].isupper()
                and tuple(t for t, _ in toks[j : j + 1]) not in table
                and not _starts_alias(toks, j, table, max_len)
            ):
                j, n_words = j + 1, n_words + 1
            return level, j
    return None, j


def _short_form(
    residue: list[tuple[str, int]],
    named: frozenset[tuple[str, ...]],
    table: dict,
    words: list[str],
    role: str,
    mentions: list[AgencyMention],
) -> None:
    """Words that are the start of a name the cell gives in full elsewhere: "Ban Chỉ đạo và Tổ Công tác Ban Chỉ đạo
    CCHC thành phố" names the steering committee (its name completed from the other one's) and its working group;
    "Ban Chỉ đạo CCHC thành phố; Ban Chỉ đạo" names it twice. The residue is then that body (once), not unknown."""
    keys = tuple(t for t, _ in residue if t not in ("va", "cac"))
    n = len(keys)
    if n < 2:
        return
    for k in named:
        for i in range(len(k) - n + 1):
            if k[i : i + n] != keys:
                continue
            full = next((k[i:end] for end in range(len(k), i + n - 1, -1) if k[i:end] in table), None)
            if full is not None:
                alias = table[full]
                span = " ".join(dict.fromkeys(words[j] for _, j in residue))
                for code in alias.codes:
                    if code not in {m.code for m in mentions}:
                        mentions.append(AgencyMention(code, role, span, alias.alias))
            residue.clear()
            return


def _starts_alias(toks, j: int, table: dict, max_len: int) -> bool:
    # "Trưởng các khu vực" opens "Trưởng khu vực" (a plural inside a title), as _longest_alias reads it
    return any(tuple(t for t, _ in toks[j : j + n]) in table for n in range(2, min(max_len, len(toks) - j) + 1)) or (
        _longest_alias(toks, j, table, max_len) is not None
    )


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
            if tuple(keys[j : j + len(p)]) == p:
                j += len(p)
                break
        else:
            left.append(keys[j])
            j += 1
    if left:
        unknown.append(originals)
    residue.clear()
    return invited


UNRESOLVED = "UNRESOLVED"  # the unit of a plan whose province could not be read: its agencies still load


def unit_slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", match_key(name)).strip("-")


def unit_of(
    agency: Agency,
    level_word: str | None,
    issuer_level: str | None,
    province_key: str | None,
    issuer_unit: str | None,
    is_city: bool | None,
) -> tuple[str | None, str | None]:
    """(unit key, level) of the body a plan names, relative to the plan's issuer: "Phòng Nội vụ" in a city's plan is
    that city's office (`2004-33/thanh-pho-hung-yen`), "Sở Nội vụ" the province's (`2004-33`), "Công an thành phố" in
    Hồ Chí Minh City's plan the (provincial) city's. Groups have no unit; a plan without a province gets UNRESOLVED."""
    if agency.is_group:
        return None, None
    if province_key is None:
        return UNRESOLVED, None
    levels = [lv for lv in agency.levels if lv in ("province", "district", "commune")] or [agency.level]
    if level_word == "city":
        level = "province" if is_city or issuer_level in (None, "province") else "district"
    elif level_word:
        level = level_word
    elif len(levels) == 1:
        level = levels[0]
    else:
        level = issuer_level if issuer_level in levels else levels[0]
    if level not in ("district", "commune"):
        return province_key, "province"
    if level == issuer_level and issuer_unit:
        return f"{province_key}/{unit_slug(issuer_unit)}", level
    return f"{province_key}/{level}", level  # a body of a lower unit the plan does not name
