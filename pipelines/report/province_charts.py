"""The charts of the province view, which follow the province selector at the top of the report."""

from __future__ import annotations

import json

import altair as alt

from pipelines.report.chart_parts import (
    _break_rules,
    _dimension_panel,
    _dimension_y,
    _latest,
    _province_params,
    _scores,
    _title,
    _with_labels,
    _year_x,
)
from pipelines.report.data import MISSING, ReportData
from pipelines.report.province_view import BASE_YEAR


def province_dims_chart(data: ReportData) -> alt.TopLevelMixin:
    """The chosen province on each dimension in the latest year against the national mean, both values and the
    difference printed (no hover needed); the axis spans the values, not 0-10."""
    year = _latest(data)
    tinh, ten = _province_params(data)
    base = _with_labels(
        alt.Chart(_scores(data)).transform_filter(
            f"datum.province_key == tinh && datum.year == {year} && datum.indicator_code != 'PAPI.TOTAL'"
        ),
        data,
    )
    y = _dimension_y()
    x = alt.X("score:Q", title=f"Điểm năm {year} (thang 1–10)", scale=alt.Scale(zero=False))
    scored = base.transform_filter("isValid(datum.score)")
    link = scored.mark_rule(color="#bbb", strokeWidth=2).encode(y=y, x=x, x2="national_mean:Q")
    mean = scored.mark_tick(color="#333", thickness=2, size=14).encode(y=y, x="national_mean:Q")
    dot = scored.mark_circle(size=90, color="#d6604d", opacity=1).encode(
        y=y,
        x=x,
        tooltip=[
            alt.Tooltip("indicator_label:N", title="Chỉ số"),
            alt.Tooltip("score:Q", title="Điểm", format=".2f"),
            alt.Tooltip("national_mean:Q", title="Trung bình toàn quốc", format=".2f"),
            alt.Tooltip("rank:Q", title="Hạng"),
        ],
    )
    width = 340
    text = (
        base.transform_calculate(
            txt="isValid(datum.score) ? format(datum.score, '.2f') + ' (TB ' + format(datum.national_mean, '.2f') "
            "+ '; ' + format(datum.score - datum.national_mean, '+.2f') + '; hạng ' + datum.rank + '/' + "
            f"datum.n_ranked + ')' : '{MISSING}'"
        )
        .mark_text(align="left", fontSize=11)
        .encode(y=y, x=alt.value(width + 10), text="txt:N")
    )
    return _dimension_panel(
        [link, mean, dot, text],
        (tinh, ten),
        width,
        f": 8 chỉ số nội dung năm {year} so với trung bình toàn quốc",
        "chấm đỏ: điểm của tỉnh; vạch đen: trung bình toàn quốc; bên phải: điểm (TB; chênh lệch; hạng)",
    )


def province_change_chart(data: ReportData) -> alt.TopLevelMixin:
    """Change of each dimension since the base year 2018 (mart_province_scores.change_since_base_year), a bar only
    where it is comparable; where a methodology break lies between, the words say so and name the year."""
    year = _latest(data)
    tinh, ten = _province_params(data)
    base = _with_labels(
        alt.Chart(_scores(data)).transform_filter(
            f"datum.province_key == tinh && datum.year == {year} && datum.indicator_code != 'PAPI.TOTAL'"
        ),
        data,
    ).transform_calculate(
        txt=f"!isValid(datum.score) ? '{MISSING}' : "
        f"(isValid(datum.comparable_since) && datum.comparable_since > {BASE_YEAR}) ? "
        "'không so sánh được (phương pháp đổi năm ' + datum.comparable_since + ')' : "
        f"isValid(datum.change_since_base_year) ? format(datum.change_since_base_year, '+.2f') + ' (so sánh được)'"
        f" : 'không có số liệu năm {BASE_YEAR}'"
    )
    y = _dimension_y()
    width = 300
    bars = (
        base.transform_filter("isValid(datum.change_since_base_year)")
        .mark_bar(height=14)
        .encode(
            y=y,
            x=alt.X("change_since_base_year:Q", title=f"Thay đổi điểm {BASE_YEAR} → {year}"),
            color=alt.condition("datum.change_since_base_year >= 0", alt.value("#1a9850"), alt.value("#d73027")),
            tooltip=[
                alt.Tooltip("indicator_label:N", title="Chỉ số"),
                alt.Tooltip("change_since_base_year:Q", title="Thay đổi", format="+.2f"),
            ],
        )
    )
    zero = base.mark_rule(color="#333").encode(x=alt.datum(0))
    text = base.mark_text(align="left", fontSize=11).encode(
        y=y,
        x=alt.value(width + 10),
        text="txt:N",
        color=alt.condition("isValid(datum.change_since_base_year)", alt.value("#222"), alt.value("#777")),
    )
    return _dimension_panel(
        [zero, bars, text],
        (tinh, ten),
        width,
        f": thay đổi từ {BASE_YEAR} đến {year} theo chỉ số nội dung",
        "chỉ vẽ khi so sánh được (không có năm đổi phương pháp ở giữa)",
    )


def province_rank_chart(data: ReportData) -> alt.TopLevelMixin:
    """The chosen province's PAPI total per year: its rank (of the provinces ranked that year) and its score
    against the national mean, every value printed."""
    tinh, ten = _province_params(data)
    mine = alt.Chart(_scores(data)).transform_filter(
        "datum.province_key == tinh && datum.indicator_code == 'PAPI.TOTAL' && isValid(datum.score)"
    )
    x = _year_x(data)
    rank_y = alt.Y("rank:Q", title="Hạng (1 = cao nhất)", scale=alt.Scale(reverse=True, domain=[1, 63]))
    rank_line = mine.mark_line(point=True, color="#2166ac").encode(
        x=x,
        y=rank_y,
        tooltip=[alt.Tooltip("year:Q", title="Năm"), alt.Tooltip("rank:Q", title="Hạng")],
    )
    rank_text = (
        mine.transform_calculate(txt="datum.rank + '/' + datum.n_ranked")
        .mark_text(dy=-9, fontSize=9, color="#2166ac")
        .encode(x=x, y=rank_y, text="txt:N")
    )
    rank = alt.layer(_break_rules(data), rank_line, rank_text).properties(
        width=360, height=210, title=_title(": thứ hạng PAPI tổng hợp theo năm")
    )
    score_y = alt.Y("score:Q", title="Điểm PAPI tổng hợp", scale=alt.Scale(zero=False))
    score_line = mine.mark_line(point=True, color="#d6604d").encode(
        x=x,
        y=score_y,
        tooltip=[
            alt.Tooltip("year:Q", title="Năm"),
            alt.Tooltip("score:Q", title="Điểm", format=".2f"),
            alt.Tooltip("national_mean:Q", title="Trung bình toàn quốc", format=".2f"),
        ],
    )
    mean_line = mine.mark_line(color="#555", strokeDash=[6, 3]).encode(x=x, y="national_mean:Q")
    score_text = (
        mine.transform_calculate(txt="format(datum.score, '.1f')")
        .mark_text(dy=-9, fontSize=9, color="#b2182b")
        .encode(x=x, y=score_y, text="txt:N")
    )
    score = alt.layer(_break_rules(data), mean_line, score_line, score_text).properties(
        width=360,
        height=210,
        title=_title(
            ": điểm PAPI tổng hợp (đỏ) và trung bình toàn quốc (nét đứt)", "thang 6–60 đến 2017, 8–80 từ 2018"
        ),
    )
    return alt.hconcat(rank, score).add_params(tinh, ten)


def province_chart(data: ReportData) -> alt.TopLevelMixin:
    """The chosen province's trend on the total and each dimension against the national mean (small multiples,
    methodology breaks as rules), each panel titled with the province."""
    tinh, ten = _province_params(data)
    panels = []
    for code, label in data.indicators.select("indicator_code", "label").iter_rows():
        base = _with_labels(alt.Chart(_scores(data)).transform_filter(f"datum.indicator_code == '{code}'"), data)
        mine = base.transform_filter("datum.province_key == tinh")
        x = _year_x(data, None)
        line = mine.mark_line(point=True, color="#d6604d").encode(
            x=x,
            y=alt.Y("score:Q", title="Điểm", scale=alt.Scale(zero=False)),
            tooltip=[
                alt.Tooltip("province_name:N", title="Tỉnh/thành"),
                alt.Tooltip("year:Q", title="Năm"),
                alt.Tooltip("score:Q", title="Điểm", format=".2f"),
                alt.Tooltip("rank:Q", title="Hạng"),
                alt.Tooltip("n_ranked:Q", title="trên"),
                alt.Tooltip("national_mean:Q", title="Trung bình toàn quốc", format=".2f"),
            ],
        )
        mean = mine.mark_line(strokeDash=[6, 3], color="#555").encode(x=x, y="national_mean:Q")
        panels.append(
            alt.layer(_break_rules(data), mean, line).properties(
                width=220,
                height=130,
                title=alt.TitleParams(text=alt.expr("ten_tinh + " + json.dumps(" – " + label)), limit=270),
            )
        )
    return alt.concat(
        *panels,
        columns=3,
        title=_title(
            ": xu hướng từng chỉ số so với trung bình toàn quốc",
            "đỏ: tỉnh; nét đứt: trung bình toàn quốc; đường tím: năm đổi phương pháp",
        ),
    ).add_params(tinh, ten)
