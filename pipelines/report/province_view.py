"""The province view of the report, Dagster-free and chart-free: what one province's page says in words and tables,
so the page answers "how did <province> do on each dimension against the country since 2018, what rank, did its
plan's targets hold?" without hovering.

The numbers come as the marts hold them (mart_province_scores through the report's score frame): score, rank among
the provinces ranked that year, national mean, the change since the base year 2018 and whether it is comparable
(no methodology break of the indicator in between). Where it is not comparable, the change since the break year is
given instead (the same difference mart_score_change holds for that base year), with the break named.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import polars as pl

BASE_YEAR = 2018  # the first year of the 8-dimension PAPI (scale 8-80); the marts' default base year
TOTAL = "PAPI.TOTAL"
STATUS_VI = {"met": "đạt", "not_met": "không đạt", "not_evaluable": "không đánh giá được"}
# columns of the score frame the view reads beyond the keys; a frame without one (an older or a test frame) gets NULLs
_OPTIONAL = {
    "rank": pl.Int64,
    "n_ranked": pl.Int64,
    "national_mean": pl.Float64,
    "comparable_with_base_year": pl.Boolean,
    "change_since_base_year": pl.Float64,
    "comparable_since": pl.Int64,
}


def num(value: float | None, sign: bool = False) -> str:
    """Two decimals with a point and a true minus sign (U+2212), as the charts print them; '—' for a missing value
    (never 0)."""
    if value is None:
        return "—"
    return (f"{value:+.2f}" if sign else f"{value:.2f}").replace("-", "\u2212")


@dataclass(frozen=True)
class YearScore:
    """The PAPI total of the province in one year, with its rank and the national mean."""

    year: int
    score: float | None
    rank: int | None
    n_ranked: int | None
    national_mean: float | None

    @property
    def rank_text(self) -> str:
        return "—" if self.rank is None else f"{self.rank}/{self.n_ranked}"


@dataclass(frozen=True)
class DimensionLine:
    """One indicator (the total or a dimension) in the latest year, against the country and against the base year."""

    code: str
    label: str
    year: int
    score: float | None
    national_mean: float | None
    rank: int | None
    n_ranked: int | None
    base_year: int
    base_score: float | None
    change: float | None  # since base_year, as the mart holds it (NULL when not comparable)
    comparable: bool | None
    comparable_since: int | None
    change_since_break: float | None  # since comparable_since, when the base year is not comparable

    @property
    def gap_to_mean(self) -> float | None:
        if self.score is None or self.national_mean is None:
            return None
        return self.score - self.national_mean

    @property
    def rank_text(self) -> str:
        return "—" if self.rank is None else f"{self.rank}/{self.n_ranked}"

    @property
    def comparability_vi(self) -> str:
        """Whether the change since the base year may be read, and why not, in Vietnamese."""
        if self.score is None:
            return f"không có số liệu năm {self.year}"
        if self.year <= self.base_year:
            return f"năm gốc {self.base_year}"
        since = self.comparable_since
        if since is not None and since > self.base_year:
            alt = f"; thay đổi từ {since}: {num(self.change_since_break, sign=True)}" if since < self.year else ""
            return f"không so sánh được: phương pháp đổi năm {since}{alt}"
        if self.base_score is None:
            return f"không có số liệu năm {self.base_year}"
        if self.comparable is False:
            return "không so sánh được"
        return "so sánh được"


@dataclass(frozen=True)
class TargetLine:
    plan_label: str
    indicator_code: str
    year: int | None
    wording: str  # "≤ hạng 16", "> 6 điểm"
    actual: float | None
    unit: str
    status: str
    status_vi: str
    reason_vi: str
    quote: str


def actual_vi(t: TargetLine) -> str:
    """The actual value in the target's unit: a rank, places gained, or points."""
    if t.actual is None:
        return "—"
    if t.unit == "rank":
        return f"hạng {t.actual:g}"
    if t.unit == "rank_change":
        return f"tăng {t.actual:g} bậc" if t.actual >= 0 else f"giảm {-t.actual:g} bậc"
    return f"{num(t.actual)} điểm"


@dataclass(frozen=True)
class ProvinceView:
    key: str
    name: str
    year: int | None  # the latest PAPI year of the build
    base_year: int
    totals: list[YearScore]
    dimensions: list[DimensionLine]  # the total first, then D1..D8
    targets: list[TargetLine]

    @property
    def latest_total(self) -> DimensionLine | None:
        return next((d for d in self.dimensions if d.code == TOTAL), None)


def _with_optional(scores: pl.DataFrame) -> pl.DataFrame:
    missing = [pl.lit(None, dtype=t).alias(c) for c, t in _OPTIONAL.items() if c not in scores.columns]
    return scores.with_columns(missing) if missing else scores


def _comparator_vi(comparator: str) -> str:
    return {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}.get(comparator, comparator)


def _target_wording(comparator: str, value: float | None, unit: str) -> str:
    v = "?" if value is None else f"{value:g}"
    c = _comparator_vi(comparator)
    if unit == "rank":
        return f"{c} hạng {v}"
    if unit == "rank_change":
        return f"tăng {c} {v} bậc"
    return f"{c} {v} điểm"


def province_view(
    scores: pl.DataFrame,
    indicators: pl.DataFrame,
    targets: pl.DataFrame,
    key: str,
    name: str,
    base_year: int = BASE_YEAR,
    reason_vi=lambda r: r,
) -> ProvinceView:
    """The view of one province from the report's frames: `scores` (every province x year x indicator, score NULL
    when missing), `indicators` (indicator_code, label) and `targets` (mart_target_vs_actual rows)."""
    s = _with_optional(scores).filter(pl.col("province_key") == key)
    year = scores["year"].max() if scores.height else None
    latest = int(year) if isinstance(year, int) else None
    totals = [
        YearScore(int(r["year"]), r["score"], r["rank"], r["n_ranked"], r["national_mean"])
        for r in s.filter(pl.col("indicator_code") == TOTAL).sort("year").iter_rows(named=True)
    ]
    by = {(r["indicator_code"], int(r["year"])): r for r in s.iter_rows(named=True)}
    dims = []
    if latest is not None:
        for code, label in indicators.select("indicator_code", "label").iter_rows():
            r = by.get((code, latest))
            if r is None:
                continue
            base = by.get((code, base_year), {})
            since = r["comparable_since"]
            start = by.get((code, since), {}) if since is not None else {}
            change_since_break = (
                r["score"] - start["score"]
                if since is not None and since > base_year and r["score"] is not None and start.get("score") is not None
                else None
            )
            dims.append(
                DimensionLine(
                    code,
                    label,
                    latest,
                    r["score"],
                    r["national_mean"],
                    r["rank"],
                    r["n_ranked"],
                    base_year,
                    base.get("score"),
                    r["change_since_base_year"],
                    r["comparable_with_base_year"],
                    since,
                    change_since_break,
                )
            )
    plan_targets = []
    if targets.height and "province_key" in targets.columns:
        for t in targets.filter(pl.col("province_key") == key).iter_rows(named=True):
            plan_targets.append(
                TargetLine(
                    t["plan_label"],
                    t["indicator_code"],
                    t["year"],
                    _target_wording(t["comparator"], t["target_value"], t["unit"]),
                    t["actual_value"],
                    t["unit"],
                    t["status"],
                    STATUS_VI.get(t["status"], t["status"]),
                    (reason_vi(t["status_reason"]) or "") if t["status_reason"] else "",
                    t["quote"] or "",
                )
            )
    return ProvinceView(key, name, latest, base_year, totals, dims, plan_targets)


def summary_vi(view: ProvinceView) -> str:
    """One sentence: the latest total, its rank and the national mean."""
    t = view.latest_total
    if t is None or view.year is None:
        return f"{view.name}: không có số liệu PAPI trong bản dựng này."
    if t.score is None:
        return f"{view.name} năm {view.year}: không có số liệu PAPI (không tính là 0)."
    gap = t.gap_to_mean
    side = "" if gap is None else (", cao hơn" if gap >= 0 else ", thấp hơn") + f" trung bình toàn quốc {num(abs(gap))}"
    return (
        f"{view.name} năm {view.year}: PAPI tổng hợp {num(t.score)} điểm, hạng {t.rank_text}{side} "
        f"(trung bình {num(t.national_mean)})."
    )


def _esc(value: object) -> str:
    return html.escape(str(value))


def province_html(view: ProvinceView, hidden: bool) -> str:
    """The province's section of the page: every heading names the province; values printed, missing as '—'."""
    n = _esc(view.name)
    y = view.year
    b = view.base_year
    rows_total = "".join(
        f"<tr><td>{t.year}{' (thang 6–60)' if t.year < b else ''}</td><td>{num(t.score)}</td><td>{t.rank_text}</td>"
        f"<td>{num(t.national_mean)}</td>"
        f"<td>{num(None if t.score is None or t.national_mean is None else t.score - t.national_mean, True)}</td>"
        "</tr>"
        for t in view.totals
    )
    rows_dims = "".join(
        f"<tr><td>{_esc(d.label)}</td><td>{num(d.score)}</td><td>{num(d.national_mean)}</td>"
        f"<td>{num(d.gap_to_mean, True)}</td><td>{d.rank_text}</td><td>{num(d.base_score)}</td>"
        f"<td>{num(d.change, True)}</td><td>{_esc(d.comparability_vi)}</td></tr>"
        for d in view.dimensions
    )
    if view.targets:
        rows_t = "".join(
            f"<tr><td>{_esc(t.plan_label)}</td><td>{_esc(t.indicator_code)}</td><td>{t.year or ''}</td>"
            f"<td>{_esc(t.wording)}</td><td>{_esc(actual_vi(t))}</td>"
            f"<td class='{_esc(t.status)}'>{_esc(t.status_vi)}</td><td>{_esc(t.reason_vi)}</td></tr>"
            for t in view.targets
        )
        n_met = sum(t.status == "met" for t in view.targets)
        targets = (
            f"<p>{len(view.targets)} chỉ tiêu trong kế hoạch của {n}: {n_met} đạt, "
            f"{sum(t.status == 'not_met' for t in view.targets)} không đạt, "
            f"{sum(t.status == 'not_evaluable' for t in view.targets)} không đánh giá được.</p>"
            "<table><tr><th>Kế hoạch</th><th>Chỉ số</th><th>Năm</th><th>Mục tiêu</th><th>Thực tế</th>"
            f"<th>Kết quả</th><th>Lý do</th></tr>{rows_t}</table>"
        )
    else:
        targets = f"<p>Không có chỉ tiêu nào của {n} trong các kế hoạch của kho dữ liệu.</p>"
    return (
        f'<section class="province-view" data-key="{_esc(view.key)}"{" hidden" if hidden else ""}>'
        f"<h2>{n}: PAPI tóm tắt</h2><p class='summary'>{_esc(summary_vi(view))}</p>"
        f"<h3>{n}: từng chỉ số nội dung năm {y} so với trung bình toàn quốc và thay đổi từ {b}</h3>"
        f"<table class='dims'><tr><th>Chỉ số</th><th>Điểm {y}</th><th>Trung bình toàn quốc</th>"
        f"<th>Chênh lệch</th><th>Hạng</th><th>Điểm {b}</th><th>Thay đổi từ {b}</th><th>So sánh được?</th></tr>"
        f"{rows_dims}</table>"
        f"<h3>{n}: PAPI tổng hợp và thứ hạng theo năm</h3>"
        "<table class='years'><tr><th>Năm</th><th>Điểm</th><th>Hạng</th><th>Trung bình toàn quốc</th>"
        f"<th>Chênh lệch</th></tr>{rows_total}</table>"
        f"<h3>{n}: chỉ tiêu của kế hoạch có đạt không?</h3>{targets}</section>"
    )
