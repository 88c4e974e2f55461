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

    @property
    def key(self) -> str:
        return f"2004-{self.code}"


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
        Province(r["gso_code_2004"], r["name_vi"], r["name_ascii"], r["unit_type_pre2025"],
                 r["unit_type_pre2025"].startswith("Thành phố"))
        for r in rows
    )


# Spellings plans use that differ from the reference name.
_ALIASES = {"tp hcm": "79", "tphcm": "79", "tp. hcm": "79", "sai gon": "79", "thua thien - hue": "46",
            "thua thien hue": "46", "ba ria vung tau": "77", "ba ria - vung tau": "77"}


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
