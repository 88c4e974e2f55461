"""Population-weighted means of the 2025 units (issue 25.3): GSO's average population (PX-Web table V02.01) read
in place from its source file, the population year named, and two units computed by hand."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.normalise.provinces import provinces_2004
from pipelines.sources.scores.population import AGGREGATES, name_key, read_population
from tests.conftest import SHARED

GSO = "reference/population/V02.01.xlsx"
GSO_FILE = SHARED / GSO
PROVINCES = {f"2004-{p.code}": p.name_vi for p in provinces_2004()}


def test_gso_names_match_the_project_s_provinces():
    assert name_key("TP.Hồ Chí Minh") == name_key("Hồ Chí Minh") == "ho chi minh"
    assert name_key("\u00d0ồng Nai") == name_key("Đồng Nai")  # Icelandic Eth in one GSO export
    assert name_key("Hoà Bình") == name_key("Hòa Bình") and name_key("Thanh Hoá") == name_key("Thanh Hóa")
    assert name_key("CẢ NƯỚC") in AGGREGATES and name_key("Đồng bằng sông Hồng") in AGGREGATES
    assert name_key("Hà Nam") != name_key("Hà Nội")


@pytest.mark.needs_shared(GSO)
def test_the_gso_table_is_read_in_place_with_its_cells():
    rows, problems = read_population(GSO_FILE, PROVINCES)
    assert problems == []
    assert len(rows) == 63 * 12  # 63 provinces x 2011..2022, no region, no national total
    by = {(r.province_key, r.year): r for r in rows}
    # figures as printed in the file (thousand persons)
    assert by[("2004-79", 2022)].population_thousand == 9389.72 and by[("2004-79", 2022)].source_ref == "V02.01!M60"
    assert by[("2004-01", 2011)].population_thousand == 6825.82 and by[("2004-01", 2011)].source_ref == "V02.01!B7"
    assert by[("2004-02", 2022)].population_thousand == 892.72
    assert {r.source_path for r in rows} == {GSO_FILE.name}  # the asset passes the path under its root
    assert {y for _, y in by} == set(range(2011, 2023))


def test_a_name_that_is_no_province_is_reported_not_guessed(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "V02.01"
    ws.append(["title"])
    ws.append([])
    ws.append([None, "2021", "2022 (*)"])
    ws.append(["CẢ NƯỚC", 1.0, 2.0])
    ws.append(["Hà Nội", 8330.83, None])  # a missing cell stays missing
    ws.append(["Hà Tây", 1.0, 1.0])
    path = tmp_path / "V02.01.xlsx"
    wb.save(path)
    rows, problems = read_population(path, {"2004-01": "Hà Nội", "2004-04": "Cao Bằng"})
    assert [(r.province_key, r.year, r.population_thousand, r.source_ref) for r in rows] == [
        ("2004-01", 2021, 8330.83, "V02.01!B5")
    ]
    assert any("'Hà Tây' is no province" in p for p in problems)
    assert any("no row for Cao Bằng" in p for p in problems)


@pytest.mark.needs_shared(GSO, in_build=True)
@pytest.mark.needs_shared("scores/papi", in_build=True)
def test_two_units_weighted_by_hand(built):
    """PAPI 2024 total, weighted by GSO's 2022 population (the latest year the table holds before 2024):
    Tuyên Quang = Hà Giang (43.72890562, 892.72) + Tuyên Quang (42.546778377, 805.78);
    Hồ Chí Minh = Bình Dương (45.391145408, 2763.12) + Bà Rịa-Vũng Tàu (45.532098027, 1178.7)
                  + TP. Hồ Chí Minh (42.81316805, 9389.72)."""
    tq = (43.72890562 * 892.72 + 42.546778377 * 805.78) / (892.72 + 805.78)
    hcm = (45.391145408 * 2763.12 + 45.532098027 * 1178.7 + 42.81316805 * 9389.72) / (2763.12 + 1178.7 + 9389.72)
    assert round(tq, 6) == 43.168096 and round(hcm, 6) == 43.587877
    _, published = built
    con = duckdb.connect(str(published), read_only=True)
    got = {
        k: (round(w, 6), round(u, 6), y, n, c)
        for k, w, u, y, n, c in con.execute(
            """SELECT unit_2025_key, score_pop_weighted, score_unweighted, population_year, members_weighted,
                      members_covered FROM mart_scores_2025_units
               WHERE indicator_code = 'PAPI.TOTAL' AND year = 2024 AND unit_2025_key IN ('2025-08', '2025-79')"""
        ).fetchall()
    }
    assert got == {
        "2025-08": (round(tq, 6), 43.137842, 2022, 2, 2),
        "2025-79": (round(hcm, 6), 44.578804, 2022, 3, 3),
    }
    # a year GSO's table holds is used as such; before 2011 there is no population: no weighted mean
    assert con.execute(
        """SELECT DISTINCT population_year FROM mart_scores_2025_units WHERE year = 2015 AND family = 'PAPI'"""
    ).fetchall() == [(2015,)]
    assert con.execute(
        """SELECT count(score_pop_weighted), count(population_year) FROM mart_scores_2025_units WHERE year < 2011"""
    ).fetchall() == [(0, 0)]
    # Phú Thọ lacks Vĩnh Phúc in 2024: the weighted mean covers the two members with a score, and says so
    assert con.execute(
        """SELECT members_total, members_covered, members_weighted FROM mart_scores_2025_units
           WHERE indicator_code = 'PAPI.TOTAL' AND year = 2024 AND unit_2025_name = 'Phú Thọ'"""
    ).fetchall() == [(3, 2, 2)]
    con.close()
