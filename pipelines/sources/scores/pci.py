"""PCI (Provincial Competitiveness Index, VCCI) score files -> long score rows. Dagster-free, plain Python.

Layouts read (dispatched from scores.load_score_file):
- the official VCCI workbooks 2005-2016 (`PCI_<year>.xls` / `.xlsx`), read from their cells: every sheet's first
  rows are scanned for sub-index headers (Vietnamese or English wording, raw/reference/pci_headers.csv); the sheet
  with the most sub-indices is the summary sheet. A header cell's column holds the values; the province of each value
  is in the column just left of it when that column holds province names ("paired" layout: each sub-index sorted by
  its own score with its own province column, 2008 and 2010-2016), else in the sheet's single province column. The
  data block runs from the first row under the headers to the first row without a province name (the highlighted
  province and rank rows some years print below it are not data).
- the reading guide `PCI_Import.csv` (a third party's notes: sheet, rows, column of each sub-index): recognised,
  not read as scores (tests/test_pci.py checks it against the cells).
- the Wikipedia ranking table (`year,province_as_printed,pci_weighted_as_printed`): a second source of PCI.TOTAL.

Province names are printed in many spellings; they resolve through raw/reference/province_aliases.csv
(diacritic- and punctuation-insensitive) and Hà Tây (2005-2008) through raw/reference/provinces_dissolved.csv.
Every spelling that is not the reference name is a `province_alias_used` finding (one per sheet and spelling); a
province printed twice in one column is a `province_duplicate` finding and its second value goes to quarantine.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from openpyxl.utils import get_column_letter  # the cell letters quoted in provenance (A, Z, AA)

from pipelines.normalise.provinces import REFERENCE_DIR, fold, provinces_2004
from pipelines.sources.plans.ingest import RawFile
from pipelines.sources.scores.score_rows import (
    ScoreLoad,
    check_range,
    number,
    score_finding,
    score_quarantine,
    score_row,
)

WORKBOOK_SOURCE = "pci_workbook"
WIKIPEDIA_SOURCE = "pci_wikipedia"
WIKIPEDIA_HEADER = ["year", "province_as_printed", "pci_weighted_as_printed"]
READING_GUIDE_HEADER = ["Year", "Type", "Sheet", "Begin Row", "End Row", "Province"]
HEADERS_CSV = REFERENCE_DIR / "pci_headers.csv"
ALIASES_CSV = REFERENCE_DIR / "province_aliases.csv"
DISSOLVED_CSV = REFERENCE_DIR / "provinces_dissolved.csv"
HEADLINE = "PCI.TOTAL"
UNWEIGHTED = "PCI.TOTAL_UNWEIGHTED"
HEADER_ROWS_SCANNED = 4
_YEAR_NAME = re.compile(r"PCI_((?:19|20)\d\d)\.xlsx?$", re.I)


def key(name: str) -> str:
    """Diacritic-, case- and punctuation-insensitive key: 'TT- Huế' -> 'tt hue', 'TP.HCM' -> 'tp hcm'."""
    return " ".join(re.sub(r"[.\-–,/():]", " ", fold(str(name))).split())


# ---------------------------------------------------------------- provinces and their spellings


@dataclass(frozen=True)
class Resolved:
    code: str
    reference_name: str
    via: str | None  # None: the reference name itself; else how the spelling was matched


@lru_cache(maxsize=1)
def _dissolved() -> tuple[dict, ...]:
    with open(DISSOLVED_CSV, encoding="utf-8") as fh:
        return tuple(csv.DictReader(fh))


@lru_cache(maxsize=1)
def _alias_rows() -> tuple[dict, ...]:
    with open(ALIASES_CSV, encoding="utf-8") as fh:
        return tuple(csv.DictReader(fh))


@lru_cache(maxsize=1)
def _name_index() -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]], dict[str, tuple[str, str, str]]]:
    """(exact name -> (code, name), folded reference name -> (code, name), alias key -> (code, name, source))."""
    exact: dict[str, tuple[str, str]] = {}
    folded: dict[str, tuple[str, str]] = {}
    names = {}
    for p in provinces_2004():
        names[p.code] = p.name_vi
        for n in (p.name_vi, p.name_ascii):
            exact[n] = (p.code, p.name_vi)
            folded[key(n)] = (p.code, p.name_vi)
    for r in _dissolved():
        names[r["gso_code_2004"]] = r["name_vi"]
        for n in (r["name_vi"], r["name_ascii"]):
            exact[n] = (r["gso_code_2004"], r["name_vi"])
            folded[key(n)] = (r["gso_code_2004"], r["name_vi"])
    aliases = {key(r["alias"]): (r["gso_code_2004"], names[r["gso_code_2004"]], r["source"]) for r in _alias_rows()}
    return exact, folded, aliases


def resolve_province(printed: str) -> Resolved | None:
    exact, folded, aliases = _name_index()
    s = " ".join(unicodedata.normalize("NFC", str(printed)).split())  # 2013 prints decomposed (NFD) letters
    if s in exact:
        return Resolved(*exact[s], None)
    k = key(s)
    if k in aliases:
        code, name, source = aliases[k]
        return Resolved(code, name, f"alias {k!r} in raw/reference/province_aliases.csv ({source})")
    if k in folded:
        return Resolved(*folded[k], "same letters without diacritics/punctuation")
    return None


# ---------------------------------------------------------------- header vocabulary


@lru_cache(maxsize=1)
def _header_rules() -> tuple[tuple[str, str], ...]:
    """(folded phrase, indicator code), longest phrase first; an empty code marks a column that is not a score."""
    with open(HEADERS_CSV, encoding="utf-8") as fh:
        rows = [(key(r["phrase"]), r["indicator_code"]) for r in csv.DictReader(fh)]
    return tuple(sorted(rows, key=lambda r: -len(r[0])))


def header_indicator(text) -> str | None:
    """Indicator a header cell names, None when it names none (or names a rank, a group, a region)."""
    if not isinstance(text, str) or not text.strip():
        return None
    k = key(text)
    hits = [code for phrase, code in _header_rules() if re.search(rf"(^| ){re.escape(phrase)}( |$)", k)]
    if not hits or "" in hits:  # a rank or group column, even when it names the PCI ("Thứ hạng PCI 2009")
        return None
    return hits[0]  # the longest phrase


_SUMMARY_ROWS = {
    "min",
    "max",
    "trung vi",
    "median",
    "mean",
    "trung binh",
    "xep hang",
    "thu tu",
    "ranking",
    "tinh",
    "province",
}  # rows under the block that are not provinces: the block ends there
_PROVINCE_HEADERS = {"tinh", "tinh thanh pho", "province", "tinh/thanh pho"}


# ---------------------------------------------------------------- workbook


@dataclass
class SheetLayout:
    sheet: str
    header_rows: list[int]  # 0-based
    first_row: int  # 0-based first data row
    last_row: int  # 0-based last data row (inclusive)
    columns: dict[int, tuple[str, int]]  # value column -> (indicator, province column), 0-based
    paired: bool

    def describe(self) -> str:
        cols = ", ".join(
            f"{ind}@{_col_letter(c)}(prov {_col_letter(p)})" for c, (ind, p) in sorted(self.columns.items())
        )
        return (
            f"sheet {self.sheet!r}, header rows {[r + 1 for r in self.header_rows]}, data rows "
            f"{self.first_row + 1}-{self.last_row + 1}, {'paired' if self.paired else 'single province column'}: {cols}"
        )


def _col_letter(i: int) -> str:
    """The spreadsheet letter of a 0-based column (0 -> A, 26 -> AA)."""
    return get_column_letter(i + 1)


def read_sheets(
    data: bytes,
    name: str,
    via_openpyxl: list[str] | None = None,
    max_rows: int | None = None,
    too_large: list[str] | None = None,
) -> dict[str, list[list]]:
    """Every sheet's cells (rows of values; '' for an empty cell). python-calamine reads .xls and .xlsx; the few
    .xlsx sheets it refuses (a `<dimension ref="1:69"/>` without columns, PCI_2014) are read with openpyxl.
    A sheet of more than `max_rows` rows is left out and named in `too_large` (a PCI sheet has a row per
    province), before its rows become values."""
    from itertools import islice

    from python_calamine import CalamineWorkbook

    cap = None if max_rows is None else max_rows + 1
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    out: dict[str, list[list]] = {}
    fallback = None
    for sheet in wb.sheet_names:
        try:
            ws = wb.get_sheet_by_name(sheet)
            rows: list[list]
            if cap is not None and ws.height >= cap:  # the sheet's size, known before a cell becomes a value
                rows = [[]] * cap
            else:
                rows = [list(r) for r in ws.to_python()]
        except Exception:
            if not name.lower().endswith(".xlsx"):
                raise
            if fallback is None:
                import openpyxl

                fallback = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            rows = [
                ["" if c is None else c for c in r] for r in islice(fallback[sheet].iter_rows(values_only=True), cap)
            ]
            if via_openpyxl is not None:
                via_openpyxl.append(sheet)
        if max_rows is not None and len(rows) > max_rows:
            if too_large is not None:
                too_large.append(sheet)
            continue
        out[sheet] = rows
    return out


def _is_province_cell(v) -> bool:
    return isinstance(v, str) and resolve_province(v) is not None


def find_layout(sheet: str, rows: list[list]) -> SheetLayout | None:
    """The score columns of a sheet, from its header cells; None when it has no sub-index header."""
    head: dict[int, str] = {}
    header_rows: list[int] = []
    province_header_col = None
    for r in range(min(HEADER_ROWS_SCANNED, len(rows))):
        hit = False
        for c, v in enumerate(rows[r]):
            ind = header_indicator(v)
            if ind and c not in head:
                head[c] = ind
                hit = True
            if isinstance(v, str) and key(v) in _PROVINCE_HEADERS:
                hit = True
                if province_header_col is None:
                    province_header_col = c
        if hit:
            header_rows.append(r)
    if not head or not header_rows:
        return None
    start = header_rows[-1] + 1
    # the single province column: the one with the most province names in the rows under the header
    counts: dict[int, int] = {}
    for row in rows[start : start + 70]:
        for c, v in enumerate(row):
            if _is_province_cell(v):
                counts[c] = counts.get(c, 0) + 1
    if not counts:
        return None
    main = province_header_col if province_header_col in counts else max(counts, key=lambda c: (counts[c], -c))
    n_main = counts[main]
    columns: dict[int, tuple[str, int]] = {}
    paired = False
    for c, ind in sorted(head.items()):
        left = c - 1
        if left != main and left not in head and counts.get(left, 0) >= 0.8 * n_main:
            columns[c] = (ind, left)
            paired = True
        else:
            columns[c] = (ind, main)
    # data block: from the first row with a province name in the main column to the row before the first without
    first = next((i for i in range(start, len(rows)) if main < len(rows[i]) and _is_province_cell(rows[i][main])), None)
    if first is None:
        return None
    last = first
    while (
        last + 1 < len(rows)
        and main < len(rows[last + 1])
        and str(rows[last + 1][main]).strip() not in ("", "None")
        and key(rows[last + 1][main]) not in _SUMMARY_ROWS
    ):
        last += 1
    return SheetLayout(sheet, header_rows, first, last, columns, paired)


def choose_sheet(sheets: dict[str, list[list]]) -> SheetLayout | None:
    """The summary sheet: the most sub-index columns with a headline; the first such sheet on a tie."""
    best = None
    for name, rows in sheets.items():
        lay = find_layout(name, rows)
        if lay is None:
            continue
        inds = {i for i, _ in lay.columns.values()}
        if HEADLINE not in inds:
            continue
        if best is None or len(inds) > len({i for i, _ in best.columns.values()}):
            best = lay
    return best


@lru_cache(maxsize=1)
def indicator_rows() -> dict[str, dict]:
    with open(REFERENCE_DIR / "indicators.csv", encoding="utf-8") as fh:
        return {r["indicator_code"]: r for r in csv.DictReader(fh) if r["family"] == "PCI"}


def scale_of(code: str) -> tuple[float, float]:
    r = indicator_rows()[code]
    return float(r["scale_min"]), float(r["scale_max"])


def published_in(code: str, year: int) -> bool:
    r = indicator_rows().get(code)
    return r is not None and int(r["first_year"]) <= year and (not r["last_year"] or year <= int(r["last_year"]))


def workbook_year(f: RawFile) -> int | None:
    m = _YEAR_NAME.search(f.path.name)
    return int(m.group(1)) if m else None


def is_pci_workbook(f: RawFile) -> bool:
    return workbook_year(f) is not None


def load_pci_workbook(f: RawFile, data: bytes, sha: str, max_rows: int = 100_000):
    from pipelines.settings import SHEET_ROWS_ENV
    from pipelines.sources.plans.formats import LIMIT

    out = ScoreLoad()
    year = workbook_year(f)
    assert year is not None, f.path  # load_score_file sends only workbooks named with a year (is_pci_workbook)
    via_openpyxl: list[str] = []
    too_large: list[str] = []
    try:
        sheets = read_sheets(data, f.path.name, via_openpyxl, max_rows, too_large)
    except Exception as e:
        out.quarantine.append(score_quarantine(f, sha, f"unreadable workbook: {type(e).__name__}: {e}", None))
        return out
    for sheet in too_large:
        out.quarantine.append(
            score_quarantine(
                f,
                sha,
                f"sheet {sheet}: {LIMIT}: more than {max_rows:,} rows ({SHEET_ROWS_ENV}); a PCI sheet has one row "
                "per province; sheet not read",
                f"{f.source_path}#{sheet}",
            )
        )
    lay = choose_sheet(sheets)
    if lay is None:
        out.quarantine.append(
            score_quarantine(
                f,
                sha,
                "no sheet with PCI sub-index headers and a weighted PCI column "
                "(raw/reference/pci_headers.csv); workbook not read",
                None,
            )
        )
        return out
    rows = sheets[lay.sheet]
    out.layout_note = lay.describe() + (
        f"; read with openpyxl (calamine refused): {', '.join(via_openpyxl)}" if via_openpyxl else ""
    )
    aliases_used: dict[str, tuple[Resolved, list[str]]] = {}
    for c, (ind, pcol) in sorted(lay.columns.items()):
        if not published_in(ind, year):
            out.quarantine.append(
                score_quarantine(
                    f,
                    sha,
                    f"column {_col_letter(c)} reads as {ind}, which PCI did not publish in "
                    f"{year} (raw/reference/indicators.csv)",
                    f"{f.source_path}#{lay.sheet}!{_col_letter(c)}",
                )
            )
            continue
        level = "total" if ind in (HEADLINE, UNWEIGHTED) else "subindex"
        _read_column(f, sha, year, lay, rows, c, ind, pcol, level, aliases_used, out)
    out.findings += _rows_below_block(f, lay, rows, out.scores)
    for printed, (p, cells) in sorted(aliases_used.items()):
        out.findings.append(
            score_finding(
                f,
                "province_alias_used",
                "info",
                f"{lay.sheet}: {printed!r} read as {p.reference_name} (GSO {p.code}) by {p.via}; cells {', '.join(cells[:8])}"
                + (f" and {len(cells) - 8} more" if len(cells) > 8 else ""),
                f"{f.source_path}#{lay.sheet}!{cells[0]}",
            )
        )
    return out


def _read_column(
    f: RawFile, sha: str, year: int, lay, rows: list, c: int, ind: str, pcol: int, level: str, aliases_used: dict, out
) -> None:
    """One indicator's column of the summary sheet: a score per province printed beside it, or the reason not."""
    lo, hi = scale_of(ind)
    seen: dict[str, int] = {}
    for r in range(lay.first_row, lay.last_row + 1):
        row = rows[r]
        printed = row[pcol] if pcol < len(row) else ""
        cell = f"{f.source_path}#{lay.sheet}!{_col_letter(c)}{r + 1}"
        if not isinstance(printed, str) or not printed.strip():
            v, _ = number(row[c] if c < len(row) else None)
            if v is not None:
                out.quarantine.append(
                    score_quarantine(f, sha, f"{ind} value {v:g} with no province in column {_col_letter(pcol)}", cell)
                )
            continue
        p = resolve_province(printed)
        if p is None:
            out.quarantine.append(
                score_quarantine(f, sha, f"unknown province name {printed!r} in column {_col_letter(pcol)}", cell)
            )
            continue
        if p.via and f"{_col_letter(pcol)}{r + 1}" not in aliases_used.setdefault(printed, (p, []))[1]:
            aliases_used[printed][1].append(f"{_col_letter(pcol)}{r + 1}")
        if p.code in seen:
            first = seen[p.code]
            msg = (
                f"{lay.sheet} column {_col_letter(pcol)}: {p.reference_name} printed twice, as "
                f"{rows[first][pcol]!r} (row {first + 1}) and {printed!r} (row {r + 1}); the first is kept"
            )
            out.findings.append(score_finding(f, "province_duplicate", "error", msg, cell))
            out.quarantine.append(score_quarantine(f, sha, f"duplicate province: {msg}", cell))
            continue
        seen[p.code] = r
        v, err = number(row[c] if c < len(row) else None)
        if err is None and v is not None:
            err = check_range(v, lo, hi)
        if err:
            out.quarantine.append(score_quarantine(f, sha, f"{ind}: {err}", cell))
            continue
        out.scores.append(
            score_row(
                f,
                p.code,
                year,
                ind,
                level,
                v,
                WORKBOOK_SOURCE,
                f"{f.source_path}#{lay.sheet}!{_col_letter(c)}{r + 1}",
                _col_letter(c),
            )
        )


def _rows_below_block(f: RawFile, lay: SheetLayout, rows: list[list], scores: list[dict]) -> list[dict]:
    """A province printed again under the data block (the workbooks highlight one province there, with its values
    and ranks): reported, compared with the block, never read again."""

    main = min(p for _, p in lay.columns.values())
    loaded = {(s["province_code"], s["indicator_code"]): s["score"] for s in scores}
    out = []
    for r in range(lay.last_row + 1, len(rows)):
        printed = rows[r][main] if main < len(rows[r]) else ""
        p = resolve_province(printed) if isinstance(printed, str) and printed.strip() else None
        if p is None:
            continue
        same = differ = 0
        for c, (ind, _) in lay.columns.items():
            v, _ = number(rows[r][c] if c < len(rows[r]) else None)
            if v is None:
                continue
            if (p.code, ind) in loaded and loaded[(p.code, ind)] is not None and abs(loaded[(p.code, ind)] - v) < 1e-9:
                same += 1
            else:
                differ += 1
        ref = f"{f.source_path}#{lay.sheet}!{_col_letter(main)}{r + 1}"
        out.append(
            score_finding(
                f,
                "province_duplicate",
                "info" if differ == 0 else "warning",
                f"{lay.sheet} row {r + 1}: {p.reference_name} printed again ({printed!r}) below the data block "
                f"(rows {lay.first_row + 1}-{lay.last_row + 1}); not read again: {same} values equal the block's"
                + (f", {differ} differ" if differ else ""),
                ref,
            )
        )
    return out


# ---------------------------------------------------------------- reading guide and Wikipedia table


def _header_cells(head: str) -> list[str]:
    return [c.strip().lstrip("\ufeff") for c in head.strip().split(",")]


def is_reading_guide(head: str) -> bool:
    return _header_cells(head)[:6] == READING_GUIDE_HEADER


def is_wikipedia_table(head: str) -> bool:
    return _header_cells(head)[:3] == WIKIPEDIA_HEADER


def load_wikipedia(f: RawFile, data: bytes, sha: str):

    out = ScoreLoad()
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    seen: dict[tuple, int] = {}
    aliases_used: dict[str, tuple[Resolved, list[int]]] = {}
    lo, hi = scale_of(HEADLINE)
    for line_no, r in enumerate(reader, start=2):
        ref = f"{f.source_path}:{line_no}"
        y, yerr = number(r.get("year"))
        if yerr or y is None or not published_in(HEADLINE, int(y)):
            out.quarantine.append(score_quarantine(f, sha, f"year {r.get('year')!r} is not a PCI year", ref))
            continue
        printed = (r.get("province_as_printed") or "").strip()
        p = resolve_province(printed)
        if p is None:
            out.quarantine.append(score_quarantine(f, sha, f"unknown province name {printed!r}", ref))
            continue
        if p.via:
            aliases_used.setdefault(printed, (p, []))[1].append(line_no)
        v, err = number(r.get("pci_weighted_as_printed"))
        if err is None and v is not None:
            err = check_range(v, lo, hi)
        if err:
            out.quarantine.append(score_quarantine(f, sha, f"{HEADLINE}: {err}", ref))
            continue
        k = (p.code, int(y))
        if k in seen:
            msg = f"{p.reference_name} {int(y)} printed twice (lines {seen[k]} and {line_no}); the first is kept"
            out.findings.append(score_finding(f, "province_duplicate", "error", msg, ref))
            out.quarantine.append(score_quarantine(f, sha, f"duplicate province-year: {msg}", ref))
            continue
        seen[k] = line_no
        out.scores.append(
            score_row(f, p.code, int(y), HEADLINE, "total", v, WIKIPEDIA_SOURCE, ref, "pci_weighted_as_printed")
        )
    for printed, (p, lines) in sorted(aliases_used.items()):
        out.findings.append(
            score_finding(
                f,
                "province_alias_used",
                "info",
                f"{printed!r} read as {p.reference_name} (GSO {p.code}) by {p.via}; lines "
                f"{', '.join(map(str, lines[:8]))}",
                f"{f.source_path}:{lines[0]}",
            )
        )
    return out
