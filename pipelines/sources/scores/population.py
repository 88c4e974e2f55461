"""GSO's average population by province (PX-Web table V02.01), read in place from its source file.

The file is GSO's export as published (`reference/population/V02.01.xlsx` under a raw root; the shared data folder
holds it with its provenance in SOURCES.md): row 3 holds the years (`2011` … `2019 (*)` … `2022 (*)`), column A the
place (CẢ NƯỚC, 6 regions, 63 provinces), values in thousand persons. Only the 63 provinces are kept; each value
keeps its file and cell. A name that matches no province is left out and reported, never guessed; a missing or
non-numeric cell stays missing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from openpyxl.utils import get_column_letter  # spreadsheet letters (A, Z, AA), as openpyxl reads the file

POPULATION_FILE = Path("reference") / "population" / "V02.01.xlsx"
SOURCE = (
    "GSO (General Statistics Office of Viet Nam), PX-Web table V02.01 'Diện tích, dân số và mật độ dân số phân "
    "theo địa phương', indicator 'Dân số trung bình (Nghìn người)', 2011-2022 (series revised after the 2019 "
    "census), as exported to V02.01.xlsx (sha256 6bfded56e147dd15bc05ef3f3a1f7ea756ad17a373aa2493920a18664ceaa224)"
)
# rows of the table that are not provinces
AGGREGATES = {
    "ca nuoc",
    "dong bang song hong",
    "trung du va mien nui phia bac",
    "bac trung bo va duyen hai mien trung",
    "tay nguyen",
    "dong nam bo",
    "dong bang song cuu long",
}


@dataclass(frozen=True)
class PopulationRow:
    province_key: str  # 2004-<GSO code>
    year: int
    population_thousand: float
    source_path: str
    source_ref: str  # sheet!cell


def name_key(name: str) -> str:
    """A province name compared without accents, case, 'TP.' / 'Tỉnh' / 'Thành phố', and with Ð (U+00D0) and
    Đ alike: GSO writes `TP.Hồ Chí Minh`, `Hoà Bình`; the project `Hồ Chí Minh`, `Hòa Bình`."""
    s = unicodedata.normalize("NFC", name).replace("\u00d0", "Đ").replace("\u00f0", "đ")
    s = s.replace("Đ", "D").replace("đ", "d")
    s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c)).lower()
    s = re.sub(r"^(tp\.?|thanh pho|tinh)\s*", "", s.strip())
    return re.sub(r"[^a-z0-9]+", " ", s).strip()


def _year(label: object) -> int | None:
    m = re.match(r"^\s*(?:Sơ bộ\s*)?((?:19|20)\d\d)\b", str(label or ""))
    return int(m.group(1)) if m else None


def read_population(
    path: Path, provinces: dict[str, str], source_path: str | None = None
) -> tuple[list[PopulationRow], list[str]]:
    """(rows, problems): every province cell of the table at `path`; `provinces` maps province_key -> name.
    `source_path` is what the rows record (the path relative to its raw root: never a machine path)."""
    import openpyxl

    by_key: dict[str, str] = {}
    for key, name in provinces.items():
        k = name_key(name)
        if k in by_key:
            raise ValueError(f"two provinces read alike: {name!r} and {provinces[by_key[k]]!r}")
        by_key[k] = key
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
        title = ws.title
    finally:
        wb.close()
    header = next((i for i, r in enumerate(rows) if sum(_year(c) is not None for c in r[1:]) >= 2), None)
    if header is None:
        return [], [f"{path}: no row of years"]
    years: dict[int, int] = {}
    for j, c in enumerate(rows[header]):
        y = _year(c)
        if j > 0 and y is not None:
            years[j] = y
    out: list[PopulationRow] = []
    problems: list[str] = []
    seen: set[str] = set()
    for i, r in enumerate(rows[header + 1 :], start=header + 2):
        place = str(r[0] or "").strip()
        if not place or name_key(place) in AGGREGATES:
            continue
        found = by_key.get(name_key(place))
        if found is None:
            if any(isinstance(v, int | float) for v in r[1:]):
                problems.append(f"{path} row {i}: {place!r} is no province of the 63 (left out)")
            continue
        key = found
        seen.add(key)
        for j, year in years.items():
            v = r[j] if j < len(r) else None
            if isinstance(v, int | float) and not isinstance(v, bool) and v > 0:
                cell = f"{title}!{get_column_letter(j + 1)}{i}"
                out.append(PopulationRow(key, year, float(v), source_path or path.name, cell))
    problems += [f"{path}: no row for {provinces[k]}" for k in sorted(set(provinces) - seen)]
    return out, problems


def population_files(roots: list[Path]) -> list[Path]:
    return [r / POPULATION_FILE for r in roots if (r / POPULATION_FILE).is_file()]
