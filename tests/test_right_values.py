"""Right values in the marts (issue 16): national means only from complete official tables or the published
national figure; one status row per index score/rank target; methodology breaks flagged, no change across them."""

from __future__ import annotations

import duckdb
import pytest

from tests.test_pipeline import panel_in_build


def test_par_national_mean_is_the_published_figure_never_a_mean_of_press_figures(built):
    _, published = built
    con = duckdb.connect(str(published), read_only=True)
    rows = dict(
        (y, (m, src, n))
        for y, m, src, n in con.execute(
            """SELECT DISTINCT year, national_mean, national_mean_source, n_provinces FROM mart_province_scores
           WHERE indicator_code = 'PAR.TOTAL'"""
        ).fetchall()
    )
    assert rows[2024] == (88.37, "published_national_figure", 63)  # not 96.17, the one press figure held
    assert rows[2016] == (74.64, "published_national_figure", 63)
    assert rows[2020] == (None, None, 0)  # press figures only, no national figure: no mean at all
    # no value labelled national mean comes from a partial source
    assert (
        con.execute("""SELECT count(*) FROM mart_province_scores WHERE national_mean IS NOT NULL
                          AND national_mean_source IS NULL""").fetchall()[0][0]
        == 0
    )
    con.close()


@pytest.mark.needs_shared("scores/papi", in_build=True)
def test_papi_national_mean_is_the_mean_of_the_complete_official_table(built):
    _, published = built
    con = duckdb.connect(str(published), read_only=True)
    assert con.execute("""SELECT DISTINCT national_mean_source, n_provinces FROM mart_province_scores
                          WHERE year = 2021 AND indicator_code = 'PAPI.D1'""").fetchall() == [
        ("mean_of_complete_official_table", 60)
    ]
    con.close()


def test_every_index_target_has_exactly_one_status_row(built):
    _, published = built
    con = duckdb.connect(str(published), read_only=True)
    counted = "document_id NOT IN (SELECT document_id FROM dq_finding WHERE rule = 'near_duplicate_of' AND document_id IS NOT NULL)"
    # a target on an index score or rank, stated once or first: one row; a restatement: none of its own
    missing_or_doubled = con.execute(f"""
        SELECT t.target_id, t.restates_target_id IS NULL AS first, count(m.target_id) FROM fct_plan_target AS t
        LEFT JOIN mart_target_vs_actual AS m USING (target_id)
        WHERE t.is_index_target AND t.{counted}
        GROUP BY ALL HAVING count(m.target_id) <> CASE WHEN t.restates_target_id IS NULL THEN 1 ELSE 0 END""").fetchall()
    assert missing_or_doubled == []
    # the mart holds nothing else
    assert (
        con.execute("""SELECT count(*) FROM mart_target_vs_actual AS m JOIN fct_plan_target AS t USING (target_id)
                          WHERE NOT t.is_index_target OR t.restates_target_id IS NOT NULL""").fetchall()[0][0]
        == 0
    )
    # the predicate is the one of issue 16: PAPI score/rank/rank change, the headlines' score/rank, PAR/SIPAS percent
    assert (
        con.execute("""SELECT count(*) FROM fct_plan_target WHERE is_index_target IS DISTINCT FROM coalesce(
        (indicator_code LIKE 'PAPI.%' AND unit IN ('points', 'rank', 'rank_change'))
        OR (indicator_code IN ('PAR.TOTAL', 'PCI.TOTAL', 'SIPAS.TOTAL') AND unit IN ('points', 'rank', 'rank_change'))
        OR (indicator_code IN ('PAR.TOTAL', 'SIPAS.TOTAL') AND unit = 'percent'), false)""").fetchall()[0][0]
        == 0
    )
    # HCMC's PAPI plan 3897/QĐ-UBND states "nhóm 16 địa phương dẫn đầu" for 2018 twice (line 74, the preamble; line
    # 84, the objectives, "năm 2018 cao hơn năm 2015": 2015 is the baseline, not the year): one row, 2018; the
    # PAPI 2018 panel (28 sub-dimensions summed, 61 provinces complete) puts HCMC 52nd (42.40) -> not met
    hcmc = con.execute("""SELECT year, target_value, status, actual_rank, line, restated_at_lines, plan_number,
                                 issuer_name, plan_year_start, plan_year_end
                          FROM mart_target_vs_actual WHERE province_key = '2004-79' AND indicator_code = 'PAPI.TOTAL'
                          AND unit = 'rank'""").fetchall()
    assert [h[:2] + h[4:] for h in hcmc] == [
        (2018, 16.0, 74, [84], "3897/QĐ-UBND", "Ủy ban nhân dân Thành phố Hồ Chí Minh", 2018, 2019)
    ]
    if panel_in_build():
        assert hcmc[0][2:4] == ("not_met", 52)
    # Quảng Ngãi: PAR Index "nhóm 20/63" by 2020, published rank 63 -> not met; HCMC PAR "trong 05 địa phương dẫn
    # đầu" 2020: no published figure for HCMC -> not evaluable, with the reason (a near-duplicate plan counts once)
    par = dict(
        con.execute("""SELECT province_key, status || ' ' || coalesce(status_reason, '') FROM mart_target_vs_actual
                              WHERE indicator_code = 'PAR.TOTAL' AND year = 2020""").fetchall()
    )
    assert par["2004-51"].strip() == "not_met"
    assert par["2004-79"].startswith("not_evaluable") and "partial" in par["2004-79"]
    con.close()


@pytest.mark.needs_shared("scores/papi", in_build=True)
def test_methodology_breaks_are_flagged_and_no_change_crosses_them(built):
    _, published = built
    con = duckdb.connect(str(published), read_only=True)
    breaks = set(con.execute("SELECT indicator_code, year FROM ref_methodology_break").fetchall())
    assert {("PAPI.TOTAL", 2018), ("PAPI.D5", 2021), ("PAPI.D8", 2019), ("PAPI.D3", 2016)} <= breaks
    rows = dict(
        (y, (c, ch))
        for y, c, ch in con.execute(
            """SELECT year, comparable_with_previous, change_since_previous_year FROM mart_province_scores
           WHERE province_key = '2004-79' AND indicator_code = 'PAPI.D5'"""
        ).fetchall()
    )
    assert rows[2021] == (False, None)
    assert rows[2022][0] is True and rows[2022][1] is not None
    assert (
        con.execute("""SELECT count(*) FROM mart_province_scores WHERE NOT comparable_with_previous
                          AND change_since_previous_year IS NOT NULL""").fetchall()[0][0]
        == 0
    )
    assert (
        con.execute("""SELECT count(DISTINCT indicator_code) FROM mart_province_scores
                          WHERE year = 2018 AND NOT comparable_with_previous""").fetchall()[0][0]
        == 3
    )  # TOTAL, D2, D3
    con.close()


@pytest.mark.needs_shared("scores/papi", in_build=True)
def test_change_since_the_base_year_only_within_a_comparable_period(built):
    _, published = built
    con = duckdb.connect(str(published), read_only=True)
    rows = {
        (c, y): r
        for c, y, *r in con.execute(
            """SELECT indicator_code, year, score, comparable_since, base_year, comparable_with_base_year,
                  round(change_since_base_year, 6) FROM mart_province_scores WHERE province_key = '2004-79'
                  AND indicator_code IN ('PAPI.D1', 'PAPI.D5', 'PAPI.TOTAL')"""
        ).fetchall()
    }
    # HCMC D1 (no break since 2011): 4.806217 in 2024 against 4.835765 in 2018 (panel sums)
    assert rows[("PAPI.D1", 2024)][1:] == [2011, 2018, True, -0.029548]
    assert rows[("PAPI.D1", 2018)][3:] == [False, None]  # the base year itself: no change
    # D5 lost construction permits in 2021: 2024 is not comparable with 2018; the total changed in 2019 and 2021
    assert rows[("PAPI.D5", 2024)][1:] == [2021, 2018, False, None]
    assert rows[("PAPI.D5", 2019)][3] is True
    assert rows[("PAPI.TOTAL", 2024)][1:] == [2021, 2018, False, None]
    # any other base: mart_score_change, with the breaks in between
    got = dict(
        ((b, y), r)
        for b, y, *r in con.execute(
            """SELECT base_year, year, comparable, round(change, 6), breaks_between FROM mart_score_change
           WHERE province_key = '2004-79' AND indicator_code = 'PAPI.TOTAL' AND year = 2024"""
        ).fetchall()
    )
    assert got[(2018, 2024)] == [False, None, [2019, 2021]]
    assert got[(2021, 2024)] == [True, 2.136627, None]  # 42.813168 - 40.676541
    # change since the previous calendar year only: PCI Policy bias was not published 2009-2012, so 2013 has none
    assert (
        con.execute("""SELECT count(change_since_previous_year) FROM mart_province_scores
                          WHERE indicator_code = 'PCI.POLICY_BIAS' AND year = 2013""").fetchall()[0][0]
        == 0
    )
    con.close()


@pytest.mark.needs_shared("scores/papi", in_build=True)
def test_scores_of_the_34_units_of_2025_say_which_members_are_missing(built):
    _, published = built
    con = duckdb.connect(str(published), read_only=True)
    # members per unit = n_members of Resolution 202/2025/QH15 (raw/reference/merger_2025.csv) once Hà Tây is gone
    assert con.execute("""SELECT count(*), sum(members_total) FROM mart_scores_2025_units
                          WHERE indicator_code = 'PAPI.TOTAL' AND year = 2024""").fetchall() == [(34, 63)]
    # PAPI 2024: Vĩnh Phúc and Tiền Giang are empty in the source panel (data/SOURCES.md, caution 3), so 32 of the
    # 34 units are fully covered; Phú Thọ's mean is over Hòa Bình (43.477790) and Phú Thọ (44.414502) only, and says so
    partial = con.execute("""SELECT unit_2025_name, members_total, members_covered, members_missing,
                             round(score_unweighted, 6) FROM mart_scores_2025_units WHERE indicator_code = 'PAPI.TOTAL' AND year = 2024
                             AND NOT all_members_covered ORDER BY 1""").fetchall()
    assert partial == [("Phú Thọ", 3, 2, ["Vĩnh Phúc"], 43.946146), ("Đồng Tháp", 2, 1, ["Tiền Giang"], 43.835711)]
    # Hà Nội's unit holds Hà Tây's territory: PCI 2008 reported both (53.73638 and 45.09365)
    assert (
        con.execute("""SELECT members_total, members_covered, round(score_unweighted, 6) FROM mart_scores_2025_units
                          WHERE unit_2025_key = '2025-01' AND indicator_code = 'PCI.TOTAL' AND year = 2008""").fetchall()
        == [(2, 2, 49.415015)]
    )
    # beside it, the mean weighted by GSO's population (test_population.py checks two units by hand)
    assert (
        con.execute("""SELECT count(*), count(score_pop_weighted), min(population_year), max(population_year)
                          FROM mart_scores_2025_units WHERE indicator_code = 'PAPI.TOTAL' AND year = 2024""").fetchall()
        == [(34, 34 if panel_in_build() else 0, 2022 if panel_in_build() else None, 2022 if panel_in_build() else None)]
    )
    con.close()
