"""Normalisation on the seed plans: indicator codes, canonical agencies, timelines, targets, quoted scores.
Every expected value below was read in the plan text."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from pipelines.normalise.agencies import agencies, aliases, resolve
from pipelines.normalise.indicators import indicator_aliases, map_heading
from pipelines.normalise.timelines import parse_timeline

HCMC_PAPI, QUANG_NGAI, HCMC_PAR, HANOI = "fb5d00c12cc86914", "b4b9dfe0cf6bfabe", "b87cb0caa1fc84d8", "14f81197b396b4ee"
HUNG_YEN_CITY = "409018ee49d26868"  # 003: Kế hoạch 19/KH-UBND of thành phố Hưng Yên (a district-level city), PAPI 2023
SEEDS = (HCMC_PAPI, QUANG_NGAI, HCMC_PAR, HANOI)


@pytest.fixture(scope="module")
def norm(tmp_path_factory):
    from pipelines.sources.plans.ingest import discover
    from tests.conftest import stage_files

    _, _, staged, normalised = stage_files(discover("plans"), tmp_path_factory.mktemp("staging"))
    return staged, normalised


def _tasks(norm):
    staged, n = norm
    return {
        r["task_id"]: r
        for r in n.tasks.join(
            staged.tasks.select("task_id", "task_ref", "line_start", "section_ref"), on="task_id"
        ).iter_rows(named=True)
    }


def test_indicator_codes_per_document(norm):
    _, n = norm
    got = Counter((r["document_id"], r["indicator_code"]) for r in n.tasks.iter_rows(named=True))
    # HCMC PAR 2020: lost headings 2, 4, 6 inferred from the methodology order; communication -> direction
    assert {k[1]: v for k, v in got.items() if k[0] == HCMC_PAR} == {
        "PAR.DIRECTION": 12,
        "PAR.INSTITUTIONS": 4,
        "PAR.PROCEDURES": 24,
        "PAR.ORGANISATION": 8,
        "PAR.CIVIL_SERVICE": 11,
        "PAR.FINANCE": 8,
        "PAR.MODERNISATION": 12,
        "PAR.IMPACT": 6,
    }
    # Quảng Ngãi: one plan, both indices; "Thủ tục hành chính công" under PAPI is D5, the combined PAR heading
    # "…văn bản QPPL; Cải cách TTHC" splits by the tasks' own words; "Nhiệm vụ chung" is neither index
    assert {k[1]: v for k, v in got.items() if k[0] == QUANG_NGAI} == {
        None: 8,
        "PAR.DIRECTION": 3,
        "PAR.INSTITUTIONS": 2,
        "PAR.PROCEDURES": 4,
        "PAR.ORGANISATION": 3,
        "PAR.CIVIL_SERVICE": 7,
        "PAR.FINANCE": 3,
        "PAR.MODERNISATION": 7,
        "PAR.ONE_STOP": 5,
        "PAPI.D1": 4,
        "PAPI.D2": 3,
        "PAPI.D3": 3,
        "PAPI.D4": 6,
        "PAPI.D5": 2,
        "PAPI.D6": 7,
    }
    assert {k[1]: v for k, v in got.items() if k[0] == HCMC_PAPI} == {
        "PAPI.D1": 12,
        "PAPI.D2": 9,
        "PAPI.D3": 5,
        "PAPI.D4": 8,
        "PAPI.D5": 5,
        "PAPI.D6": 11,
    }
    # Hà Nội 2021: the general sections (communication, agency blocks, monitoring, reporting) are neither index
    assert {k[1]: v for k, v in got.items() if k[0] == HANOI} == {
        None: 24,
        "PAPI.D1": 4,
        "PAPI.D2": 4,
        "PAPI.D3": 3,
        "PAPI.D4": 5,
        "PAPI.D5": 1,
        "PAPI.D6": 6,
        "PAPI.D7": 1,
        "PAPI.D8": 3,
    }
    # Hưng Yên city: rows 1-9 of its table; row 2 (democracy inside agencies) is no PAPI dimension; dimension 1's
    # rows carry only their sub-dimension label ("a) Tri thức công dân"), which names the dimension
    assert {k[1]: v for k, v in got.items() if k[0] == HUNG_YEN_CITY} == {
        None: 4,
        "PAPI.D1": 12,
        "PAPI.D2": 5,
        "PAPI.D3": 10,
        "PAPI.D4": 7,
        "PAPI.D5": 10,
        "PAPI.D6": 14,
        "PAPI.D7": 4,
        "PAPI.D8": 5,
    }
    rules = Counter(r["indicator_rule"] for r in n.tasks.iter_rows(named=True) if r["document_id"] == HUNG_YEN_CITY)
    assert rules["from_subdimension"] == 12 and rules["unmapped"] == 4
    assert not [
        r for r in n.tasks.iter_rows(named=True) if r["indicator_rule"] == "unmapped" and r["document_id"] in SEEDS
    ]


def test_subdimensions_of_the_hanoi_plan(norm):
    tasks = _tasks(norm)
    by_line = {(r["document_id"], r["line_start"]): r for r in tasks.values()}
    assert by_line[(HANOI, 91)]["subindicator_code"] == "PAPI.D1.CIVIC_KNOWLEDGE"
    assert by_line[(HANOI, 149)]["subindicator_code"] == "PAPI.D3.RESPONSIVENESS"
    assert by_line[(HANOI, 189)]["subindicator_code"] == "PAPI.D5.COMMUNE_PROCEDURES"
    assert by_line[(HANOI, 271)]["subindicator_code"] == "PAPI.D8.E_RESPONSIVENESS"
    # one sub-section naming three sub-dimensions is left NULL and reported
    assert by_line[(HANOI, 238)]["subindicator_code"] is None
    assert by_line[(HANOI, 238)]["subindicator_rule"] == "ambiguous"


@pytest.mark.parametrize(
    "heading,family,code",
    [
        ("Công khai, minh bạch", "PAPI", "PAPI.D2"),
        ("Công khai minh bạch trong hoạch định chính sách", "PAPI", "PAPI.D2"),
        ("Công khai, minh bạch trong việc ra quyết định ở địa phương", "PAPI", "PAPI.D2"),
        ("Thủ tục hành chính công", "PAPI", "PAPI.D5"),
        ("Cải cách thủ tục hành chính", "PAR_INDEX", "PAR.PROCEDURES"),
        ("Công tác truyền thông hỗ trợ công tác CCHC, cải cách TTHC", "PAR_INDEX", "PAR.DIRECTION"),
        ("Khảo sát, đánh giá sự hài lòng của người dân, tổ chức", "PAR_INDEX", "PAR.IMPACT"),
    ],
)
def test_heading_variants(heading, family, code):
    assert map_heading(heading, family).code == code


def test_unknown_heading_is_reported_not_guessed():
    m = map_heading("Thực hiện dân chủ trong cơ quan", "PAPI")
    assert (m.code, m.rule) == (None, "unmapped")


def test_canonical_lead_agencies(norm):
    staged, n = norm
    ta = n.task_agency

    def agencies_of(doc, line, role="lead"):
        tid = staged.tasks.filter((staged.tasks["document_id"] == doc) & (staged.tasks["line_start"] == line))[
            "task_id"
        ][0]
        return sorted(ta.filter((ta["task_id"] == tid) & (ta["role"] == role))["name_vi"].to_list())

    # 3.4.b: "Thủ trưởng sở, ban - ngành; Chủ tịch UBND quận - huyện, Chủ tịch UBND phường - xã, thị trấn" leads,
    # "Chánh Văn phòng UBND thành phố; Giám đốc Sở Thông tin và Truyền thông" support (titles dropped)
    t34b = staged.tasks.filter(staged.tasks["task_ref"] == "3.4.b")["line_start"][0]
    assert agencies_of(HCMC_PAR, t34b) == sorted(
        [
            "Các sở, ban, ngành",
            "Ủy ban nhân dân các phường, xã, thị trấn",
            "Ủy ban nhân dân các quận, huyện, thị xã, thành phố thuộc tỉnh",
        ]
    )
    assert agencies_of(HCMC_PAR, t34b, "support") == [
        "Sở Thông tin và Truyền thông",
        "Văn phòng Ủy ban nhân dân thành phố",
    ]
    assert agencies_of(HANOI, 45) == sorted(
        [
            "Ủy ban nhân dân các phường, xã, thị trấn",
            "Ủy ban nhân dân các quận, huyện, thị xã, thành phố thuộc tỉnh",
            "Các sở, ban, ngành",
        ]
    )
    assert agencies_of(HANOI, 45, "support") == ["Ủy ban Mặt trận Tổ quốc Việt Nam thành phố"]
    # the same department in two provinces is two agencies of one sector
    provinces = set(ta.filter(ta["agency_code"] == "SO_NOI_VU")["agency_province_key"].to_list())
    assert provinces == {"2004-01", "2004-51", "2004-79"}
    unknown = n.findings.filter(n.findings["rule"] == "agency_unknown")
    assert not unknown.filter(unknown["document_id"].is_in(SEEDS)).height
    # relative to the issuer: the city plan's "Phòng Nội vụ" and "Thanh tra thành phố" are the city's bodies,
    # "Sở Nội vụ" would be the province's; in Hồ Chí Minh City's plan "Công an thành phố" is the province's
    units = {
        (r["agency_code"], r["agency_unit_key"], r["agency_unit_level"])
        for r in ta.filter(ta["document_id"] == HUNG_YEN_CITY).iter_rows(named=True)
    }
    assert ("PHONG_NOI_VU", "2004-33/thanh-pho-hung-yen", "district") in units
    assert ("THANH_TRA", "2004-33/thanh-pho-hung-yen", "district") in units
    assert ("CONG_AN", "2004-33/thanh-pho-hung-yen", "district") in units
    assert ("BHXH", "2004-33", "province") in units
    # and named as the city's ("Công an thành phố", "Ban Tuyên giáo Thành ủy"), not the province's
    names = {
        r["agency_code"]: r["name_vi"] for r in ta.filter(ta["document_id"] == HUNG_YEN_CITY).iter_rows(named=True)
    }
    assert (names["CONG_AN"], names["BAN_TUYEN_GIAO_TU"], names["BHXH"]) == (
        "Công an thành phố",
        "Ban Tuyên giáo Thành ủy",
        "Bảo hiểm xã hội tỉnh",
    )
    assert set(ta.filter((ta["document_id"] == HCMC_PAR) & (ta["agency_code"] == "VP_UBND"))["agency_unit_key"]) == {
        "2004-79"
    }


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Giám đốc Sở Nội vụ", [("SO_NOI_VU", "lead")]),
        # HCMC PAR plan (raw/plans/002, line 209): the steering committee's name completed from its working group's
        (
            "Giám đốc Sở Nội vụ, Ban Chỉ đạo và Tổ Công tác Ban Chỉ đạo CCHC thành phố",
            [("SO_NOI_VU", "lead"), ("BCD_CCHC", "lead"), ("TO_CONG_TAC_BCD_CCHC", "lead")],
        ),
        ("Trưởng Ban Chỉ đạo", []),  # whose steering committee the cell does not say: not the reform committee
        # one head over a list; a name that goes on after a comma ("Văn hóa, Thể thao và Du lịch")
        (
            "các Sở: Xây dựng, Công Thương, Văn hóa, Thể thao và Du lịch",
            [("SO_XAY_DUNG", "lead"), ("SO_CONG_THUONG", "lead"), ("SO_VHTTDL", "lead")],
        ),
        ("Các cơ quan tham mưu (gồm các Sở: Tài chính, Tư pháp)", [("SO_TAI_CHINH", "lead"), ("SO_TU_PHAP", "lead")]),
        ("Sở Tài chính - Cơ quan thường trực Ban Chỉ đạo", [("SO_TAI_CHINH", "lead")]),
        ("Bộ Công an", []),  # the ministry, not the provincial police (no national codes in the catalogue)
        ("Sở TT&TT", [("SO_TTTT", "lead")]),
        ("Sở LĐTB&XH", [("SO_LDTBXH", "lead")]),
        ("Sở GD&ĐT", [("SO_GDDT", "lead")]),
        (
            "Thủ trưởng sở, ban - ngành; Chủ tịch UBND quận - huyện, phường - xã, thị trấn",
            [("G_SO_BAN_NGANH", "lead"), ("G_UBND_HUYEN", "lead"), ("G_UBND_XA", "lead")],
        ),
        (
            "Sở Tài nguyên và Môi trường và UBND các huyện Nghĩa Hành, Ba Tơ",
            [("SO_TNMT", "lead"), ("UBND_H_NGHIA_HANH", "lead"), ("UBND_H_BA_TO", "lead")],
        ),
        (
            "Giám đốc Sở Lao động - Thương binh và Xã hội - Giám đốc Bảo hiểm xã hội thành phố;",
            [("SO_LDTBXH", "lead"), ("BHXH", "lead")],
        ),
        # an invitation in a lead cell is a supporting role
        (
            "Sở Nội vụ - Mời Ủy ban Mặt trận Tổ quốc Việt Nam thành phố tham gia",
            [("SO_NOI_VU", "lead"), ("MTTQ", "support")],
        ),
    ],
)
def test_agency_resolution(text, expected):
    assert [(m.code, m.role) for m in resolve(text, "lead").mentions] == expected


def test_unknown_agency_is_reported():
    r = resolve("Sở Nội vụ, Ban Quản lý dự án Thủ Thiêm", "lead")
    assert [m.code for m in r.mentions] == ["SO_NOI_VU"]
    assert r.unknown == ["Ban Quản lý dự án Thủ Thiêm"]


def test_mapping_files_have_no_dangling_entries_and_every_row_names_its_source(norm):
    import csv

    from pipelines.normalise.provinces import REFERENCE_DIR

    _, n = norm
    codes = set(agencies())
    assert all(c in codes for a in aliases() for c in a.codes)
    # the catalogues hold the national vocabulary, not what the seed plans happen to say: every row names its source
    for name in ("agency_aliases.csv", "indicator_aliases.csv"):
        with open(REFERENCE_DIR / name, encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        assert rows and not [r for r in rows if not (r.get("source") or "").strip()], name
    with open(REFERENCE_DIR / "agencies.csv", encoding="utf-8") as f:
        assert not [r["agency_code"] for r in csv.DictReader(f) if not (r.get("legal_source") or "").strip()]
    assert n.alias_use  # and the seed plans do use them
    with open(REFERENCE_DIR / "indicators.csv", encoding="utf-8") as f:
        indicator_codes = {r["indicator_code"] for r in csv.DictReader(f)}
    assert all(a.code in indicator_codes for a in indicator_aliases() if a.code)


@pytest.mark.parametrize(
    "text,start,end,rec,kind",
    [
        ("Trong năm 2020", dt.date(2020, 1, 1), dt.date(2020, 12, 31), None, "dated"),
        ("Tháng 12/2019", dt.date(2019, 12, 1), dt.date(2019, 12, 31), None, "dated"),
        ("Trong tháng 6/2020", dt.date(2020, 6, 1), dt.date(2020, 6, 30), None, "dated"),
        ("Trước ngày 30/01/2020", None, dt.date(2020, 1, 30), None, "deadline"),
        ("Quý II năm 2020", dt.date(2020, 4, 1), dt.date(2020, 6, 30), None, "dated"),
        ("Quý II, III năm 2023", dt.date(2023, 4, 1), dt.date(2023, 9, 30), None, "dated"),
        ("Đợt 1: Tháng 02-5/2020 Đợt 2: Tháng 6-11/2020", dt.date(2020, 2, 1), dt.date(2020, 11, 30), None, "phased"),
        ("Thường xuyên", None, None, "continuous", "recurring"),
        ("Năm 2023 và các năm tiếp theo", dt.date(2023, 1, 1), None, "annual", "recurring"),
        ("6 tháng; năm", None, None, "semiannual,annual", "recurring"),
        ("Sau khi Bộ Nội vụ ban hành Thông tư", None, None, None, "event"),
        ("Theo Kế hoạch của Thành phố", None, None, None, "event"),
    ],
)
def test_timelines(text, start, end, rec, kind):
    t = parse_timeline(text)
    assert (t.due_start, t.due_end, t.recurrence, t.kind) == (start, end, rec, kind)
    assert (t.event == text) == (kind == "event")


def test_deadlines_before_issue_date_are_reported(norm):
    _, n = norm
    f = n.findings.filter(n.findings["rule"] == "deadline_before_issue")
    # HCMC PAR plan issued 18/02/2020 with four "Tháng 12/2019" deadlines and one "Trước ngày 30/01/2020"
    assert sorted(f["line_start"].to_list()) == [281, 289, 305, 313, 566]


def test_targets(norm):
    _, n = norm
    t = n.targets

    def at(doc, line):
        return [
            (r["comparator"], r["value"], r["unit"], r["indicator_code"], r["target_year"])
            for r in t.filter((t["document_id"] == doc) & (t["line"] == line)).iter_rows(named=True)
        ]

    assert at(HCMC_PAR, 88) == [(">=", 85.0, "percent", None, 2020)]
    assert at(HCMC_PAR, 488)[0][:3] == (">", 90.0, "percent")
    assert at(HCMC_PAR, 354)[0][:3] == ("=", 100.0, "percent")
    assert at(HCMC_PAPI, 100) == [(">", 6.0, "points", "PAPI.D1", 2019)]
    assert at(HCMC_PAPI, 74) == [("<=", 16.0, "rank", "PAPI.TOTAL", 2018)]
    # the same target again in the objectives: "năm 2018 cao hơn năm 2015" compares with 2015, the year is 2018
    assert at(HCMC_PAPI, 84) == [("<=", 16.0, "rank", "PAPI.TOTAL", 2018)]
    assert at(QUANG_NGAI, 78) == [("<=", 20.0, "rank", "PAR.TOTAL", 2020), ("<=", 20.0, "rank", "PAPI.TOTAL", 2020)]
    assert at(HANOI, 6) == [(">=", 5.0, "rank_change", "PAPI.TOTAL", 2021)]
    paired = t.filter((t["document_id"] == HCMC_PAR) & (t["line"] == 90)).to_dicts()
    assert [(p["share_comparator"], p["share_value"], p["comparator"], p["value"]) for p in paired] == [
        ("=", 100.0, ">", 90.0),
        (">=", 70.0, ">", 95.0),
    ]
    assert paired[1]["paired_with_target_id"] == paired[0]["target_id"]
    seeds = t.filter(t["document_id"].is_in(SEEDS))
    assert seeds.filter(seeds["unit"] == "points").height == 6
    # count targets: "tổ chức đối thoại tại 2-3 xã" (Quảng Ngãi), "cung cấp 322 dịch vụ công" (HCMC PAR)
    assert at(QUANG_NGAI, 210) == [(">=", 2.0, "count", "PAR.ONE_STOP", 2017)]
    assert at(HCMC_PAR, 735)[0][:3] == ("=", 322.0, "count")
    assert seeds.height == 72
    # Hưng Yên city: symbols and the "trả lên" typo read with their comparator
    # the task cell ("… điện tử ≥70%") and its output cell ("≥70% dân số …") each state it: one row per cell
    assert at(HUNG_YEN_CITY, 228) == [(">=", 70.0, "percent", "PAPI.D6", 2023)] * 2
    assert (">=", 80.0, "percent", "PAPI.D7", 2023) in at(HUNG_YEN_CITY, 247)


def test_contradictions_inside_the_hcmc_papi_plan(norm):
    _, n = norm
    f = {
        (r["rule"], r["line_start"]): r["message"]
        for r in n.findings.iter_rows(named=True)
        if r["document_id"] == HCMC_PAPI
    }
    assert "tăng từ 4.92 lên 4.15" in f[("increase_to_lower_value", 67)]
    assert (
        f[("baseline_conflict", 65)] == "PAPI.D1 2017 is stated with different values: 4.70 (line 65), 4.27 (line 100)"
    )
    assert (
        f[("baseline_conflict", 67)] == "PAPI.D3 2017 is stated with different values: 4.15 (line 67), 5.15 (line 154)"
    )
    assert f[("total_not_sum", 72)] == (
        "PAPI.TOTAL 2017 is stated as 35.88, but the 6 dimension scores the plan states sum to 34.88"
    )


def test_every_percent_sign_is_read_once(norm):
    """Each "%" of a plan is a target value or the share of a paired target: 000 has none, 001 five,
    002 forty-nine (line 90 holds four: two shares, two values), 004 six."""
    from pipelines.settings import PROJECT_DIR

    staged, n = norm
    t = n.targets.filter(n.targets["unit"] == "percent")
    for d in staged.documents.filter(staged.documents["document_id"].is_in(SEEDS)).iter_rows(named=True):
        signs = (PROJECT_DIR / "raw" / d["source_path"]).read_text(encoding="utf-8").count("%")
        mine = t.filter(t["document_id"] == d["document_id"])
        assert mine.height + mine["share_value"].drop_nulls().len() == signs, d["source_path"]


def _read_text(tmp_path, text):
    from tools.accuracy import read_and_normalise

    p = tmp_path / "plan.txt"
    p.write_text(text, encoding="utf-8")
    return read_and_normalise(p)


_PLAN_2026 = """ỦY BAN NHÂN DÂN
TỈNH TUYÊN QUANG

Số: 15/KH-UBND

Tuyên Quang, ngày 20 tháng 01 năm 2026

KẾ HOẠCH
Nâng cao Chỉ số cải cách hành chính (PAR INDEX) năm 2026

I. NHIỆM VỤ, GIẢI PHÁP

1. Hiện đại hóa hành chính

a) Nâng cấp hệ thống thông tin giải quyết thủ tục hành chính của tỉnh.
- Cơ quan chủ trì: Sở Thông tin và Truyền thông
- Cơ quan phối hợp: Sở Nội vụ, UBND các xã, phường
- Thời gian thực hiện: Quý II/2026

b) Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính tại Trung tâm Phục vụ hành chính công tỉnh.
- Cơ quan chủ trì: Văn phòng UBND tỉnh
- Thời gian thực hiện: Trong năm 2026
"""


def test_a_body_that_ceased_before_the_plan_is_reported_with_its_successor(tmp_path):
    res, norm = _read_text(tmp_path, _PLAN_2026)
    assert [t["timeline_text"] for t in res.tasks] == ["Quý II/2026", "Trong năm 2026"]
    # issued after 1 July 2025: the province is the 2025 unit Tuyên Quang (merged with Hà Giang), key 2025-08
    assert (res.document["province_code"], res.document["province_vintage"]) == ("08", 2025)
    assert {t["province_key"] for t in norm.targets} <= {"2025-08"}
    assert {a["agency_unit_key"] for a in norm.task_agencies if not a["agency_code"].startswith("G_")} == {"2025-08"}
    gone = [f for f in norm.findings if f["rule"] == "agency_not_in_force"]
    assert len(gone) == 1 and "2025-03-01" in gone[0]["message"] and "Sở Khoa học và Công nghệ" in gone[0]["message"]
    assert {(a["agency_code"], a["role"]) for a in norm.task_agencies} >= {
        ("SO_TTTT", "lead"),
        ("SO_NOI_VU", "support"),
        ("G_UBND_XA", "support"),
        ("VP_UBND", "lead"),
    }


def test_a_plan_without_a_province_still_loads_its_agencies_as_unresolved(tmp_path):
    text = (
        _PLAN_2026.replace("TỈNH TUYÊN QUANG", "PHƯỜNG AN KHÁNH")
        .replace("Tuyên Quang, ngày", "An Khánh, ngày")
        .replace(" của tỉnh", "")
        .replace(" tỉnh", "")
    )
    res, norm = _read_text(tmp_path, text)
    assert res.document["province_code"] is None and res.document["issuer_level"] == "commune"
    units = {a["agency_unit_key"] for a in norm.task_agencies if a["agency_code"] == "SO_TTTT"}
    assert units == {"UNRESOLVED"}
    assert any(f["rule"] == "province_unresolved" for f in norm.findings)


@pytest.mark.parametrize(
    "line, want",
    [
        # SYNTHETIC sentences in the forms plans use for counts
        ("Khảo sát với tối thiểu 2.000 phiếu tại các huyện", (">=", 2000.0)),
        ("Phát tối thiểu 300 phiếu khảo sát", (">=", 300.0)),
        ("Tổ chức 02 lớp bồi dưỡng kỹ năng giao tiếp", ("=", 2.0)),
    ],
)
def test_count_targets_with_thousands_and_planned_events(line, want):
    from pipelines.normalise.targets import find_targets

    hits = [(h.comparator, h.value) for h in find_targets(line) if h.unit == "count"]
    assert hits == [want]


def test_a_plural_inside_a_title_names_the_same_office():
    assert [m.code for m in resolve("Tổ trưởng các tổ dân phố", "support").mentions] == ["TRUONG_THON"]
    assert [m.code for m in resolve("Trưởng các thôn, tổ dân phố", "support").mentions][:1] == ["TRUONG_THON"]


@pytest.mark.parametrize(
    "line, year",
    [
        ("phấn đấu năm 2018 cao hơn năm 2015, đưa tỉnh vào nhóm 20/63 tỉnh", 2018),
        ("phấn đấu năm 2022 không thấp hơn năm 2021, vào nhóm 10/63", 2022),
        ("năm 2023 bằng năm 2022: nhóm 30/63", 2023),
        ("đạt trên 6,00 điểm so với điểm năm 2017", None),  # the plan's year applies
        ("năm 2019 nằm trong nhóm 16/63 tỉnh", 2019),
    ],
)
def test_a_year_compared_against_is_no_target_year(line, year):
    from pipelines.normalise.targets import find_targets

    assert {h.year_hint for h in find_targets(line)} == {year}


PLAN_ON_NO_INDEX = """ỦY BAN NHÂN DÂN TỈNH NGHỆ AN
Số: 12/KH-UBND
Nghệ An, ngày 05 tháng 3 năm 2025

KẾ HOẠCH
Phòng, chống ma túy năm 2025

I. NHIỆM VỤ
1. Sở Y tế
a) Tổ chức điều trị nghiện ma túy tại cộng đồng.
b) Cấp phát thuốc thay thế cho người nghiện.
2. Công an tỉnh
a) Tấn công, trấn áp tội phạm ma túy trên địa bàn.
"""


def test_a_plan_on_no_index_gets_no_indicator_warnings(tmp_path):
    """A plan about something else than the indices (drug control, digital economy): its agency headings are not
    dimensions, and 'maps to no indicator' on each of them is noise, not a finding."""
    from tools.accuracy import read_and_normalise

    p = tmp_path / "plan.txt"
    p.write_text(PLAN_ON_NO_INDEX, encoding="utf-8")
    res, norm = read_and_normalise(p)
    assert len(res.tasks) == 3
    assert not [f for f in norm.findings if f["rule"] == "indicator_unmapped"]
    # the same plan on PAPI: its headings should name a dimension, and that they do not is reported
    p.write_text(PLAN_ON_NO_INDEX.replace("năm 2025\n", "năm 2025 nâng cao Chỉ số PAPI\n", 1), encoding="utf-8")
    res, norm = read_and_normalise(p)
    assert [f for f in norm.findings if f["rule"] == "indicator_unmapped"]


GOALS_OF_ONE_INDEX = """ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ
Số: 21/KH-UBND
KẾ HOẠCH
Nâng cao Chỉ số cải cách hành chính (PAR INDEX) tỉnh Quảng Trị năm 2026

I. MỤC TIÊU

- Phấn đấu năm 2026 Chỉ số CCHC của tỉnh đạt từ 88% trở lên.
- Phấn đấu ≥ 95% hồ sơ thủ tục hành chính được giải quyết đúng hạn; cung cấp 322 dịch vụ công trực tuyến toàn trình.

II. NHIỆM VỤ

1. Sở Nội vụ chủ trì tham mưu kế hoạch kiểm tra công tác cải cách hành chính năm 2026.
"""


def test_goal_targets_take_the_index_or_component_their_own_clause_names(tmp_path):
    """Outside any task section a goal's indicator comes from its own clause: "Chỉ số CCHC" is the PAR Index, a
    clause about online public services is its modernisation component; a rank names its component when its own
    clause does ("…; Chỉ số nội dung Quản trị điện tử vào top 10")."""
    from pipelines.normalise.targets import find_targets
    from tools.accuracy import read_and_normalise

    p = tmp_path / "plan.txt"
    p.write_text(GOALS_OF_ONE_INDEX, encoding="utf-8")
    _, norm = read_and_normalise(p)
    got = {(t["comparator"], t["value"], t["unit"], t["indicator_code"]) for t in norm.targets}
    assert (">=", 88.0, "percent", "PAR.TOTAL") in got
    assert ("=", 322.0, "count", "PAR.MODERNISATION") in got
    line = (
        "- Phấn đấu năm 2022 Chỉ số PAPI của tỉnh thuộc nhóm 15 tỉnh, thành phố dẫn đầu cả nước; Chỉ số nội dung "
        "Quản trị điện tử vào top 10 cả nước."
    )
    assert [(h.value, h.unit, h.indicator_hint) for h in find_targets(line)] == [
        (15.0, "rank", "PAPI.TOTAL"),
        (10.0, "rank", "PAPI.D8"),
    ]
