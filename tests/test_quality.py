"""Data quality: the findings a careful reader of each seed plan makes, the Pandera contracts rule by rule,
and the Great Expectations suites on corrupted marts. Every expected finding below was checked in the plan text."""

from __future__ import annotations

import hashlib
import re
import shutil

import dagster as dg
import duckdb
import polars as pl
import pytest

from pipelines.quality.contracts import CORE_MODELS
from pipelines.sources.plans.consistency import stated_count_findings
from pipelines.sources.plans.metadata import extract_metadata

HCMC_PAPI, QUANG_NGAI, HCMC_PAR, HANOI = "fb5d00c12cc86914", "b4b9dfe0cf6bfabe", "b87cb0caa1fc84d8", "14f81197b396b4ee"

# (rule, line_start, line_end) per plan: staging and normalisation findings (quotes against the official panel
# are asserted in test_scores.py, they need ../shared)
EXPECTED_FINDINGS = {
    HCMC_PAPI: [
        ("baseline_conflict", 65, 100),  # D1 2017 stated as 4,70 (line 65) and 4,27 (line 100)
        ("baseline_conflict", 67, 154),  # D3 2017 stated as 4,15 (line 67) and 5,15 (line 154)
        ("bullet_marker_missing", 184, 184),
        ("increase_to_lower_value", 67, 67),  # "tăng từ 4,92 điểm lên 4,15 điểm"
        ("total_not_sum", 72, 72),  # total 35,88 but the six stated dimensions sum to 34,88
    ],
    QUANG_NGAI: [
        ("count_mismatch", 116, 202),  # "trong 07 tiêu chí", then eight criteria named
        ("date_conflict", 11, 70),  # 12/5/2017 in the header, 12/12/2017 under the annex title
        ("numbering_duplicate", 174, 174),  # letter d used twice in 2.1 (the second should be đ)
        ("numbering_duplicate", 268, 268),  # and again in 2.2
        ("duplicate_task_text", 258, 258),  # "+ Tăng cường thanh tra, kiểm tra công vụ …" is task h) of line 108
    ],
    HCMC_PAR: [
        ("deadline_before_issue", 281, 286),
        ("deadline_before_issue", 289, 294),
        ("deadline_before_issue", 305, 310),
        ("deadline_before_issue", 313, 318),
        ("deadline_before_issue", 566, 571),  # "Tháng 12/2019", "Trước ngày 30/01/2020" in a plan of 18/02/2020
        ("heading_missing", 119, 119),
        ("heading_missing", 134, 134),
        ("heading_missing", 146, 146),
        ("heading_missing", 172, 172),
        ("indicator_inferred", 273, 278),
        ("indicator_inferred", 502, 507),
        ("indicator_inferred", 654, 659),
        ("merged_cell_inherited", 337, 340),
        ("narrative_superseded_by_table", 111, 170),
        ("repeated_block", 44, 78),  # lines 44-78 repeat lines 9-43
        ("table_numbering_mismatch", 161, 165),
        ("table_numbering_mismatch", 166, 171),
        ("table_stray_cell", 897, 898),  # web-page debris after the table
    ],
    HANOI: [
        ("issuer_inferred", 2, 2),
        ("merged_cell_inherited", 265, 266),
        ("merged_cell_inherited", 271, 272),
        ("merged_task_cell", 228, 228),
        ("merged_task_cell", 247, 247),
        ("merged_task_cell", 253, 253),
        ("subindicator_unmapped", 238, 253),
    ],
}


@pytest.fixture(scope="module")
def plan_findings(tmp_path_factory):
    from pipelines.sources.plans.ingest import discover
    from tests.conftest import stage_files

    _, _, staged, norm = stage_files(discover("plans"), tmp_path_factory.mktemp("staging"))
    cols = ["document_id", "rule", "severity", "line_start", "line_end", "message"]
    return pl.concat([staged.findings.select(cols), norm.findings.select(cols)])


@pytest.mark.parametrize("doc", list(EXPECTED_FINDINGS))
def test_findings_of_each_seed_plan(plan_findings, doc):
    got = sorted(
        (r["rule"], r["line_start"], r["line_end"])
        for r in plan_findings.filter(pl.col("document_id") == doc).iter_rows(named=True)
    )
    assert got == sorted(EXPECTED_FINDINGS[doc])


def test_finding_messages_say_what_is_wrong(plan_findings):
    msg = {(r["document_id"], r["rule"], r["line_start"]): r["message"] for r in plan_findings.iter_rows(named=True)}
    assert msg[(QUANG_NGAI, "count_mismatch", 116)].startswith(
        "Line 116 speaks of 07 tiêu chí, but section lines 114-213 name 8:"
    )
    assert "“Cải cách thủ tục hành chính (TTHC)” (line 124)" in msg[(QUANG_NGAI, "count_mismatch", 116)]
    assert (
        msg[(HCMC_PAPI, "total_not_sum", 72)]
        == "PAPI.TOTAL 2017 is stated as 35.88, but the 6 dimension scores the plan states sum to 34.88"
    )
    assert msg[(QUANG_NGAI, "numbering_duplicate", 174)] == "Marker d is used twice: lines 152 and 174."
    sev = {(r["document_id"], r["rule"]): r["severity"] for r in plan_findings.iter_rows(named=True)}
    assert sev[(HCMC_PAPI, "increase_to_lower_value")] == "error"
    assert sev[(QUANG_NGAI, "count_mismatch")] == "warning"


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Thành phố có 05 chỉ số tăng điểm (2, 3, 4, 5, 6), 01 chỉ số bằng điểm (1).", []),
        (
            "Thành phố có 05 chỉ số tăng điểm (2, 3, 4, 5), 01 chỉ số bằng điểm (1).",
            ["Line 1 says 05 chỉ số but lists 4: (2, 3, 4, 5)."],
        ),
        (
            "Có 3 lĩnh vực giảm điểm (Công khai; Trách nhiệm giải trình).",
            ["Line 1 says 3 lĩnh vực but lists 2: (Công khai; Trách nhiệm giải trình)."],
        ),
    ],
)
def test_count_against_its_parenthesised_list(line, expected):
    assert [f.message for f in stated_count_findings([line])] == expected


def test_count_of_the_whole_against_the_named_items():
    lines = [
        "1. Đối với PAR INDEX",
        "a) Tiêu chí “Chỉ đạo điều hành” là quan trọng nhất trong 03 tiêu chí:",
        "b) Tiêu chí “Thể chế”:",
        "c) Tiêu chí “Thủ tục hành chính”:",
        "d) Tiêu chí “Tổ chức bộ máy”:",
        "2. Đối với PAPI",
        "a) Nội dung “Công khai”:",
    ]
    (f,) = stated_count_findings(lines)
    assert (f.rule, f.line_start, f.line_end) == ("count_mismatch", 2, 5)
    assert "section lines 1-5 name 4" in f.message
    lines[1] = lines[1].replace("03", "04")
    assert stated_count_findings(lines) == []


HEADER = (
    "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ QUẢNG NGÃI\n\nSố: 12/KH-UBND\n\nQuảng Ngãi, ngày 3 tháng 4 năm 2019\n\n"
    "KẾ HOẠCH\n{title}\n\nThực hiện Kế hoạch của UBND tỉnh Quảng Ngãi, UBND thành phố ban hành kế hoạch.\n"
)


@pytest.mark.parametrize(
    "title, flagged",
    [
        ("Nâng cao chỉ số PAPI cấp tỉnh năm 2019", True),
        ("Nâng cao Chỉ số hiệu quả quản trị và hành chính công cấp tỉnh (PAPI) năm 2019", False),
    ],
)
def test_city_level_plan_that_calls_itself_provincial(title, flagged):
    meta, findings = extract_metadata(HEADER.format(title=title))
    assert (meta.issuer_name, meta.issuer_level, meta.province_code) == (
        "Ủy ban nhân dân Thành phố Quảng Ngãi",
        "district",
        "51",
    )
    assert ("issuer_level_inconsistent" in {f.rule for f in findings}) is flagged


# ---------------------------------------------------------------- Pandera, rule by rule


def _first(col: str, value):
    return pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(value)).otherwise(pl.col(col)).alias(col)


# (table, what breaks, expected failing check, mutation)
VIOLATIONS = [
    ("dim_document", "type", "dtype('Int64')", lambda df: df.with_columns(pl.col("n_tasks").cast(pl.Float64))),
    ("dim_document", "nullability", "not_nullable", lambda df: df.with_columns(_first("source_path", None))),
    ("dim_document", "allowed values", "isin", lambda df: df.with_columns(_first("issuer_level", "federal"))),
    (
        "dim_document",
        "range",
        "greater_than_or_equal_to(2000)",
        lambda df: df.with_columns(_first("plan_year_end", 1999)),
    ),
    ("dim_document", "unique key", "field_uniqueness", lambda df: pl.concat([df, df.head(1)])),
    ("dim_document", "year order", "plan_years_ordered", lambda df: df.with_columns(_first("plan_year_start", 2030))),
    ("dim_document", "strict columns", "column_in_schema", lambda df: df.with_columns(pl.lit(1).alias("extra"))),
    (
        "fct_plan_task",
        "due dates",
        "due_start_before_end",
        lambda df: df.with_columns(pl.col("due_end").dt.offset_by("5y").alias("due_start")),
    ),
    ("fct_plan_task", "line range", "line_range_ordered", lambda df: df.with_columns(_first("line_end", 1))),
    ("fct_plan_task", "grain", "multiple_fields_uniqueness", lambda df: df.with_columns(_first("task_seq", 2))),
    ("fct_plan_task", "code format", "str_matches", lambda df: df.with_columns(_first("indicator_code", "papi d1"))),
    (
        "fct_plan_task",
        "sub-dimension under its dimension",
        "subindicator_under_its_dimension",
        lambda df: df.with_columns(
            pl.when(pl.col("subindicator_code").is_not_null())
            .then(pl.lit("PAR.TOTAL"))
            .otherwise(pl.col("indicator_code"))
            .alias("indicator_code")
        ),
    ),
    (
        "fct_plan_target",
        "percent",
        "percent_at_most_100",
        lambda df: df.with_columns(
            pl.when(pl.col("unit") == "percent").then(120.0).otherwise(pl.col("value")).alias("value")
        ),
    ),
    (
        "fct_plan_target",
        "rank",
        "rank_target_within_63",
        lambda df: df.with_columns(
            pl.when(pl.col("unit") == "rank").then(64.0).otherwise(pl.col("value")).alias("value")
        ),
    ),
    ("bridge_task_agency", "role", "isin", lambda df: df.with_columns(_first("role", "owner"))),
    (
        "bridge_task_agency",
        "task of another document",
        "task_belongs_to_document",
        lambda df: df.with_columns(_first("document_id", "0000000000000000")),
    ),
    (
        "dim_agency",
        "group without GROUP key",
        "groups_have_no_province",
        lambda df: df.with_columns(pl.col("is_group").not_()),
    ),
    ("dim_province", "63 then 34", "sixty_three_then_thirty_four", lambda df: df.tail(-1)),
    (
        "dim_indicator",
        "only totals lack a parent",
        "only_totals_have_no_parent",
        lambda df: df.with_columns(
            pl.when(pl.col("level") == "dimension").then(None).otherwise(pl.col("parent_code")).alias("parent_code")
        ),
    ),
    ("dq_finding", "severity", "isin", lambda df: df.with_columns(_first("severity", "fatal"))),
    (
        "dq_finding",
        "related pair",
        "related_pair_complete",
        lambda df: df.with_columns(pl.lit(None, pl.String).alias("related_id")),
    ),
    (
        "mart_plan_coverage",
        "deadlines",
        "deadlines_at_most_tasks",
        lambda df: df.with_columns((pl.col("n_tasks") + 1).alias("n_tasks_with_deadline")),
    ),
    (
        "mart_agency_workload",
        "documents",
        "documents_at_most_tasks",
        lambda df: df.with_columns((pl.col("n_tasks") + 1).alias("n_documents")),
    ),
    (
        "mart_target_vs_actual",
        "reason",
        "reason_exactly_when_not_evaluable",
        lambda df: df.with_columns(pl.lit("met").alias("status"), pl.lit("x").alias("status_reason")),
    ),
]


@pytest.fixture(scope="module")
def published(built):
    _, path = built
    con = duckdb.connect(str(path), read_only=True)
    frames = {t: con.sql(f'SELECT * FROM "{t}"').pl() for t in CORE_MODELS}
    con.close()
    return frames


@pytest.mark.parametrize("table, what, check, mutate", VIOLATIONS, ids=[f"{v[0]}:{v[1]}" for v in VIOLATIONS])
def test_each_pandera_rule_rejects_a_violating_table(published, table, what, check, mutate):
    from pipelines.quality.validation import pandera_failures

    model = CORE_MODELS[table]
    assert pandera_failures(model, published[table]) is None, "the published table passes its contract"
    failed = pandera_failures(model, mutate(published[table]))
    assert failed is not None
    assert any(c.startswith(check) for c in failed[0]["check"].to_list()), failed[0]["check"].to_list()


def test_papi_ranges_follow_the_period():
    from dbt_like_sql.core.fct_indicator_score import FctIndicatorScore

    def frame(year, code, level, score, rank=None, n=None):
        return pl.DataFrame(
            [
                {
                    "province_key": "2004-79",
                    "year": year,
                    "indicator_code": code,
                    "source": "papi_panel",
                    "source_ref": "x",
                    "level": level,
                    "score": score,
                    "rank": rank,
                    "n_ranked": n,
                    "derivation": "published",
                    "document_id": None,
                    "is_partial": False,
                    "is_preferred": True,
                    "reconciliation": None,
                    "official_score": None,
                }
            ],
            schema_overrides={
                "rank": pl.Int64,
                "n_ranked": pl.Int64,
                "document_id": pl.String,
                "reconciliation": pl.String,
                "official_score": pl.Float64,
            },
        )

    def checks(df):
        from pipelines.quality.validation import pandera_failures

        failed = pandera_failures(FctIndicatorScore, df)
        return set() if failed is None else set(failed[0]["check"].to_list())

    within = "official_papi_within_scale_of_its_year"
    assert checks(frame(2017, "PAPI.TOTAL", "total", 59.0)) == set()
    assert checks(frame(2017, "PAPI.TOTAL", "total", 61.0)) == {within}  # 6-60 until 2017
    assert checks(frame(2018, "PAPI.TOTAL", "total", 61.0)) == set()  # 8-80 from 2018
    assert checks(frame(2018, "PAPI.TOTAL", "total", 7.5)) == {within}
    assert checks(frame(2015, "PAPI.D1", "dimension", 10.5)) == {within}
    # D1 had 4 sub-dimensions until 2017 (0.25-2.5) and 4 since; D8 (since 2018) has 3 (0.33-3.33)
    assert checks(frame(2016, "PAPI.D1.CIVIC_KNOWLEDGE", "subdimension", 2.6)) == {within}
    assert checks(frame(2020, "PAPI.D8.E_GOV_PORTAL", "subdimension", 3.3)) == set()
    assert checks(frame(2020, "PAPI.D8.E_GOV_PORTAL", "subdimension", 3.5)) == {within}
    assert checks(frame(2016, "PAPI.D8", "dimension", 5.0)) == {within}  # D8 did not exist before 2018
    assert checks(frame(2019, "PAPI.D2", "dimension", 5.0, rank=64, n=63)) == {"rank_within_n_ranked"}
    # 64 units at most: PCI 2006-2008 ranks Hà Tây beside the 63 provinces
    assert checks(frame(2019, "PAPI.D2", "dimension", 5.0, rank=65, n=65)) == {"less_than_or_equal_to(64)"}
    assert checks(frame(2019, "PAPI.D2", "dimension", 5.0, rank=61, n=60)) == {"rank_within_n_ranked"}


def _fingerprint(published_db, marts_dir):
    files = [published_db, *sorted(marts_dir.rglob("*.parquet"))]
    return {str(f): hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


@pytest.mark.parametrize(
    "corrupt, failing_check",
    [
        (
            "UPDATE stg_documents SET plan_year_end = 1999 WHERE document_id = 'b4b9dfe0cf6bfabe'",
            "pandera_dim_document",
        ),
        (
            "UPDATE stg_task_normalised SET due_start = due_end + INTERVAL 400 DAY WHERE due_end IS NOT NULL",
            "pandera_fct_plan_task",
        ),
    ],
)
def test_a_table_breaking_its_contract_is_not_published(built, tmp_path, corrupt, failing_check):
    from assets import definitions
    from pipelines.settings import Settings

    s = Settings.from_env()
    BUILD_DB, MARTS_DIR = s.build_db, s.marts_dir

    _, published_db = built
    before = _fingerprint(published_db, MARTS_DIR)
    saved = tmp_path / "build.duckdb"
    shutil.copy(BUILD_DB, saved)
    try:
        con = duckdb.connect(str(BUILD_DB))
        con.execute(corrupt).fetchall()
        con.close()
        sql_keys = {a.key for a in definitions.sql_assets} | {definitions.publish_asset.key}
        checks = [c for c in definitions.all_checks if {k.asset_key for k in c.check_keys} <= sql_keys]
        result = dg.materialize(
            [*definitions.sql_assets, definitions.publish_asset, *checks],
            resources=definitions.defs.resources,
            raise_on_error=False,
        )
    finally:
        shutil.copy(saved, BUILD_DB)
    assert not result.success
    failed = {c.check_name for c in result.get_asset_check_evaluations() if not c.passed}
    assert failing_check in failed
    assert dg.AssetKey("warehouse_published") not in {m.asset_key for m in result.get_asset_materialization_events()}
    assert _fingerprint(published_db, MARTS_DIR) == before


# ---------------------------------------------------------------- Great Expectations on corrupted marts


@pytest.fixture(scope="module")
def expected(built):
    from pipelines.quality.expectations import MARTS_WITH_SUITES, expected_facts

    _, path = built
    con = duckdb.connect(str(path), read_only=True)
    out = {m: expected_facts(con, m) for m in MARTS_WITH_SUITES}
    con.close()
    return out


def test_gx_suites_pass_on_the_published_marts(built, published, expected, tmp_path):
    from pipelines.quality.expectations import MARTS_WITH_SUITES, validate_mart
    from pipelines.quality.gx_offline import remote_assets

    for mart in MARTS_WITH_SUITES:
        outcome = validate_mart(mart, published[mart], expected[mart], tmp_path)
        assert outcome.success, outcome.failed
        index = outcome.docs_index.read_text(encoding="utf-8")
        assert "<html" in index.lower()
        # Data Docs read offline (issue 25.5): no page loads a script, style or image over http(s), and the index's
        # tables are written out (GX fills them from a CDN library): the validation row, its status and suite link
        for page in (tmp_path / mart).rglob("*.html"):
            text = page.read_text(encoding="utf-8")
            assert remote_assets(text) == [], (page, remote_assets(text))
            assert not re.search(r"""<(script|link)\b[^>]*(src|href)=["']?https?:""", text, re.I), page
        assert "bootstrapTable" not in index and re.search(r"✔</span>\s*(</span>\s*)?Success</a>", index), mart
        assert f'href="expectations/{mart}_suite.html"' in index and f"<td>{mart}</td>" in index


@pytest.mark.parametrize(
    "mart, corrupt, failing",
    [
        (
            "mart_plan_coverage",
            lambda df: df.tail(-1),
            {"expect_table_row_count_to_equal", "expect_column_sum_to_be_between"},
        ),
        (
            "mart_agency_workload",
            lambda df: pl.concat([df, df.head(1)]),
            {
                "expect_table_row_count_to_equal",
                "expect_compound_columns_to_be_unique",
                "expect_column_sum_to_be_between",
            },
        ),
        # a coverage row of a document dim_document does not have
        (
            "mart_plan_coverage",
            lambda df: df.with_columns(_first("document_id", "ffffffffffffffff")),
            {"expect_column_values_to_be_in_set"},
        ),
        (
            "mart_target_vs_actual",
            lambda df: df.with_columns(_first("status", "met" if df["status"][0] != "met" else "not_met")),
            {"expect_column_pair_values_to_be_equal"},
        ),
    ],
)
def test_gx_suite_fails_on_a_corrupted_mart(published, expected, tmp_path, mart, corrupt, failing):
    from pipelines.quality.expectations import validate_mart

    outcome = validate_mart(mart, corrupt(published[mart]), expected[mart], tmp_path)
    assert not outcome.success
    assert failing <= {f["expectation"] for f in outcome.failed}
    assert "Failed</a>" in outcome.docs_index.read_text(encoding="utf-8")  # the offline index says so too


@pytest.mark.needs_shared("scores/papi", in_build=True)
def test_gx_total_must_equal_the_sum_of_its_dimensions(published, expected, tmp_path):
    from pipelines.quality.expectations import validate_mart

    df = published["mart_province_scores"]
    assert df.filter(pl.col("family") == "PAPI").height  # the real PAPI panel is in the build
    hcmc_2019 = (
        (pl.col("province_key") == "2004-79") & (pl.col("year") == 2019) & (pl.col("indicator_code") == "PAPI.D3")
    )
    outcome = validate_mart(
        "mart_province_scores",
        df.with_columns(pl.when(hcmc_2019).then(pl.col("score") + 0.5).otherwise(pl.col("score")).alias("score")),
        expected["mart_province_scores"],
        tmp_path,
    )
    assert [(f["expectation"], f["observed"]) for f in outcome.failed] == [("expect_column_values_to_be_between", 1)]


def test_an_expectation_that_raises_is_an_error_not_a_failure(published, expected, tmp_path):
    from pipelines.quality.expectations import ExpectationRaised, validate_mart

    with pytest.raises(ExpectationRaised, match="raised instead of evaluating"):
        validate_mart(
            "mart_target_vs_actual",
            published["mart_target_vs_actual"].drop("n_ranked"),
            expected["mart_target_vs_actual"],
            tmp_path,
        )
