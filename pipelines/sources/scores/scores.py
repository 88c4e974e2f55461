"""Index score files -> long score rows, one per province, year and indicator. Dagster-free.

Layouts read (from `<raw root>/scores/`, at any depth):
- PAPI official workbook (.xlsx): one sheet per year named `<year>_PAPI`, two header rows (English, Vietnamese),
  `tinhid` = GSO code; the row `tinhid` 999 holds the column maxima and is skipped.
- PAPI sub-dimension panel (`<year>.csv`): `Province` = P-code, one column per sub-dimension `SCdk`, whose
  meaning depends on the period (raw/reference/papi_score_columns.csv).
- PAR Index tidy CSV: year,province_code,indicator_code,score; further columns ignored.
- PCI: the VCCI workbooks PCI_<year>.xls/.xlsx, their reading guide and the Wikipedia table (domain/pci.py).

Missing cells stay missing: an empty cell of a column PAPI published that year is a NULL score. Bad cells
(non-numeric, out of range), duplicated or unknown provinces go to quarantine with the reason; the rest loads.
The rows every loader makes: score_rows.py; press figures of PAR Index and SIPAS: press_figures.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from pipelines.normalise.provinces import REFERENCE_DIR, provinces_2004
from pipelines.settings import Settings
from pipelines.sources.plans.formats import LIMIT, FormatError, check_zip
from pipelines.sources.plans.ingest import RawFile
from pipelines.sources.scores.score_rows import (
    ScoreLoad,
    _near_range,
    _range_finding,
    check_range,
    number,
    score_finding,
    score_quarantine,
    score_row,
)

SCORE_COLUMNS_CSV = REFERENCE_DIR / "papi_score_columns.csv"
INDICATORS_CSV = REFERENCE_DIR / "indicators.csv"

PANEL_SOURCE = "papi_panel"
WORKBOOK_SOURCE = "papi_official_workbook"
PAR_TIDY_SOURCE = "par_tidy"
PAR_TIDY_HEADER = ["year", "province_code", "indicator_code", "score"]


@dataclass(frozen=True)
class ColumnSpec:
    column: str  # SCdk
    indicator_code: str
    dimension: str  # PAPI.Dd
    workbook_header_en: str
    n_in_dimension: int  # sub-dimensions the dimension had that year: the range is 1/n .. 10/n

    @property
    def scale(self) -> tuple[float, float]:
        return 1.0 / self.n_in_dimension, 10.0 / self.n_in_dimension


@lru_cache(maxsize=1)
def _column_rows() -> tuple[dict, ...]:
    with open(SCORE_COLUMNS_CSV, encoding="utf-8") as f:
        return tuple(csv.DictReader(f))


def columns_for_year(year: int) -> dict[str, ColumnSpec]:
    """SC column -> meaning in `year`; empty when the year is outside every period."""
    live = [
        r for r in _column_rows() if int(r["year_from"]) <= year and (not r["year_to"] or year <= int(r["year_to"]))
    ]
    per_dim: dict[str, int] = {}
    for r in live:
        d = r["indicator_code"].rsplit(".", 1)[0]
        per_dim[d] = per_dim.get(d, 0) + 1
    return {
        r["column"]: ColumnSpec(
            r["column"],
            r["indicator_code"],
            r["indicator_code"].rsplit(".", 1)[0],
            r["workbook_header_en"],
            per_dim[r["indicator_code"].rsplit(".", 1)[0]],
        )
        for r in live
    }


def dimensions_for_year(year: int) -> list[str]:
    return sorted({c.dimension for c in columns_for_year(year).values()})


def total_scale(year: int) -> tuple[float, float]:
    n = len(dimensions_for_year(year))
    return float(n), 10.0 * n


# ---------------------------------------------------------------- panel CSV

_YEAR_FILE = re.compile(r"^(20\d\d)\.csv$")


def is_panel_csv(f: RawFile, head: str) -> bool:
    return bool(_YEAR_FILE.match(f.path.name)) and head.split(",", 1)[0].strip().lstrip("\ufeff") == "Province"


@lru_cache(maxsize=1)
def _pcode_to_gso() -> dict[str, str]:
    with open(REFERENCE_DIR / "provinces_63.csv", encoding="utf-8") as fh:
        return {r["hnks_province_code"]: r["gso_code_2004"] for r in csv.DictReader(fh)}


def load_panel_csv(f: RawFile, data: bytes, sha: str) -> ScoreLoad:
    out = ScoreLoad()
    m = _YEAR_FILE.match(f.path.name)
    assert m is not None, f.path  # load_score_file sends only panel files named <year>.csv here
    year = int(m.group(1))
    if year > dt.date.today().year:
        out.quarantine.append(
            score_quarantine(f, sha, f"file name says PAPI year {year}, which has not happened yet", None)
        )
        return out
    cols = columns_for_year(year)
    if not cols:
        out.quarantine.append(
            score_quarantine(f, sha, f"no PAPI column map for year {year} (raw/reference/papi_score_columns.csv)", None)
        )
        return out
    text = data.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    known = _pcode_to_gso()
    seen: dict[str, int] = {}
    for line_no, row in enumerate(reader, start=2):
        if not any(c.strip() for c in row):
            continue
        ref = f"{f.source_path}:{line_no}"
        pcode = row[0].strip()
        if pcode not in known:
            out.quarantine.append(score_quarantine(f, sha, f"unknown province code {pcode!r}", ref))
            continue
        if pcode in seen:
            out.quarantine.append(
                score_quarantine(f, sha, f"duplicate province {pcode} (first at line {seen[pcode]})", ref)
            )
            continue
        seen[pcode] = line_no
        gso = known[pcode]
        if len(row) > len(header):
            # more cells than columns: which cell belongs to which column cannot be known; none is loaded
            out.quarantine.append(
                score_quarantine(
                    f,
                    sha,
                    f"row has {len(row)} cells but the header has {len(header)} columns: "
                    "its cells cannot be matched to their columns; row not loaded",
                    ref,
                )
            )
            continue
        if len(row) < len(header):
            # fewer cells: the present ones load, the missing columns are reported (never read as empty scores)
            missing = ", ".join(h.strip() for h in header[len(row) :])
            out.quarantine.append(
                score_quarantine(
                    f,
                    sha,
                    f"row has {len(row)} cells but the header has {len(header)} columns: no value for {missing}",
                    ref,
                )
            )
        _panel_cells(f, sha, year, gso, ref, header, row, cols, out)
    return out


def _panel_cells(
    f: RawFile, sha: str, year: int, gso: str, ref: str, header: list[str], row: list[str], cols: dict, out: ScoreLoad
) -> None:
    """The cells of one province's row of a panel CSV: a score, a finding or a quarantined cell each."""
    for name, raw in zip(header[1:], row[1:]):
        name = name.strip()
        spec = cols.get(name)
        v, err = number(raw)
        cell_ref = f"{ref}:{name}"
        if spec is None:
            if v is not None or err:
                out.quarantine.append(
                    score_quarantine(f, sha, f"value in column {name}, which PAPI did not publish in {year}", cell_ref)
                )
            continue
        if err is None and v is not None:
            err = check_range(v, *spec.scale)
            if err is None and _near_range(v, *spec.scale):
                out.findings.append(_range_finding(f, cell_ref, spec.indicator_code, v, *spec.scale))
        if err:
            out.quarantine.append(score_quarantine(f, sha, f"{spec.indicator_code} ({name}): {err}", cell_ref))
            continue
        out.scores.append(score_row(f, gso, year, spec.indicator_code, "subdimension", v, PANEL_SOURCE, ref, name))


# ---------------------------------------------------------------- official workbook

_SHEET = re.compile(r"^(20\d\d)_PAPI$")
_DIM_HEADERS = {
    "Participation at Local Levels": "PAPI.D1",
    "Transparency": "PAPI.D2",
    "Vertical Accountability": "PAPI.D3",
    "Control of Corruption": "PAPI.D4",
    "Public Administrative Procedures": "PAPI.D5",
    "Public Service Delivery": "PAPI.D6",
}


def _sheet_layout(header: list[str], year: int, cols: dict) -> tuple[dict[int, tuple[str, str, str]], str | None]:
    """Column index -> (level, indicator code, column) of a <year>_PAPI sheet, from its header; and the first header
    that names no known column (then the sheet is not read)."""
    by_header = {c.workbook_header_en: c for c in cols.values()}
    layout: dict[int, tuple[str, str, str]] = {}
    problem = None
    for i, h in enumerate(header):
        if i < 3 or not h:
            continue
        if h in _DIM_HEADERS:
            layout[i] = ("dimension", _DIM_HEADERS[h], h)
        elif h in by_header:
            layout[i] = ("subdimension", by_header[h].indicator_code, by_header[h].column)
        elif h.lower().startswith("un-weighted"):
            layout[i] = ("total", "PAPI.TOTAL", h)
        else:
            problem = f"unexpected column header {h!r} for {year}"
    return layout, problem


def load_workbook(f: RawFile, data: bytes, sha: str, max_rows: int = 100_000) -> ScoreLoad:
    import openpyxl

    out = ScoreLoad()
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        # the formulas too: a formula cell without a saved value reads as empty and must say so
        wb_formulas = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as e:  # a broken workbook is a file-level quarantine
        out.quarantine.append(score_quarantine(f, sha, f"unreadable workbook: {type(e).__name__}: {e}", None))
        return out
    for ws in wb.worksheets:
        sheet_ref = f"{f.source_path}#{ws.title}"
        part = ScoreLoad()
        try:
            _load_sheet(f, sha, ws, wb_formulas[ws.title], max_rows, part)
        except Exception as e:  # a damaged sheet (cut XML, a cell that cannot be read): that sheet, with the reason
            part = ScoreLoad()
            part.quarantine.append(
                score_quarantine(f, sha, f"sheet {ws.title}: cannot be read: {type(e).__name__}: {e}", sheet_ref)
            )
        out.scores += part.scores
        out.quarantine += part.quarantine
        out.findings += part.findings
        out.skipped_rows += part.skipped_rows
    return out


def _readable_sheet(f: RawFile, sha: str, ws, ws_formulas, max_rows: int, out: ScoreLoad):
    """(year, rows, formula rows, layout) of a <year>_PAPI sheet that can be read; None when it is refused (too
    many rows, empty, an unknown header: quarantined with the reason)."""
    from pipelines.settings import SHEET_ROWS_ENV

    m = _SHEET.match(ws.title)
    if not m:
        out.quarantine.append(
            score_quarantine(
                f, sha, f"sheet {ws.title!r} is not a <year>_PAPI sheet; not read", f"{f.source_path}#{ws.title}"
            )
        )
        return None
    year = int(m.group(1))
    too_many = (
        f"sheet {ws.title}: {LIMIT}: more than {max_rows:,} rows ({SHEET_ROWS_ENV}); a score sheet has one row "
        "per province; sheet not read"
    )
    if (ws.max_row or 0) > max_rows:  # the size the sheet declares: refused before a row is read
        out.quarantine.append(score_quarantine(f, sha, too_many, f"{f.source_path}#{ws.title}"))
        return None
    rows = list(islice(ws.iter_rows(values_only=True), max_rows + 1))  # a declaration can lie
    if len(rows) > max_rows:
        out.quarantine.append(score_quarantine(f, sha, too_many, f"{f.source_path}#{ws.title}"))
        return None
    if not rows:
        out.quarantine.append(
            score_quarantine(f, sha, f"sheet {ws.title} is empty; not read", f"{f.source_path}#{ws.title}")
        )
        return None
    formulas = list(islice(ws_formulas.iter_rows(values_only=True), len(rows)))
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    cols = columns_for_year(year)
    layout, problem = _sheet_layout(header, year, cols)
    if not header or header[0] != "tinhid" or problem:
        out.quarantine.append(
            score_quarantine(
                f,
                sha,
                f"sheet {ws.title}: {problem or 'first column is not tinhid'}; sheet not read",
                f"{f.source_path}#{ws.title}",
            )
        )
        return None
    return year, rows, formulas, layout


def _load_sheet(f: RawFile, sha: str, ws, ws_formulas, max_rows: int, out: ScoreLoad) -> None:
    readable = _readable_sheet(f, sha, ws, ws_formulas, max_rows, out)
    if readable is None:
        return
    year, rows, formulas, layout = readable
    cols = columns_for_year(year)
    gso_codes = {int(p.code): p.code for p in provinces_2004()}
    seen: dict[str, int] = {}
    for r_no, row in enumerate(rows[2:], start=3):  # two header rows
        if row is None or all(c is None for c in row):
            continue
        ref = f"{f.source_path}#{ws.title}!R{r_no}"
        tinhid, err = number(row[0])
        if err or tinhid is None:
            out.quarantine.append(score_quarantine(f, sha, f"tinhid {row[0]!r} is not a code", ref))
            continue
        if int(tinhid) == 999:  # the column maxima, not a province
            out.skipped_rows += 1
            continue
        code = gso_codes.get(int(tinhid))
        if code is None:
            out.quarantine.append(score_quarantine(f, sha, f"unknown province tinhid {int(tinhid)}", ref))
            continue
        if code in seen:
            out.quarantine.append(
                score_quarantine(f, sha, f"duplicate province tinhid {int(tinhid)} (first at row {seen[code]})", ref)
            )
            continue
        seen[code] = r_no
        dims_empty = all(number(row[i])[0] is None for i, (lv, _, _) in layout.items() if lv == "dimension")
        formula_row = formulas[r_no - 1] if r_no - 1 < len(formulas) else ()
        for i, (level, ind, col) in layout.items():
            v, err = number(row[i] if i < len(row) else None)
            written = formula_row[i] if i < len(formula_row) else None
            if v is None and isinstance(written, str) and written.startswith("="):
                # a formula never calculated in a spreadsheet (written by a script) has no saved value
                out.findings.append(
                    score_finding(
                        f,
                        "formula_without_value",
                        "warning",
                        f"{ws.title} row {r_no} column {col}: the cell holds the formula {written[:80]!r} with no "
                        "saved value; loaded as missing (open and save the workbook in a spreadsheet to keep it)",
                        f"{ref}:{col}",
                    )
                )
            if level == "total" and v == 0 and dims_empty:
                # the official 2014 sheet writes 0 as the total of provinces it did not survey
                out.findings.append(
                    score_finding(
                        f,
                        "zero_means_missing",
                        "warning",
                        f"{ws.title} row {r_no} (tinhid {int(tinhid)}): total is 0 while every dimension is "
                        "empty; loaded as missing, not as a score of 0",
                        ref,
                    )
                )
                v = None
            if err is None and v is not None:
                if level == "subdimension":
                    err = check_range(v, *cols[col].scale)
                elif level == "dimension":
                    err = check_range(v, 1, 10)
                else:
                    err = check_range(v, *total_scale(year))
            if err:
                out.quarantine.append(score_quarantine(f, sha, f"{ind}: {err}", f"{ref}:{col}"))
                continue
            out.scores.append(score_row(f, code, year, ind, level, v, WORKBOOK_SOURCE, ref, col))


# ---------------------------------------------------------------- PAR tidy CSV


@lru_cache(maxsize=1)
def _indicator_codes() -> dict[str, dict]:
    with open(INDICATORS_CSV, encoding="utf-8") as fh:
        return {r["indicator_code"]: r for r in csv.DictReader(fh)}


def is_par_tidy(head: str) -> bool:
    cols = [c.strip().lstrip("\ufeff") for c in head.split(",")]
    return cols[:4] == PAR_TIDY_HEADER


def load_par_tidy(f: RawFile, data: bytes, sha: str) -> ScoreLoad:
    out = ScoreLoad()
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    codes = {p.code for p in provinces_2004()}
    inds = _indicator_codes()
    seen: dict[tuple, int] = {}
    for line_no, r in enumerate(reader, start=2):
        ref = f"{f.source_path}:{line_no}"
        code = (r.get("province_code") or "").strip().zfill(2)
        ind = (r.get("indicator_code") or "").strip()
        y, yerr = number(r.get("year"))
        v, err = number(r.get("score"))
        if code not in codes:
            out.quarantine.append(score_quarantine(f, sha, f"unknown province code {r.get('province_code')!r}", ref))
            continue
        if ind not in inds or inds[ind]["family"] != "PAR_INDEX":
            out.quarantine.append(score_quarantine(f, sha, f"unknown PAR indicator {ind!r}", ref))
            continue
        if yerr or y is None:
            out.quarantine.append(score_quarantine(f, sha, f"year {r.get('year')!r} is not a year", ref))
            continue
        if err is None and v is not None and ind == "PAR.TOTAL":
            err = check_range(v, 0, 100)
        if err:
            out.quarantine.append(score_quarantine(f, sha, f"{ind}: {err}", ref))
            continue
        key = (code, int(y), ind)
        if key in seen:
            out.quarantine.append(
                score_quarantine(f, sha, f"duplicate province-year-indicator (first at line {seen[key]})", ref)
            )
            continue
        seen[key] = line_no
        row = score_row(
            f, code, int(y), ind, "total" if ind == "PAR.TOTAL" else "area", v, PAR_TIDY_SOURCE, ref, "score"
        )
        out.scores.append(row)
    return out


# ---------------------------------------------------------------- one contract per index and scale


@lru_cache(maxsize=1)
def _scales() -> dict[tuple[str, int], tuple[float, float]]:
    """(indicator_code, year) -> (lo, hi) for every indicator in every year it can have a value: PAPI by period
    (total 6-60 until 2017 and 8-80 from 2018, dimension 1-10, sub-dimension 1/k-10/k), PAR 0-100, PCI 0-100
    headline and 0-10 sub-indices, SIPAS 0-100 (raw/reference/indicators.csv)."""
    this_year = dt.date.today().year
    out: dict[tuple[str, int], tuple[float, float]] = {}
    for year in range(2005, this_year + 1):
        cols = columns_for_year(year)
        if cols:
            out[("PAPI.TOTAL", year)] = total_scale(year)
            out.update({(d, year): (1.0, 10.0) for d in dimensions_for_year(year)})
            out.update({(c.indicator_code, year): c.scale for c in cols.values()})
    for code, r in _indicator_codes().items():
        if r["family"] == "PAPI":
            continue
        lo = float(r["scale_min"]) if r["scale_min"].strip() else 0.0
        hi = float(r["scale_max"]) if r["scale_max"].strip() else 100.0
        last = int(r["last_year"]) if r["last_year"].strip() else this_year
        for year in range(int(r["first_year"]), last + 1):
            out[(code, year)] = (lo, hi)
    return out


def scale_frame():
    import polars as pl

    rows = [(c, y, lo, hi) for (c, y), (lo, hi) in _scales().items()]
    return pl.DataFrame(
        rows, schema={"indicator_code": pl.String, "year": pl.Int64, "lo": pl.Float64, "hi": pl.Float64}, orient="row"
    )


def score_problem(row: dict) -> str | None:
    """Why a staged score row breaks its index's contract (None when it keeps it)."""
    sc = _scales().get((row["indicator_code"], row["year"]))
    if sc is None:
        years = sorted(y for (c, y) in _scales() if c == row["indicator_code"])
        span = f"{years[0]}-{years[-1]}" if years else "none"
        return f"{row['indicator_code']} has no value in {row['year']} (its years: {span})"
    v = row["score"]
    if v is not None:
        err = check_range(v, *sc)
        if err:
            return f"{row['indicator_code']} {row['year']}: {err}"
    return None


_WHOLE_YEAR_SOURCES = {PANEL_SOURCE, WORKBOOK_SOURCE, "pci_workbook", "pci_wikipedia"}  # one file holds a whole year


def apply_contracts(loaded: list[tuple[RawFile, str | None, ScoreLoad]]) -> None:
    """Row-level contracts across every score file, in root order (raw/ first, then the extra roots in order):
    a row outside its index's scale or years moves from scores to quarantine with its file, cell, column, value and
    reason; a file that gives a year another file already gave for the same layout (the same PAPI panel year in two
    roots) is quarantined whole, naming the file kept; a single cell given twice (PAR tidy) is quarantined alone."""
    seen: dict[tuple, str] = {}
    years_seen: dict[tuple[str, int], str] = {}
    for f, sha, res in loaded:
        here = f"{f.root_label}/{f.source_path}"
        clash = sorted(
            {
                (r["source"], r["year"])
                for r in res.scores
                if r["source"] in _WHOLE_YEAR_SOURCES and (r["source"], r["year"]) in years_seen
            }
        )
        if clash:
            res.quarantine.append(
                score_quarantine(
                    f,
                    sha,
                    "; ".join(f"{src} {y} is already loaded from {years_seen[(src, y)]}" for src, y in clash)
                    + f" (the first file in root order is kept); {len(res.scores)} cells not loaded",
                    None,
                )
            )
            res.scores = []
            continue
        keep = []
        for row in res.scores:
            k = (row["province_key"], row["year"], row["indicator_code"], row["source"])
            why = score_problem(row)
            if why is None and k in seen:
                why = f"{row['indicator_code']} {row['year']} {row['province_key']} already loaded from {seen[k]}"
            if why:
                res.quarantine.append(
                    score_quarantine(
                        f,
                        sha,
                        f"{why} (column {row['source_column']}, value {row['score']!r})",
                        f"{row['source_ref']}:{row['source_column']}",
                    )
                )
                continue
            keep.append(row)
        for row in keep:
            seen[(row["province_key"], row["year"], row["indicator_code"], row["source"])] = here
            if row["source"] in _WHOLE_YEAR_SOURCES:
                years_seen[(row["source"], row["year"])] = here
        res.scores = keep


def load_score_file(f: RawFile, data: bytes | None = None, settings: Settings | None = None) -> tuple[str, ScoreLoad]:
    """(layout, result). Files that are not score tables are reported with layout 'not_a_score_table'. `data`:
    the bytes read_raw gave (read here without); the limits on a workbook's cost are `settings`'."""
    settings = Settings.from_env() if settings is None else settings
    if data is None:
        try:
            data = f.path.read_bytes()
        except OSError as e:
            res = ScoreLoad()
            res.quarantine.append(score_quarantine(f, None, f"unreadable: {e}", None))
            return "unreadable", res
    sha = hashlib.sha256(data).hexdigest()
    name = f.path.name.lower()
    from pipelines.sources.scores import pci

    if name.endswith(".xlsx"):
        try:  # before openpyxl or calamine inflates anything
            check_zip(data, "the workbook", settings.max_unzipped_bytes, settings.max_zip_entries)
        except FormatError as e:
            res = ScoreLoad()
            res.quarantine.append(score_quarantine(f, sha, str(e), None))
            return "unreadable", res
    if pci.is_pci_workbook(f):
        return "pci_workbook", pci.load_pci_workbook(f, data, sha, settings.max_sheet_rows)
    if name.endswith(".xlsx"):
        return "papi_workbook", load_workbook(f, data, sha, settings.max_sheet_rows)
    if name.endswith(".csv"):
        try:
            head = data.decode("utf-8-sig").split("\n", 1)[0]
        except UnicodeDecodeError:
            res = ScoreLoad()
            res.quarantine.append(score_quarantine(f, sha, "not UTF-8 text", None))
            return "unreadable", res
        if is_panel_csv(f, head):
            return "papi_panel", load_panel_csv(f, data, sha)
        if is_par_tidy(head):
            return "par_tidy", load_par_tidy(f, data, sha)
        if pci.is_wikipedia_table(head):
            return "pci_wikipedia", pci.load_wikipedia(f, data, sha)
        if pci.is_reading_guide(head):
            # a third party's notes on where the PCI workbooks keep their cells: no scores; checked against the
            # cells in tests/test_pci.py, never used to read them
            return "reading_guide", ScoreLoad()
        if f.path.name.startswith("codebook_"):
            return "codebook", ScoreLoad()  # documentation of the panel; names by period come from raw/reference
    res = ScoreLoad()
    res.quarantine.append(
        score_quarantine(
            f,
            sha,
            "not a known score layout (PAPI workbook, PAPI panel CSV, PAR tidy CSV, "
            "PCI workbook PCI_<year>.xls/.xlsx, PCI Wikipedia table)",
            None,
        )
    )
    return "unknown", res
