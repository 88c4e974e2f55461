"""Right values in the marts (issue 16): national means only from complete official tables or the published
national figure; one status row per index score/rank target; methodology breaks flagged, no change across them."""
from __future__ import annotations

import duckdb
import pytest

from tests.test_pipeline import panel_in_build


def test_par_national_mean_is_the_published_figure_never_a_mean_of_press_figures(built):
    _, published = built
    con = duckdb.connect(str(published), read_only=True)
    rows = dict((y, (m, src, n)) for y, m, src, n in con.execute(
        """SELECT DISTINCT year, national_mean, national_mean_source, n_provinces FROM mart_province_scores
           WHERE indicator_code = 'PAR.TOTAL'""").fetchall())
    assert rows[2024] == (88.37, "published_national_figure", 63)  # not 96.17, the one press figure held
    assert rows[2016] == (74.64, "published_national_figure", 63)
    assert rows[2020] == (None, None, 0)  # press figures only, no national figure: no mean at all
    # no value labelled national mean comes from a partial source
    assert con.execute("""SELECT count(*) FROM mart_province_scores WHERE national_mean IS NOT NULL
                          AND national_mean_source IS NULL""").fetchall()[0][0] == 0
    con.close()


@pytest.mark.skipif(not panel_in_build(), reason="real PAPI panel not in the raw roots")
def test_papi_national_mean_is_the_mean_of_the_complete_official_table(built):
    _, published = built
    con = duckdb.connect(str(published), read_only=True)
    assert con.execute("""SELECT DISTINCT national_mean_source, n_provinces FROM mart_province_scores
                          WHERE year = 2021 AND indicator_code = 'PAPI.D1'""").fetchall() \
        == [("mean_of_complete_official_table", 60)]
    con.close()


def test_every_index_target_has_exactly_one_status_row(built):
    _, published = built
    con = duckdb.connect(str(published), read_only=True)
    missing_or_doubled = con.execute("""
        SELECT t.target_id, count(m.target_id) FROM fct_plan_target AS t
        LEFT JOIN mart_target_vs_actual AS m USING (target_id)
        WHERE ((t.indicator_code LIKE 'PAPI.%' AND t.unit IN ('points', 'rank', 'rank_change'))
               OR (t.indicator_code IN ('PAR.TOTAL', 'PCI.TOTAL', 'SIPAS.TOTAL') AND t.unit IN ('points', 'rank', 'rank_change', 'percent')))
          AND t.document_id NOT IN (SELECT document_id FROM dq_finding WHERE rule = 'near_duplicate_of' AND document_id IS NOT NULL)
        GROUP BY 1 HAVING count(m.target_id) <> 1""").fetchall()
    assert missing_or_doubled == []
    # Quảng Ngãi: PAR Index "nhóm 20/63" by 2020, published rank 63 -> not met; HCMC PAR "trong 05 địa phương dẫn
    # đầu" 2020: no published figure for HCMC -> not evaluable, with the reason (a near-duplicate plan counts once)
    par = dict(con.execute("""SELECT province_key, status || ' ' || coalesce(status_reason, '') FROM mart_target_vs_actual
                              WHERE indicator_code = 'PAR.TOTAL' AND year = 2020""").fetchall())
    assert par["2004-51"].strip() == "not_met"
    assert par["2004-79"].startswith("not_evaluable") and "partial" in par["2004-79"]
    con.close()


@pytest.mark.skipif(not panel_in_build(), reason="real PAPI panel not in the raw roots")
def test_methodology_breaks_are_flagged_and_no_change_crosses_them(built):
    _, published = built
    con = duckdb.connect(str(published), read_only=True)
    breaks = set(con.execute("SELECT indicator_code, year FROM ref_methodology_break").fetchall())
    assert {("PAPI.TOTAL", 2018), ("PAPI.D5", 2021), ("PAPI.D8", 2019), ("PAPI.D3", 2016)} <= breaks
    rows = dict((y, (c, ch)) for y, c, ch in con.execute(
        """SELECT year, comparable_with_previous, change_since_previous_year FROM mart_province_scores
           WHERE province_key = '2004-79' AND indicator_code = 'PAPI.D5'""").fetchall())
    assert rows[2021] == (False, None)
    assert rows[2022][0] is True and rows[2022][1] is not None
    assert con.execute("""SELECT count(*) FROM mart_province_scores WHERE NOT comparable_with_previous
                          AND change_since_previous_year IS NOT NULL""").fetchall()[0][0] == 0
    assert con.execute("""SELECT count(DISTINCT indicator_code) FROM mart_province_scores
                          WHERE year = 2018 AND NOT comparable_with_previous""").fetchall()[0][0] == 3  # TOTAL, D2, D3
    con.close()
