"""The HTML report (issue 16): built by the report_html asset from the published marts, self-contained, and
rendered in real headless Chromium (Debian's /usr/bin/chromium through Playwright): no console error, every chart
has marks, a screenshot is saved beside the report. Skips where Chromium is not installed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipelines.settings import Settings
from pipelines.ui_check import CHROMIUM_ARGS

CHROMIUM = Settings.from_env().chromium

# without the real PAPI scores in the build, the score charts would say there are none
needs_scores = pytest.mark.needs_shared("scores/papi", in_build=True)


@pytest.fixture(scope="module")
def report(built):
    import dagster as dg

    from assets.report import report_html
    from pipelines import definitions

    result = dg.materialize([report_html], resources={"settings": definitions.defs.resources["settings"]})
    assert result.success
    mat = result.asset_materializations_for_node("report_html")[0]
    return Settings.from_env().report_dir / "index.html", mat.metadata


@needs_scores
def test_report_is_one_self_contained_page(report):
    path, meta = report
    page = path.read_text(encoding="utf-8")
    # nothing is fetched: no external script, style, font or image
    assert not re.search(r"""<(script|link|img|iframe)[^>]+(src|href)=["']?(https?:)?//""", page, re.I)
    assert "<link" not in page.lower()
    assert "vegaEmbed" in page and "window.vega=" in page  # the libraries are inlined
    for words in (
        "Xếp hạng PAPI toàn quốc",
        "Tham gia của người dân ở cấp cơ sở",
        "Quản trị điện tử",
        "không có số liệu",
        "không đánh giá được",
        "Thủ tục cấp phép xây dựng",
        "Không có bản đồ",
    ):
        assert words in page, words
    # key charts as PNG in the asset's metadata, for the Dagster UI
    for name in ("ranking", "heatmap", "province", "targets"):
        md = meta[f"chart_{name}"].value
        assert md.startswith(f"![{name}](data:image/png;base64,iVBOR"), name
    assert meta["build_id"].value


def test_missing_provinces_are_missing_not_zero(built):
    from pipelines.report import load_report_data
    from pipelines.settings import Settings

    PUBLISHED_DB = Settings.from_env().published_db

    data = load_report_data(PUBLISHED_DB)
    total = data.scores.filter(data.scores["indicator_code"] == "PAPI.TOTAL")
    assert total.height == 63 * total["year"].n_unique()  # every province in every year, a missing one as NULL
    assert (total["score"].fill_null(1.0) > 0).all()


@needs_scores
@pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} not installed (apt-get install chromium; CI installs it)"
)
def test_report_renders_in_headless_chromium(report):
    from playwright.sync_api import sync_playwright

    from pipelines.report import CHARTS

    path, _ = report
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on(
                "request",
                lambda r: requests.append(r.url) if not r.url.startswith(("file:", "data:", "blob:")) else None,
            )
            page.goto(path.as_uri(), wait_until="load")
            page.wait_for_function("document.body.dataset.rendered === 'true'", timeout=120_000)
            assert page.evaluate("window.__chartErrors") == []
            for name in CHARTS:
                box = page.locator(f"#chart-{name}")
                assert box.locator("svg").count() >= 1, name
                marks = box.locator(
                    "svg g.role-mark > path, svg g.role-mark > text, svg g.role-mark > rect, svg g.role-mark > line"
                ).count()
                assert marks > 5, (name, marks)
            # the province selector drives the province page: pick Hà Nội, the charts follow without error
            select = page.locator("#chart-province select").first
            select.select_option(label="Hà Nội")
            page.wait_for_timeout(500)
            assert page.locator("#chart-province svg g.role-mark > path").count() > 5
            shot = path.parent / "report.png"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert errors == [], errors
    assert requests == [], requests  # opens offline
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000


@pytest.mark.needs_shared("scores/pci", in_build=True)
def test_indices_move_together_chart_has_each_pair_and_year_with_its_provinces(built):
    """Issue 17: the cross-index chart. PAPI and PCI overlap 2011-2016; the correlation is computed over the provinces
    holding both (61 in 2014: PAPI 2014 misses Bắc Giang and Đồng Tháp), and press figures (PAR, SIPAS: a handful of
    provinces a year) are not correlated at all."""
    from pipelines.report import chart_specs, load_report_data
    from pipelines.settings import Settings

    PUBLISHED_DB = Settings.from_env().published_db

    data = load_report_data(PUBLISHED_DB)
    c = {(r["pair"], r["year"]): (r["r"], r["n_provinces"]) for r in data.correlations.iter_rows(named=True)}
    assert sorted(y for p, y in c if p == "PAPI – PCI") == [2011, 2012, 2013, 2014, 2015, 2016]
    assert [n for (p, _y), (_r, n) in sorted(c.items()) if p == "PAPI – PCI"] == [63, 63, 63, 61, 63, 63]
    assert all(p == "PAPI – PCI" for p, _ in c)
    assert -1 <= c[("PAPI – PCI", 2015)][0] <= 1
    spec = chart_specs(data)["indices"]
    assert "index_panel" in spec["datasets"] and "index_correlations" in spec["datasets"]
    assert any(r["province_name"] == "Đà Nẵng" and r["year"] == 2016 for r in spec["datasets"]["index_panel"])


def test_a_build_without_published_scores_still_gets_its_report(built):
    """Without ../shared/data a warehouse has plans but no index scores: each score chart says so instead of
    crashing the report (the plan charts still draw)."""
    import dataclasses

    from pipelines.report import CHARTS, chart_specs, load_report_data, render_html
    from pipelines.settings import Settings

    PUBLISHED_DB = Settings.from_env().published_db

    data = load_report_data(PUBLISHED_DB)
    bare = dataclasses.replace(
        data, scores=data.scores.clear(), panel=data.panel.clear(), correlations=data.correlations.clear(), datasets={}
    )
    specs = chart_specs(bare)
    assert set(specs) == set(CHARTS)
    assert "Không có số liệu điểm" in str(specs["ranking"]) and "Không có số liệu điểm" not in str(specs["coverage"])
    assert "<html" in render_html(bare, specs, "")


@needs_scores
def test_the_2025_units_chart_shows_a_partial_unit_as_partial(built):
    """PAPI 2024 has no score for Vĩnh Phúc and Tiền Giang (empty rows in the source): their 2025 units (Phú Thọ,
    Đồng Tháp) are drawn apart, with the missing member named; the other 32 units have every member scored."""
    from pipelines.report import chart_specs, load_report_data
    from pipelines.settings import Settings

    spec = chart_specs(load_report_data(Settings.from_env().published_db))["units_2025"]
    rows = spec["datasets"]["units_2025"]
    assert {r["year"] for r in rows} == {2024} and len(rows) == 34
    partial = {r["unit_2025_name"]: r["members_missing"] for r in rows if not r["all_members_covered"]}
    assert partial == {"Phú Thọ": "Vĩnh Phúc", "Đồng Tháp": "Tiền Giang"}


@needs_scores
def test_provinces_in_vietnamese_order_and_targets_in_their_own_units(built):
    """Issue 25.1: provinces sorted by the Vietnamese alphabet in the selector and the heatmap; target gaps in
    points and in ranks on separate axes; labels without hash fragments; reasons in Vietnamese, never "null"."""
    from pipelines.report import _targets_table, chart_specs, load_report_data

    _, published = built
    data = load_report_data(published)
    names = data.provinces["province_name"].to_list()
    assert names.index("Bình Định") < names.index("Bình Thuận") < names.index("Cà Mau")
    assert names.index("Đồng Tháp") < names.index("Gia Lai") and names.index("Đắk Lắk") > names.index("Cần Thơ")
    specs = chart_specs(data)
    heat = json.dumps(specs["heatmap"], ensure_ascii=False)
    assert json.dumps(names, ensure_ascii=False) in heat  # the y axis follows that order
    targets = specs["targets"]
    assert targets["facet"]["column"]["field"] == "gap_kind" and targets["resolve"]["scale"]["x"] == "independent"
    rows = [r for rows in targets["datasets"].values() for r in rows if "gap_kind" in r]
    assert {r["gap_kind"].split(":")[0] for r in rows} <= {"Hạng", "Điểm"}
    assert all(re.search(r"· dòng \d+$", r["target_label"]) for r in rows)
    assert all(r["status_reason_vi"] != "null" and r["status_reason_vi"] for r in rows)
    table = _targets_table(data)
    assert "only press figures" not in table and "chỉ có số liệu báo chí" in table
