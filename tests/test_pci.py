"""The real PCI data, read in place from ../shared/data (CI always has it): the VCCI workbooks 2005-2016, the
third party's reading guide (PCI_Import.csv) and the Wikipedia table. Every value asserted here was read by hand in
the cells (sheet and cell named beside it), independently of the reader."""

from __future__ import annotations

import csv

import polars as pl
import pytest

from tests.conftest import SHARED

PCI_DIR = SHARED / "scores" / "pci"
WORKBOOKS = PCI_DIR / "vcci_workbooks_2005_2016"
pytestmark = pytest.mark.needs_shared("scores/pci")


@pytest.fixture(scope="module")
def staged():
    from pipelines.sources.plans.ingest import discover
    from pipelines.staging.frames import stage_scores

    files = [f for f in discover("scores", [SHARED]) if f.source_path.startswith("scores/pci/")]
    return stage_scores(files)


def _cell(df, source, code, year, indicator):
    r = df.filter(
        (pl.col("source") == source)
        & (pl.col("province_code") == code)
        & (pl.col("year") == year)
        & (pl.col("indicator_code") == indicator)
    )
    assert r.height == 1, (source, code, year, indicator, r.height)
    return r.row(0, named=True)


def wb(df, code, year, indicator):
    return _cell(df, "pci_workbook", code, year, indicator)


def test_every_pci_file_is_read_and_nothing_is_quarantined(staged):
    layouts = dict(zip(staged.files["source_path"].str.split("/").list.last(), staged.files["layout"]))
    assert layouts == {
        **{f"PCI_{y}.xls": "pci_workbook" for y in range(2005, 2012)},
        **{f"PCI_{y}.xlsx": "pci_workbook" for y in range(2012, 2017)},
        "PCI_Import.csv": "reading_guide",
        "pci_2006_2015_vi_wikipedia_table.csv": "pci_wikipedia",
    }
    assert staged.quarantine.height == 0
    # how each workbook was read is recorded (raw_score_files.read_as)
    read_as = dict(zip(staged.files["source_path"].str.split("/").list.last(), staged.files["read_as"]))
    assert read_as["PCI_2005.xls"].startswith("sheet 'Bảng tóm tắt chỉ số', header rows [2], data rows 3-44, single")
    assert read_as["PCI_2008.xls"].startswith("sheet 'Tổng hợp', header rows [1, 2], data rows 3-66, paired")
    assert read_as["PCI_2014.xlsx"].endswith(
        "read with openpyxl (calamine refused): Summary_VN, Summary, "
        "Chi phí gia nhập thị trường, Tính năng động, Thiết chế pháp lý"
    )


def test_provinces_per_year_42_then_64_with_ha_tay_then_63(staged):
    s = staged.scores.filter(pl.col("source") == "pci_workbook")
    n = dict(s.group_by("year").agg(pl.col("province_key").n_unique()).iter_rows())
    assert n == {2005: 42, 2006: 64, 2007: 64, 2008: 64, **{y: 63 for y in range(2009, 2017)}}
    # every indicator of a year lists every province once (no double count)
    per = s.group_by("year", "indicator_code").agg(pl.len().alias("n"), pl.col("province_key").n_unique().alias("u"))
    assert (per["n"] == per["u"]).all()
    assert set(s.filter(pl.col("province_key") == "2004-28")["year"]) == {2005, 2006, 2007, 2008}


def test_sub_index_sets_change_by_year(staged):
    s = staged.scores.filter(pl.col("source") == "pci_workbook")
    sets = {y: set(g["indicator_code"]) for (y,), g in s.group_by("year")}
    base = {
        "PCI.TOTAL",
        "PCI.ENTRY_COSTS",
        "PCI.LAND_ACCESS",
        "PCI.TRANSPARENCY",
        "PCI.TIME_COSTS",
        "PCI.INFORMAL_CHARGES",
        "PCI.PROACTIVITY",
        "PCI.BUSINESS_SUPPORT",
    }
    later = base | {"PCI.LABOR_TRAINING", "PCI.LEGAL_INSTITUTIONS"}
    assert sets[2005] == base | {"PCI.POLICY_BIAS", "PCI.POLICY_CONSISTENCY"}
    assert sets[2006] == later | {"PCI.POLICY_BIAS"}
    assert sets[2007] == sets[2008] == later | {"PCI.POLICY_BIAS", "PCI.TOTAL_UNWEIGHTED"}
    assert sets[2009] == sets[2011] == sets[2012] == later  # no Policy Bias 2009-2012
    assert sets[2010] == later | {"PCI.TOTAL_UNWEIGHTED"}
    assert all(sets[y] == later | {"PCI.POLICY_BIAS"} for y in range(2013, 2017))


def test_cells_single_column_years(staged):
    s = staged.scores
    # 2005 'Bảng tóm tắt chỉ số', Đà Nẵng row 4: F entry 8.771492553273571, K central-policy implementation
    # 6.351667787670373, L SOE bias 5.256038362518428, O weighted 70.6731496869088
    assert wb(s, "48", 2005, "PCI.ENTRY_COSTS")["score"] == pytest.approx(8.771492553273571, abs=1e-12)
    assert wb(s, "48", 2005, "PCI.POLICY_CONSISTENCY")["score"] == pytest.approx(6.351667787670373, abs=1e-12)
    assert wb(s, "48", 2005, "PCI.POLICY_BIAS")["score"] == pytest.approx(5.256038362518428, abs=1e-12)
    r = wb(s, "48", 2005, "PCI.TOTAL")
    assert (r["score"], r["source_ref"]) == (
        pytest.approx(70.6731496869088, abs=1e-12),
        "scores/pci/vcci_workbooks_2005_2016/PCI_2005.xls#Bảng tóm tắt chỉ số!O4",
    )
    # 2006 'PCI Tóm tắt' row 64: Hà Tây, entry 6.11717838404269, weighted 40.72977153233101
    assert wb(s, "28", 2006, "PCI.ENTRY_COSTS")["score"] == pytest.approx(6.11717838404269, abs=1e-12)
    assert wb(s, "28", 2006, "PCI.TOTAL")["score"] == pytest.approx(40.72977153233101, abs=1e-12)
    # 2007 'Tóm tắt các chỉ số PCI ' row 2: Bình Dương unweighted 76.02356 (O), weighted 77.19708 (P);
    # row 42: Hà Tây legal institutions 3.220122 (N), weighted 52.24132
    assert wb(s, "74", 2007, "PCI.TOTAL_UNWEIGHTED")["score"] == pytest.approx(76.02356, abs=1e-9)
    assert wb(s, "74", 2007, "PCI.TOTAL")["score"] == pytest.approx(77.19708, abs=1e-9)
    assert wb(s, "28", 2007, "PCI.LEGAL_INSTITUTIONS")["score"] == pytest.approx(3.220122, abs=1e-9)
    assert wb(s, "28", 2007, "PCI.TOTAL")["score"] == pytest.approx(52.24132, abs=1e-9)


def test_cells_paired_years(staged):
    """Each sub-index sorted by its own score, with its own province column to its left."""
    s = staged.scores
    # 2008 'Tổng hợp' row 3: B/C Đà Nẵng entry 9.360684, D/E Đồng Tháp land 8.054104, X/Y Đà Nẵng weighted 72.18393
    assert wb(s, "48", 2008, "PCI.ENTRY_COSTS")["score"] == pytest.approx(9.360684, abs=1e-9)
    assert wb(s, "87", 2008, "PCI.LAND_ACCESS")["score"] == pytest.approx(8.054104, abs=1e-9)
    assert wb(s, "48", 2008, "PCI.TOTAL")["score"] == pytest.approx(72.18393, abs=1e-9)
    # 2008 Hà Tây: B56/C56 entry 7.67605, X57/Y57 weighted 45.09365, V59/W59 unweighted 51.29111
    assert wb(s, "28", 2008, "PCI.ENTRY_COSTS")["score"] == pytest.approx(7.67605, abs=1e-9)
    r = wb(s, "28", 2008, "PCI.TOTAL")
    assert (r["score"], r["source_column"]) == (pytest.approx(45.09365, abs=1e-9), "Y")
    assert wb(s, "28", 2008, "PCI.TOTAL_UNWEIGHTED")["score"] == pytest.approx(51.29111, abs=1e-9)
    # 2010 'Tong hop' (ASCII names): N2/O2 'HCMC' business support 8.754751, T28/U28 'HCMC' unweighted 53.252305,
    # V24/W24 'HCMC' weighted 59.6670965
    assert wb(s, "79", 2010, "PCI.BUSINESS_SUPPORT")["score"] == pytest.approx(8.754751, abs=1e-9)
    assert wb(s, "79", 2010, "PCI.TOTAL_UNWEIGHTED")["score"] == pytest.approx(53.252305, abs=1e-9)
    assert wb(s, "79", 2010, "PCI.TOTAL")["score"] == pytest.approx(59.6670965, abs=1e-9)
    # 2014 'Summary_VN' (read with openpyxl: calamine refuses its `dimension ref="1:69"`): B46/C46 'Đăk Lăk' entry
    # 8.0953950881958, P3/Q3 'Đăk Lăk' business support 6.82349252700806, N62/O62 'Đăk Lăk' proactivity
    # 3.18164157867432, V31/W31 'Đắk Lắk' weighted 58.76272,
    # V2/W2 Đà Nẵng weighted 66.86679
    assert wb(s, "66", 2014, "PCI.ENTRY_COSTS")["score"] == pytest.approx(8.0953950881958, abs=1e-12)
    assert wb(s, "66", 2014, "PCI.BUSINESS_SUPPORT")["score"] == pytest.approx(6.82349252700806, abs=1e-12)
    r = wb(s, "66", 2014, "PCI.PROACTIVITY")
    assert (r["score"], r["source_ref"]) == (
        pytest.approx(3.18164157867432, abs=1e-12),
        "scores/pci/vcci_workbooks_2005_2016/PCI_2014.xlsx#Summary_VN!O62",
    )
    assert wb(s, "66", 2014, "PCI.TOTAL")["score"] == pytest.approx(58.76272, abs=1e-9)
    assert wb(s, "48", 2014, "PCI.TOTAL")["score"] == pytest.approx(66.86679, abs=1e-9)


# The top province of each year and its weighted PCI, as VCCI published them (the workbooks' summary/ranking sheets:
# 2005 'Xếp hạng theo chỉ số PCI' row 2, Bình Dương 76.82; later years the rank-1 row of the summary sheet).
TOP = {
    2005: ("74", 76.82),
    2006: ("74", 76.23),
    2007: ("74", 77.20),
    2008: ("48", 72.18),
    2009: ("48", 75.96),
    2010: ("48", 69.77),
    2011: ("10", 73.53),
    2012: ("87", 63.79),
    2013: ("48", 66.45),
    2014: ("48", 66.87),
    2015: ("48", 68.34),
    2016: ("48", 70.00),
}


def test_top_province_of_each_year(staged):
    s = staged.scores.filter((pl.col("source") == "pci_workbook") & (pl.col("indicator_code") == "PCI.TOTAL"))
    for year, (code, score) in TOP.items():
        top = s.filter(pl.col("year") == year).sort("score", descending=True).row(0, named=True)
        assert (top["province_code"], round(top["score"], 2)) == (code, score), year


def test_top_province_matches_the_2005_ranking_sheet():
    from pipelines.sources.scores.pci import read_sheets, resolve_province

    rows = read_sheets((WORKBOOKS / "PCI_2005.xls").read_bytes(), "PCI_2005.xls")["Xếp hạng theo chỉ số PCI"]
    assert rows[1][:3] == ["Bình Dương", pytest.approx(76.81896532924489), 1]
    assert resolve_province(rows[1][0]).code == TOP[2005][0]
    assert len([r for r in rows[1:] if r[0]]) == 42 and rows[42][0] == "Hà Tây"


def test_aliases_are_resolved_and_reported(staged):
    f = staged.findings.filter(pl.col("rule") == "province_alias_used")
    msgs = f["message"].to_list()
    # one finding per sheet and spelling, naming the alias row
    assert any(m.startswith("PCI Tóm tắt: 'Đắc Lắk' read as Đắk Lắk (GSO 66) by alias 'dac lak'") for m in msgs)
    assert any(m.startswith("Tổng hợp: 'TP.Hồ Chí Minh' read as Hồ Chí Minh (GSO 79)") for m in msgs)
    assert any(m.startswith("Tong hop: 'HCMC' read as Hồ Chí Minh (GSO 79)") for m in msgs)
    assert any(m.startswith("Summary_VN: 'TT- Huế' read as Thừa Thiên Huế (GSO 46)") for m in msgs)
    assert any(m.startswith("Tong hop: 'Bac Can' read as Bắc Kạn (GSO 06)") for m in msgs)
    assert sum(m.startswith("Summary_VN: 'Đăk Lăk' read as Đắk Lắk") for m in msgs) == 2  # 2014, 2016
    # the reference names themselves (2013 prints them decomposed, NFD) are not findings
    assert not any("'Bạc Liêu'" in m for m in msgs)
    per_file = f.group_by("source_path").len()
    assert per_file.height == 13  # 12 workbooks and the Wikipedia table


def test_a_province_printed_twice_in_a_sheet_is_reported_and_counted_once(staged):
    # 2014 'Summary_VN' prints Đắk Lắk as 'Đăk Lăk' in ten columns and 'Đắk Lắk' in the headline column, and prints
    # Hà Nội again in row 67 under the data block (a highlight with its values): one row each, and a finding
    s = staged.scores.filter((pl.col("source") == "pci_workbook") & (pl.col("year") == 2014))
    assert s.filter(pl.col("province_code") == "66").height == 11
    assert s.filter(pl.col("province_code") == "01").height == 11
    dup = staged.findings.filter(
        (pl.col("rule") == "province_duplicate") & pl.col("source_path").str.ends_with("PCI_2014.xlsx")
    )
    assert dup["message"].to_list() == [
        "Summary_VN row 67: Hà Nội printed again ('Hà Nội') below the data block (rows 2-64); not read again: "
        "11 values equal the block's"
    ]
    assert dup["related_id"].to_list() == ["scores/pci/vcci_workbooks_2005_2016/PCI_2014.xlsx#Summary_VN!B67"]
    # the same in 2008, 2010-2016: never an error, never a second row
    all_dups = staged.findings.filter(pl.col("rule") == "province_duplicate")
    assert all_dups.height == 8 and set(all_dups["severity"]) == {"info"}


def test_reading_guide_checked_against_the_cells():
    """PCI_Import.csv (1-based sheets, rows and columns; Province 0 = paired layout) agrees with the cells except
    where it does not: 2009 puts the data in rows 4-66, where the cells hold them in rows 3-65 (row 66 does not
    exist; row 3 is Hà Nội)."""
    from pipelines.sources.scores.pci import choose_sheet, read_sheets

    guide_cols = {
        "Entry Costs": "PCI.ENTRY_COSTS",
        "Land Access and Security of Tenure": "PCI.LAND_ACCESS",
        "Transparency and Access to Information": "PCI.TRANSPARENCY",
        "Time Costs and Regulatory Compliance": "PCI.TIME_COSTS",
        "Informal Charges": "PCI.INFORMAL_CHARGES",
        "Implementation and Consistency of Policies": "PCI.POLICY_CONSISTENCY",
        "Policy Bias": "PCI.POLICY_BIAS",
        "Proactivity of Provincial Leadership": "PCI.PROACTIVITY",
        "Business Support Services": "PCI.BUSINESS_SUPPORT",
        "Labor and Training": "PCI.LABOR_TRAINING",
        "Legal Institutions": "PCI.LEGAL_INSTITUTIONS",
        "Unweighted Col": "PCI.TOTAL_UNWEIGHTED",
        "Weighted Col": "PCI.TOTAL",
    }
    disagreements = []
    with open(WORKBOOKS / "PCI_Import.csv", encoding="utf-8") as fh:
        for g in csv.DictReader(fh):
            year = int(g["Year"])
            path = next(WORKBOOKS.glob(f"PCI_{year}.{g['Type']}"))
            sheets = read_sheets(path.read_bytes(), path.name)
            lay = choose_sheet(sheets)
            if list(sheets).index(lay.sheet) + 1 != int(g["Sheet"]):
                disagreements.append((year, "sheet", g["Sheet"], list(sheets).index(lay.sheet) + 1))
            if (int(g["Begin Row"]), int(g["End Row"])) != (lay.first_row + 1, lay.last_row + 1):
                disagreements.append(
                    (year, "rows", (g["Begin Row"], g["End Row"]), (lay.first_row + 1, lay.last_row + 1))
                )
            found = {ind: c + 1 for c, (ind, _) in lay.columns.items()}
            said = {guide_cols[k]: int(v) for k, v in g.items() if k in guide_cols and v.strip()}
            if said != found:
                disagreements.append((year, "columns", said, found))
            provs = {p + 1 for _, p in lay.columns.values()}
            if (int(g["Province"]) == 0) != lay.paired or (not lay.paired and provs != {int(g["Province"])}):
                disagreements.append((year, "province", g["Province"], provs))
    assert disagreements == [(2009, "rows", ("4", "66"), (3, 65))]


# Every cell where the Wikipedia table differs from the workbook by more than its two printed decimals:
# (GSO code, year, workbook value rounded to 4 decimals, Wikipedia value).
DISAGREEMENTS = [
    ("24", 2006, 55.9919, 56.99),
    ("27", 2006, 54.7882, 54.74),
    ("33", 2006, 55.9684, 56.91),
    ("37", 2006, 55.816, 56.82),
    ("42", 2006, 42.3481, 42.36),
    ("45", 2006, 52.1805, 52.08),
    ("67", 2006, 38.9099, 38.95),
    ("77", 2006, 55.9521, 56.9),
    # 2008: Vĩnh Long and Đồng Tháp exactly 2.00 points below the workbook; others 0.02-0.4 apart
    ("01", 2008, 53.7364, 53.94),
    ("08", 2008, 52.0013, 52.09),
    ("22", 2008, 54.7041, 54.3),
    ("42", 2008, 47.4814, 47.44),
    ("75", 2008, 59.6169, 59.42),
    ("86", 2008, 66.971, 64.97),
    ("87", 2008, 66.64, 64.64),
    ("91", 2008, 52.2544, 52.23),
    ("93", 2008, 55.3569, 55.34),
    ("25", 2009, 53.3033, 53.4),
    ("74", 2009, 74.0055, 74.04),
    ("89", 2009, 62.4729, 62.42),
    ("04", 2010, 53.5531, 53.56),
    ("06", 2010, 51.4864, 51.09),
    ("10", 2010, 67.9481, 67.97),
    ("12", 2010, 51.7668, 51.22),
    ("20", 2010, 50.2029, 50.3),
    ("30", 2010, 57.5141, 57.31),
    ("33", 2010, 49.7684, 49.37),
    ("35", 2010, 52.1769, 52.19),
    ("44", 2010, 55.2167, 55.32),
    ("45", 2010, 61.614, 61.68),
    ("64", 2010, 53.6538, 53.45),
    # 2011: four provinces printed with another province's workbook value: Bình Định with Bắc Kạn's 52.71, Bình
    # Thuận with Bến Tre's 59.90, Bình Dương with Bắc Giang's 60.79, Bạc Liêu with Bình Dương's 63.99 (rows shifted)
    ("52", 2011, 58.14, 52.71),
    ("60", 2011, 57.62, 59.9),
    ("74", 2011, 63.99, 60.79),
    ("95", 2011, 57.92, 63.99),
]


def test_wikipedia_disagreements_listed_exactly(staged):
    s = staged.scores.filter(pl.col("indicator_code") == "PCI.TOTAL")
    w = s.filter(pl.col("source") == "pci_workbook").select("province_code", "year", pl.col("score").alias("w"))
    k = s.filter(pl.col("source") == "pci_wikipedia").select("province_code", "year", pl.col("score").alias("k"))
    assert k.height == 630  # 63 provinces x 2006-2015 (no Hà Tây)
    j = k.join(w, on=["province_code", "year"], how="left")
    assert j["w"].null_count() == 0
    diff = j.filter((pl.col("w") - pl.col("k")).abs() > 0.005).sort("year", "province_code")
    assert [(r["province_code"], r["year"], round(r["w"], 4), r["k"]) for r in diff.iter_rows(named=True)] == sorted(
        DISAGREEMENTS, key=lambda d: (d[1], d[0])
    )


def test_disagreements_are_findings_and_the_workbook_wins(built):
    import duckdb

    _, published = built
    con = duckdb.connect(str(published), read_only=True)
    try:
        msgs = [
            m
            for (m,) in con.execute(
                "SELECT message FROM dq_finding WHERE rule = 'score_layouts_disagree' "
                "AND message LIKE 'PCI.%' ORDER BY message"
            ).fetchall()
        ]
        assert len(msgs) == len(DISAGREEMENTS)
        m = next(m for m in msgs if m.startswith("PCI.TOTAL 2011 2004-95:"))
        assert m == (
            "PCI.TOTAL 2011 2004-95: pci_workbook 57.9200 (scores/pci/vcci_workbooks_2005_2016/PCI_2011.xls"
            "#Tong hop!U40) vs pci_wikipedia 63.99 (scores/pci/wikipedia_vi_2006_2015/"
            "pci_2006_2015_vi_wikipedia_table.csv:27); the official workbook is kept"
        )
        pref = con.execute(
            "SELECT source, score FROM fct_indicator_score WHERE province_key = '2004-95' AND year = 2011 "
            "AND indicator_code = 'PCI.TOTAL' AND is_preferred"
        ).fetchall()
        assert pref == [("pci_workbook", pytest.approx(57.92))]
        panel = con.execute(
            "SELECT pci_total, papi_total IS NOT NULL, has_pci, has_papi, n_indices FROM mart_index_panel "
            "WHERE province_key = '2004-95' AND year = 2011"
        ).fetchall()
        assert panel == [(pytest.approx(57.92), True, True, True, 2)]
        ha_tay = con.execute(
            "SELECT year, round(pci_total, 5), has_papi FROM mart_index_panel "
            "WHERE province_key = '2004-28' ORDER BY year"
        ).fetchall()
        assert ha_tay == [
            (2005, pytest.approx(38.80647, abs=1e-5), False),
            (2006, 40.72977, False),
            (2007, 52.24132, False),
            (2008, 45.09365, False),
        ]
    finally:
        con.close()


def test_targets_on_any_index_are_evaluated_or_say_why_not(built):
    """A PAR Index target is evaluated against the index when its year is held: Quảng Ngãi's plan (nhóm 20/63 in
    2020) against the press figure for 2020 (Quảng Ngãi last, 63rd, 73.25 %: par_index_published_figures.csv:28)."""
    import duckdb

    _, published = built
    con = duckdb.connect(str(published), read_only=True)
    try:
        rows = con.execute(
            "SELECT province_key, indicator_code, year, comparator, target_value, unit, actual_value, "
            "actual_score, status, status_reason FROM mart_target_vs_actual "
            "WHERE indicator_code NOT LIKE 'PAPI.%'"
        ).fetchall()
    finally:
        con.close()
    assert sorted(rows) == [
        ("2004-51", "PAR.TOTAL", 2020, "<=", 20.0, "rank", 63.0, 73.25, "not_met", None),
        # HCMC PAR 2020, "Par Index năm 2020 … trong 05 địa phương dẫn đầu cả nước": only press figures are held
        (
            "2004-79",
            "PAR.TOTAL",
            2020,
            "<=",
            5.0,
            "rank",
            None,
            None,
            "not_evaluable",
            "no PAR Index value held for this province in 2020: only press figures (partial) are held",
        ),
    ]


def test_every_workbook_cell_loaded_equals_the_cell_read_through_the_guide(staged):
    """A second, independent reading of every PCI cell: the reading guide's sheet and column numbers (its 2009 rows
    corrected to 3-65, see above), rows read until the province cell is empty or a MIN/MAX row, each value compared
    with the loaded one. Every loaded cell is matched, and nothing the guide points to is missing."""
    from pipelines.sources.scores.pci import read_sheets, resolve_province

    guide_cols = {
        "Entry Costs": "PCI.ENTRY_COSTS",
        "Land Access and Security of Tenure": "PCI.LAND_ACCESS",
        "Transparency and Access to Information": "PCI.TRANSPARENCY",
        "Time Costs and Regulatory Compliance": "PCI.TIME_COSTS",
        "Informal Charges": "PCI.INFORMAL_CHARGES",
        "Implementation and Consistency of Policies": "PCI.POLICY_CONSISTENCY",
        "Policy Bias": "PCI.POLICY_BIAS",
        "Proactivity of Provincial Leadership": "PCI.PROACTIVITY",
        "Business Support Services": "PCI.BUSINESS_SUPPORT",
        "Labor and Training": "PCI.LABOR_TRAINING",
        "Legal Institutions": "PCI.LEGAL_INSTITUTIONS",
        "Unweighted Col": "PCI.TOTAL_UNWEIGHTED",
        "Weighted Col": "PCI.TOTAL",
    }
    loaded = {
        (r["province_code"], r["year"], r["indicator_code"]): r["score"]
        for r in staged.scores.filter(pl.col("source") == "pci_workbook").iter_rows(named=True)
    }
    seen = {}
    with open(WORKBOOKS / "PCI_Import.csv", encoding="utf-8") as fh:
        for g in csv.DictReader(fh):
            year = int(g["Year"])
            path = next(WORKBOOKS.glob(f"PCI_{year}.{g['Type']}"))
            sheets = read_sheets(path.read_bytes(), path.name)
            rows = list(sheets.values())[int(g["Sheet"]) - 1]
            first = 3 if year == 2009 else int(g["Begin Row"])
            last = 65 if year == 2009 else int(g["End Row"])
            for name, col in g.items():
                if name not in guide_cols or not col.strip():
                    continue
                c = int(col) - 1
                pcol = c - 1 if int(g["Province"]) == 0 else int(g["Province"]) - 1
                for r in range(first - 1, last):
                    p = resolve_province(rows[r][pcol])
                    seen[(p.code, year, guide_cols[name])] = rows[r][c]
    assert set(seen) == set(loaded) and len(seen) == 8015
    assert all(loaded[k] == pytest.approx(v, abs=0) for k, v in seen.items())
