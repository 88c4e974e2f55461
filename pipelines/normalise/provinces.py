"""The 63 provinces (vintage 2004, in force until 30 June 2025) and their names as plans write them."""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "raw" / "reference"


@dataclass(frozen=True)
class Province:
    code: str  # GSO code, 2 digits
    name_vi: str
    name_ascii: str
    unit_type: str
    is_city: bool  # centrally-run city ("Thành phố trực thuộc TW")
    vintage: int = 2004  # 2004: the 63 provinces until 30 June 2025; 2025: the 34 units since 1 July 2025

    @property
    def key(self) -> str:
        return f"{self.vintage}-{self.code}"


_NO_MARKS = dict.fromkeys(range(0x300, 0x370))  # str.translate deletes the combining marks NFD splits letters into


@lru_cache(maxsize=1 << 16)  # the same lines and names are folded again and again
def fold(s: str) -> str:
    """Case- and accent-insensitive key: 'Hồ Chí Minh' -> 'ho chi minh'."""
    s = unicodedata.normalize("NFD", s.replace("Đ", "D").replace("đ", "d"))
    return " ".join(s.translate(_NO_MARKS).lower().split())


@lru_cache(maxsize=1)
def provinces_2004() -> tuple[Province, ...]:
    with open(REFERENCE_DIR / "provinces_63.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return tuple(
        Province(
            r["gso_code_2004"],
            r["name_vi"],
            r["name_ascii"],
            r["unit_type_pre2025"],
            r["unit_type_pre2025"].startswith("Thành phố"),
        )
        for r in rows
    )


REORGANISED = "2025-07-01"  # Resolution 202/2025/QH15: the 34 units replace the 63 provinces


@lru_cache(maxsize=1)
def units_2025() -> tuple[Province, ...]:
    """The 34 provincial units since 1 July 2025 (raw/reference/merger_2025.csv); each reuses its seat's old code."""
    with open(REFERENCE_DIR / "merger_2025.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return tuple(
        Province(
            r["new_gso_code_QD19_2025"],
            r["new_unit_name_vi"],
            fold(r["new_unit_name_vi"]),
            r["new_unit_type"],
            r["new_unit_type"] == "Thành phố",
            2025,
        )
        for r in rows
    )


def unit_2025_for(p: Province) -> Province | None:
    """The 2025 unit a 2004 province is (same name) or became (its merger's unit)."""
    by_name = {fold(u.name_vi): u for u in units_2025()}
    if fold(p.name_vi) in by_name:
        return by_name[fold(p.name_vi)]
    with open(REFERENCE_DIR / "provinces_63.csv", encoding="utf-8") as f:
        into = {r["gso_code_2004"]: r["merged_into_2025_gso_code"] for r in csv.DictReader(f)}
    return next((u for u in units_2025() if u.code == into.get(p.code)), None)


# Spellings plans use that differ from the reference name.
_ALIASES = {
    "tp hcm": "79",
    "tphcm": "79",
    "tp. hcm": "79",
    "sai gon": "79",
    "thua thien - hue": "46",
    "thua thien hue": "46",
    "ba ria vung tau": "77",
    "ba ria - vung tau": "77",
}


def find_province(name: str) -> Province | None:
    key = fold(name).strip(" .,;:")
    by_code = {p.code: p for p in provinces_2004()}
    for p in provinces_2004():
        if fold(p.name_vi) == key:
            return p
    if key in _ALIASES:
        return by_code[_ALIASES[key]]
    return None


def find_province_prefix(text: str) -> Province | None:
    """The province whose name opens `text` ("Quảng Ngãi năm 2017" -> Quảng Ngãi)."""
    folded = fold(text)
    best = None
    for p in provinces_2004():
        n = fold(p.name_vi)
        if folded == n or folded.startswith(n + " ") or folded.startswith(n + ","):
            if best is None or len(n) > len(fold(best.name_vi)):
                best = p
    return best
