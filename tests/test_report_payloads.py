"""A report that cannot run input (issue 24.2): values from the data reach the page as data, never as markup, and a
strict Content-Security-Policy lets only the page's own scripts run. The page is built from data full of payloads
(plan text, issuer, agency, file name, province, in any letter case) and opened in headless Chromium: no dialog, no
page error, every chart drawn."""

from __future__ import annotations

import json

import polars as pl
import pytest

from pipelines.report.charts import CHARTS
from pipelines.report.page import ReportData, chart_specs, json_for_script, render_html
from pipelines.settings import Settings
from tests.conftest import chromium_browser

CHROMIUM = Settings.from_env().chromium

PAYLOADS = [
    "<script>alert(1)</script>",
    "</Script><script>alert(2)</script>",
    "</SCRIPT ><img src=x onerror=alert(3)>",
    "</sCrIpT\t><svg onload=alert(4)>",
    '"><img src=x onerror=alert(7)>.txt',
    "<!--<script>alert(5)//-->",
    "x\u2028alert(6)\u2029y",
    "]]><iframe src=javascript:alert(8)>",
    "&lt;b&gt; & <b>đậm</b>",
    "__SPECS__ ${alert(9)} `alert(10)`",
]


def _data() -> ReportData:
    bad = " ".join(PAYLOADS)
    provinces = pl.DataFrame(
        {"province_key": ["2004-79", "2004-01"], "province_name": ["Hồ Chí Minh", f"Hà Nội {PAYLOADS[1]}"]}
    )
    codes = ["PAPI.TOTAL"] + [f"PAPI.D{i}" for i in range(1, 9)]
    labels = ["Tổng hợp PAPI"] + [f"D{i}. {PAYLOADS[i % len(PAYLOADS)]}" for i in range(1, 9)]
    rows = []
    for y in (2018, 2019, 2020):
        for k, name in zip(provinces["province_key"], provinces["province_name"], strict=True):
            for c, lab in zip(codes, labels, strict=True):
                base = 40.0 if c == "PAPI.TOTAL" else 5.0
                score = base + (1 if k == "2004-79" else 0) + (y - 2018) * 0.1
                rows.append((k, name, y, c, lab, score, 1 if k == "2004-79" else 2, 2, base + 0.5, 2))
    scores = pl.DataFrame(
        rows,
        schema=[
            "province_key",
            "province_name",
            "year",
            "indicator_code",
            "indicator_label",
            "score",
            "rank",
            "n_ranked",
            "national_mean",
            "n_provinces",
        ],
        orient="row",
    )
    indicators = pl.DataFrame({"indicator_code": codes, "name_vi": labels, "label": labels})
    plan = f"{PAYLOADS[4]} · UBND {PAYLOADS[1]} (2024)"
    coverage = pl.DataFrame(
        {
            "document_id": ["d1", "d1"],
            "plan_label": [plan, plan],
            "indicator_code": ["PAPI.D1", "ngoài chỉ số"],
            "indicator_name": [PAYLOADS[0], f"Sở {PAYLOADS[3]}"],
            "n_tasks": [4, 2],
            "n_tasks_with_lead": [3, 1],
            "n_tasks_with_deadline": [2, 2],
            "share_tasks_with_lead": [0.75, 0.5],
            "share_tasks_with_deadline": [0.5, 1.0],
            "n_targets": [1, 0],
        }
    )
    targets = pl.DataFrame(
        {
            "target_id": ["t1aa", "t2bb"],
            "plan_label": [plan, plan],
            "province_key": ["2004-79", "2004-79"],
            "indicator_code": ["PAPI.TOTAL", "PAPI.D1"],
            "year": [2020, 2020],
            "comparator": [">=", "<="],
            "target_value": [40.0, 5.0],
            "unit": ["points", "points"],
            "actual_value": [41.2, 5.2],
            "status": ["met", "not_met"],
            "status_reason": [bad, PAYLOADS[6]],
            "quote": [bad, PAYLOADS[5]],
            "line": [10, 12],
            "source_path": [f"plans/{PAYLOADS[4]}", "plans/x.txt"],
            "gap": [1.2, -0.2],
            "status_vi": ["đạt", "không đạt"],
            "unit_vi": ["điểm", "điểm"],
            "target_label": [f"TOTAL 2020 >= 40 điểm · {PAYLOADS[2]}", "D1 2020 <= 5 điểm · t2bb"],
        }
    )
    panel = pl.DataFrame(
        {
            "province_key": ["2004-79", "2004-01"],
            "province_name": provinces["province_name"],
            "year": [2020, 2020],
            "papi_total": [41.2, 40.2],
            "pci_total": [61.5, 60.1],
            "par_index": [None, None],
            "sipas": [None, None],
        },
        schema_overrides={"pci_total": pl.Float64, "par_index": pl.Float64, "sipas": pl.Float64},
    )
    units = pl.DataFrame(
        {
            "unit_2025_name": [f"TP {PAYLOADS[0]}"],
            "year": [2020],
            "score_unweighted": [41.2],
            "members_total": [2],
            "members_covered": [1],
            "all_members_covered": [False],
            "members_missing": [PAYLOADS[4]],
        }
    )
    return ReportData(
        scores,
        indicators,
        coverage,
        targets,
        provinces,
        f"build-{PAYLOADS[1]}",
        panel=panel,
        correlations=pl.DataFrame({"pair": [f"PAPI – {PAYLOADS[0]}"], "year": [2020], "r": [0.5], "n_provinces": [2]}),
        units_2025=units,
    )


def test_inline_json_never_closes_its_script_or_opens_a_comment():
    text = json_for_script({"k": PAYLOADS})
    low = text.lower()
    assert "</script" not in low and "<!--" not in low and "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == {"k": PAYLOADS}  # the same values back


@pytest.mark.skipif(not __import__("os").path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM}")
def test_a_report_of_payloads_runs_no_script_and_draws_every_chart(tmp_path):
    import vl_convert as vlc

    data = _data()
    page_html = render_html(data, chart_specs(data), vlc.javascript_bundle())
    assert 'http-equiv="Content-Security-Policy"' in page_html and "'unsafe-eval'" not in page_html
    path = tmp_path / "index.html"
    path.write_text(page_html, encoding="utf-8")
    dialogs: list[str] = []
    errors: list[str] = []
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_function("document.body.dataset.rendered === 'true'", timeout=120_000)
        assert page.evaluate("window.__chartErrors") == []
        for name in CHARTS:
            assert page.locator(f"#chart-{name} svg").count() >= 1, name
            marks = page.locator(f"#chart-{name} svg g.role-mark > *").count()
            assert marks >= 1, (name, marks)
        # the payloads are shown as text: the build id and the target table hold them verbatim
        assert PAYLOADS[1] in page.locator("p.meta code").first.inner_text()
        assert PAYLOADS[0] in page.locator("#targets-table table").first.inner_text()
        # a province named by a payload: its section and the chart titles show the name as text
        page.locator("#tinh").select_option("2004-01")
        page.wait_for_timeout(300)
        assert (
            page.locator("section.province-view:not([hidden]) h2").inner_text() == f"Hà Nội {PAYLOADS[1]}: PAPI tóm tắt"
        )
        assert f"Hà Nội {PAYLOADS[1]}" in page.locator("#chart-province_dims svg").first.text_content()
        assert page.locator("img, iframe, svg[onload]").count() == 0
        page.wait_for_timeout(500)
    assert dialogs == [] and errors == [], (dialogs, errors)
