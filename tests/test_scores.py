"""The real PAPI panel and workbook, read in place from ../shared/data (CI always has it).
Values asserted here were read in the files themselves; ranks against the HCMC 2018-2019 plan's quotes."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.sources.plans.ingest import RawFile
from tests.conftest import SHARED

pytestmark = pytest.mark.needs_shared("scores/papi")

WORKBOOK = "scores/papi/official_workbook_2011_2016/PAPI_2011-2016.xlsx"
PANEL = "scores/papi/subdimension_panel_2011_2024"


@pytest.fixture(scope="module")
def staged():
    from pipelines.sources.plans.ingest import discover
    from pipelines.staging.frames import stage_scores

    return stage_scores(discover("scores", [SHARED]))


def _cell(df, source, code, year, indicator):
    r = df.filter(
        (pl.col("source") == source)
        & (pl.col("province_code") == code)
        & (pl.col("year") == year)
        & (pl.col("indicator_code") == indicator)
    )
    assert r.height == 1, (source, code, year, indicator, r.height)
    return r.row(0, named=True)


def test_every_file_accounted_and_nothing_quarantined(staged):
    layouts = dict(zip(staged.files["source_path"], staged.files["layout"]))
    assert layouts[WORKBOOK] == "papi_workbook"
    assert sum(v == "papi_panel" for v in layouts.values()) == 14
    assert sum(v == "codebook" for v in layouts.values()) == 3
    # every PAPI and PCI file reads clean (issue 17): nothing is quarantined
    assert sum(v == "pci_workbook" for v in layouts.values()) == 12
    assert sum(v == "pci_wikipedia" for v in layouts.values()) == 1
    assert sum(v == "reading_guide" for v in layouts.values()) == 1
    assert staged.quarantine.height == 0, staged.quarantine.head(10)
    assert set(layouts.values()) == {
        "papi_workbook",
        "papi_panel",
        "codebook",
        "pci_workbook",
        "pci_wikipedia",
        "reading_guide",
    }
    # 6 sheets, one maximum row (tinhid 999) each
    assert staged.files.filter(pl.col("source_path") == WORKBOOK)["n_skipped_rows"][0] == 6


def test_cells_read_in_each_layout(staged):
    s = staged.scores
    # workbook 2011_PAPI, Hà Nội (tinhid 1): D1 5.76248, Civic Knowledge 1.26411, total 36.40502
    assert _cell(s, "papi_official_workbook", "01", 2011, "PAPI.D1")["score"] == pytest.approx(5.76248)
    assert _cell(s, "papi_official_workbook", "01", 2011, "PAPI.D1.CIVIC_KNOWLEDGE")["score"] == pytest.approx(1.26411)
    assert _cell(s, "papi_official_workbook", "01", 2011, "PAPI.TOTAL")["score"] == pytest.approx(36.40502)
    # the 2016 sheet's SC32 is "Responsive to Citizen Actions", not People's Inspection Boards
    assert _cell(s, "papi_official_workbook", "01", 2016, "PAPI.D3.RESPONSIVENESS")["score"] == pytest.approx(
        1.045026421546936
    )
    # panel 2018, P01: SC21 is Access to information from 2018 (Poverty lists moved to SC22)
    r = _cell(s, "papi_panel", "01", 2018, "PAPI.D2.ACCESS_TO_INFO")
    assert (r["score"], r["source_column"]) == (pytest.approx(0.783857882), "SC21")
    assert _cell(s, "papi_panel", "01", 2018, "PAPI.D2.POVERTY_LISTS")["source_column"] == "SC22"
    assert _cell(s, "papi_panel", "01", 2014, "PAPI.D2.POVERTY_LISTS")["source_column"] == "SC21"
    # construction permits are not published from 2021
    assert s.filter((pl.col("year") == 2021) & (pl.col("indicator_code") == "PAPI.D5.CONSTRUCTION_PERMITS")).height == 0


def test_missing_stays_null(staged):
    s = staged.scores.filter(pl.col("source") == "papi_panel")
    missing = s.filter(pl.col("score").is_null())
    # 2014 Bắc Giang, Đồng Tháp all (2 x 22); 2018 Quảng Ninh, Đồng Tháp D2+D4 (2 x 8); 2021 three provinces
    # all (3 x 28); 2022 Bắc Giang D1,D2,D4,D5 (15), Bắc Ninh D2,D3,D4,D8 (14); 2023 and 2024 two provinces all (2 x 28 each)
    assert missing.height == 44 + 16 + 84 + 29 + 56 + 56
    by_year = missing.group_by("year").agg(pl.col("province_code").unique().sort()).sort("year")
    assert dict(zip(by_year["year"], by_year["province_code"].to_list())) == {
        2014: ["24", "87"],
        2018: ["22", "87"],
        2021: ["22", "24", "27"],
        2022: ["24", "27"],
        2023: ["22", "74"],
        2024: ["26", "82"],
    }
    # the 2014 sheet writes 0 as the total of the two provinces it has no data for: loaded as missing
    assert _cell(staged.scores, "papi_official_workbook", "24", 2014, "PAPI.TOTAL")["score"] is None
    assert staged.findings.filter(pl.col("rule") == "zero_means_missing").height == 2


def test_layouts_agree_2011_2016(staged):
    s = staged.scores
    w = s.filter((pl.col("source") == "papi_official_workbook") & (pl.col("level") == "subdimension"))
    p = s.filter(pl.col("source") == "papi_panel")
    j = w.join(p, on=["province_code", "year", "indicator_code"], suffix="_p")
    assert j.height == w.height == 63 * 22 * 6
    assert (j["score"] - j["score_p"]).abs().max() < 1e-6


def test_bad_rows_and_cells_go_to_quarantine(tmp_path):
    from pipelines.sources.scores.scores import load_score_file

    # SYNTHETIC robustness input, written by this test
    src = (SHARED / PANEL / "2019.csv").read_text(encoding="utf-8").splitlines()
    header, first = src[0], src[1].split(",")
    bad_cell = first.copy()
    bad_cell[1] = "abc"
    out_of_range = src[2].split(",")
    out_of_range[5] = "7.5"
    rows = [
        header,
        ",".join(bad_cell),
        ",".join(out_of_range),
        src[3],
        src[3],
        "P99," + ",".join(src[4].split(",")[1:]),
    ]
    d = tmp_path / "scores"
    d.mkdir()
    (d / "2019.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    layout, res = load_score_file(RawFile(tmp_path, d / "2019.csv"))
    reasons = sorted(q["reason"] for q in res.quarantine)
    assert layout == "papi_panel"
    assert reasons == [
        "PAPI.D1.CIVIC_KNOWLEDGE (SC11): non-numeric value 'abc'",
        "PAPI.D2.ACCESS_TO_INFO (SC21): value 7.5 outside its range 0.25-2.5",
        "duplicate province P03 (first at line 4)",
        "unknown province code 'P99'",
    ]
    # the rest of each row still loads: 29 cells x 3 provinces, minus the two bad cells
    assert len(res.scores) == 29 * 3 - 2
