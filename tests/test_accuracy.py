"""Reading accuracy on plans the readers were not written against (issue 14): hand-written fixtures of other
provinces and levels, one layout each (tests/fixtures/dev/layouts/), and the expected rows of the real city plan 003.
`make accuracy` prints the same figures per file and field and writes docs/accuracy.md."""

from __future__ import annotations

import re

import pytest

from tests.conftest import SHARED, require_shared
from tools import accuracy

# The batches the floors below were set on; batches added since are held to their own acceptance (further down)
FLOOR_BATCHES = {"layouts", "published", "published2", "real"}
# Issue 23's acceptance on the real plans and on layouts no issue names: not met yet (see docs/accuracy.md)
NEW_BATCHES = {
    "real_plans": (0.95, 0.90),
    "real_plans2": (0.90, 0.85),
    "layouts3": (0.90, None),
    "layouts4": (0.90, None),
    "real_plans3": (0.90, 0.85),  # with four non-plans (a letter, a notice, two dispatches): 0 tasks each
    "real_plans4": (0.90, 0.85),
    "real_plans5": (0.90, 0.85),
    "real_plans6": (0.90, 0.85),  # still held out: met at its first measurement, before any fix against it
    "real_plans7": (0.90, 0.85),  # first measured at 0.15 (held out), fixed against since
    "layouts5": (0.90, None),  # first measured at 0.76 (held out), fixed against since
    "real_plans8": (0.90, 0.85),  # six unseen real documents; first measured at 0.68 (held out), fixed against since
    "real_plans9": (0.90, 0.85),  # six more, first measured at 0.91 (held out) on this session's reader
    "real_plans10": (0.90, 0.85),  # six more, first measured at 0.59 / lead 0.88 (held out) on ad1aede
    "layouts6": (0.90, None),  # 8 SYNTHETIC layouts, first measured at 0.60 (held out) on 84d040a
    "real_plans11": (0.90, 0.85),  # three from other repositories, first measured at 0.63 (held out) on b651966
    "layouts7": (0.90, None),  # 8 more SYNTHETIC layouts, first measured at 0.54 (held out) on aa15276
    "layouts8": (0.90, None),  # 8 more SYNTHETIC layouts, first measured at 0.55 (held out) on 20cb99b
    "real_plans12": (0.90, 0.85),  # five more real, first measured at 0.77 / lead 0.91 (held out) on 3296207
    "layouts9": (0.90, None),  # 8 more SYNTHETIC layouts, first measured at 0.72 / lead 0.60 (held out) on 19f1c23
    "real_plans13": (0.90, 0.85),  # three more real, first measured at 0.82 / lead 0.98 (held out) on 19f1c23
    "layouts10": (0.90, None),  # 8 more SYNTHETIC layouts, first measured at 0.68 / lead 0.58 (held out) on c04abdd
    "layouts11": (0.90, None),  # 8 more SYNTHETIC layouts, first measured at 0.47 / lead 0.26 (held out) on 6ac5fd6
    "real_plans14": (0.90, 0.85),  # one more real plan, still held out: 1.00 / lead 1.00 at its first measurement
    "layouts12": (0.90, None),  # 8 more SYNTHETIC layouts, first measured at 0.93 / lead 0.83 (held out) on 8936602
}


@pytest.fixture(scope="module")
def all_results():
    return accuracy.run()


@pytest.fixture(scope="module")
def results(all_results):
    return [r for r in all_results if r.folder in FLOOR_BATCHES]


def _total(results, field):
    c = accuracy.Counts()
    for r in results:
        c.add(r.counts[field])
    return c


def test_there_are_enough_fixtures_of_every_kind(results):
    layouts = [r for r in results if r.name[0] in "nt"]
    assert len(layouts) >= 12
    assert sum(1 for r in layouts if not r.is_plan) >= 2
    assert {r.name for r in results} >= {"003_c0cd988506191886"}


def test_no_plan_is_quarantined_and_non_plans_yield_no_tasks(results):
    for r in results:
        assert r.quarantined is None, (r.name, r.quarantined)
        if not r.is_plan:
            assert r.n_extracted == 0, r.name


def test_task_f1_per_document(results):
    for r in results:
        if r.is_plan:
            assert r.counts["task"].f1 >= 0.95, (r.name, r.counts["task"])


@pytest.mark.parametrize(
    "field,floor",
    [
        ("lead", 0.90),
        ("indicator", 0.95),
        ("subindicator", 0.90),
        ("output", 0.90),
        ("timeline", 0.90),
        ("support", 0.85),
    ],
)
def test_field_floors(results, field, floor):
    got = accuracy.field_score(_total(results, field))
    assert got is not None and got >= floor, (field, got)


def test_targets_recall_with_every_field_right(results):
    """A target counts only with its indicator, year, unit, comparator and value (0.81 when that rule came in; it
    was 0.96 on comparator and value alone). The floor stayed at 0.90 until the readers reached it."""
    assert _total(results, "targets").recall >= 0.90


def test_unknown_agencies_under_three_percent(results):
    mentions = sum(r.agency_mentions for r in results)
    unknown = sum(r.agency_unknown for r in results)
    assert mentions > 500 and unknown / mentions < 0.03, (unknown, mentions)


def test_document_facts(results):
    """Number (also written "19 /KH-UBND"), issue date, level and province of every fixture that states them: exact
    on the real plan and the fixtures the readers were fixed against; at least 95 % right over all, held-out batches
    included. Known miss (held-out batch 2, q02): a district-level city whose plan never names its province (Cam
    Ranh, Khánh Hòa) is not placed; that needs a national gazetteer of district-level units."""
    checks = [(r.name, k, v) for r in results for k, v in r.doc_checks.items()]
    wrong = {(name, k): v for name, k, v in checks if str(v[0]) != str(v[1])}
    # published2 (q02: a city whose plan never names its province) was held out when this floor was set
    fixed_against = {r.name for r in results if r.folder in {"layouts", "published", "real"}}
    assert not {k: v for k, v in wrong.items() if k[0] in fixed_against}, wrong
    assert len(wrong) <= 0.05 * len(checks), wrong


NEGATIVE = SHARED / "negative_plans"


@pytest.mark.needs_shared("negative_plans")
def test_the_real_decision_that_is_not_a_plan_yields_no_tasks_and_says_why():
    """Hải Phòng 212/2025/QĐ-UBND grades civil servants and names PAR INDEX in a scoring table: a document with no
    tasks and no targets, never quarantined, with the reason."""
    path = next(NEGATIVE.glob("*.txt"))
    res, norm = accuracy.read_and_normalise(path)
    assert res.quarantine is None and res.document is not None
    assert (res.document["doc_type"], res.document["n_tasks"], res.document["doc_numbers"]) == (
        "Quyết định",
        0,
        ["212/2025/QĐ-UBND"],
    )
    why = [f["message"] for f in res.findings if f["rule"] == "not_a_plan"]
    assert len(why) == 1 and "issues no plan" in why[0]
    assert norm.targets == [] and norm.tasks == []


# ---------------------------------------------------------------- plans as published (.docx, .pdf, .html)


def test_every_published_format_meets_the_floors(results):
    """Task F1 >= 0.95 per document (test_task_f1_per_document) and lead agencies >= 0.90 per format, on every
    fixture folder's .docx/.pdf/.html/.doc documents (tests/fixtures/dev/published/ when it is there)."""
    published = {f: c for f, c in accuracy.by_format(results).items() if f != "txt"}
    if not published:
        pytest.skip("no fixture in a published format (.docx/.pdf/.html) under tests/fixtures/ yet")
    for fmt, c in published.items():
        lead = accuracy.field_score(c["lead"])
        assert c["task"].f1 >= 0.95 and (lead is None or lead >= 0.90), (fmt, c["task"], lead)


def test_bad_files_are_quarantined_with_their_reason():
    bad = accuracy.bad_files()
    if not bad:
        pytest.skip("no bad_* file under tests/fixtures/ yet")
    assert all(reason for _name, reason in bad), [name for name, reason in bad if not reason]


SYNTHETIC_EXPECTED = """task_ref,task_text_start,indicator_code,subindicator_code,lead,support,timeline,output
1,"Tổ chức bầu cử trưởng thôn, tổ trưởng tổ dân phố dân chủ, công khai",PAPI.D1,,SO_NOI_VU,G_UBND_HUYEN,Năm 2024,
2,"Lấy ý kiến nhân dân về các dự án đầu tư tại xã, phường, thị trấn",PAPI.D1,,G_UBND_HUYEN,SO_KHDT,Thường xuyên,
3,"Niêm yết công khai danh sách hộ nghèo tại nhà văn hóa thôn, tổ dân phố",PAPI.D2,,SO_LDTBXH,G_UBND_HUYEN,Quý II/2024,
4,"Công khai quy hoạch, kế hoạch sử dụng đất và khung giá đất trên cổng",PAPI.D2,,SO_TNMT,SO_TTTT,Quý III/2024,
5,Tổ chức đối thoại giữa người đứng đầu chính quyền với nhân dân,PAPI.D3,,VP_UBND,,Quý IV/2024,
6,"Giải quyết kịp thời đơn thư khiếu nại, tố cáo của công dân, không để tồn đọng",PAPI.D3,,THANH_TRA,SO_TU_PHAP,Thường xuyên,
7,Phấn đấu 100% hồ sơ thủ tục hành chính được giải quyết đúng hạn,PAPI.D5,,SO_NOI_VU,G_SO_BAN_NGANH,Năm 2024,
"""
SYNTHETIC_TARGETS = """quote_contains,comparator,value,unit,indicator_code,target_year
đạt từ 43 điểm trở lên,>=,43,points,PAPI.TOTAL,2024
100% hồ sơ thủ tục hành chính được giải quyết đúng hạn,=,100,percent,PAPI.D5,2024
"""


def test_a_new_fixture_folder_of_published_formats_is_measured_with_no_code_change(tmp_path, monkeypatch):
    """A folder under tests/fixtures/ (here a temporary one) with documents named by id in any plan format, their
    expected rows, and a bad file: found, read through the format adapters, measured per file and per format."""
    import json

    from tests.test_formats import SYNTHETIC
    from tools.bench.formats import blocks as text_blocks
    from tools.bench.formats import write_docx, write_html

    folder = tmp_path / "dev" / "published"
    folder.mkdir(parents=True)
    blocks = text_blocks(SYNTHETIC.read_text(encoding="utf-8"))
    (folder / "x01.docx").write_bytes(write_docx(blocks))
    (folder / "x02.html").write_bytes(write_html(blocks))
    meta = {
        "is_plan": True,
        "doc_type": "Kế hoạch",
        "issuer_level": "province",
        "province_code": "51",
        "doc_number": "45/KH-UBND",
        "issue_date": "2024-03-15",
        "layout": "SYNTHETIC plan, task table",
        "findings": [],
    }
    for stem in ("x01", "x02"):
        (folder / f"{stem}.meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        (folder / f"{stem}.expected.csv").write_text(SYNTHETIC_EXPECTED, encoding="utf-8")
        (folder / f"{stem}.targets.csv").write_text(SYNTHETIC_TARGETS, encoding="utf-8")
    (folder / "bad_01.docx").write_bytes(b"PK\x03\x04 not a zip")
    monkeypatch.setattr(accuracy, "FIXTURES", tmp_path)
    monkeypatch.setattr(accuracy, "REAL", tmp_path / "real")
    assert accuracy.fixture_folders() == [(folder, folder)]
    results = accuracy.run()
    assert [(r.name, r.format) for r in results] == [("x01.docx", "docx"), ("x02.html", "html")]
    for r in results:
        assert r.quarantined is None and (r.n_expected, r.n_extracted) == (7, 7)
        assert (r.counts["task"].tp, r.counts["task"].fp, r.counts["task"].fn) == (7, 0, 0)
        assert (r.counts["lead"].tp, r.counts["lead"].fp, r.counts["lead"].fn) == (7, 0, 0)
        assert (r.counts["support"].tp, r.counts["support"].fn) == (6, 0)
        assert (r.counts["targets"].tp, r.counts["targets"].fn) == (2, 0)
        assert all(str(w) == str(g) for w, g in r.doc_checks.values()), r.doc_checks
    table = accuracy.format_report(results)
    assert "| docx | 1 | 1.00 | 1.00 | 1.00 | 1.00 | 1.00 | 1.00 |" in table
    assert "| html | 1 | 1.00 | 1.00 | 1.00 | 1.00 | 1.00 | 1.00 |" in table
    bad = accuracy.bad_files()
    assert len(bad) == 1 and bad[0][0] == "published/bad_01.docx" and bad[0][1].startswith("corrupt .docx")


def test_the_accuracy_page_is_generated_from_the_first_measurements_and_is_fresh(all_results):
    """docs/accuracy.md is what `make accuracy` writes today: the held-out first figures from the committed JSON,
    then dev and held-out apart. A reading change that moves a figure without regenerating the page fails here."""
    page = (accuracy.PROJECT / "docs" / "accuracy.md").read_text(encoding="utf-8")
    first = accuracy.load_first_measurements()
    assert {"real_plans", "real_document_labels"} <= set(first)
    assert first["real_plans"]["all"]["task_f1"] == 0.3596  # recorded once, before any fix; never recomputed
    assert page == accuracy.render(all_results, accuracy.bad_files(), first)


def test_a_batch_is_measured_first_only_once(tmp_path, monkeypatch):
    monkeypatch.setattr(accuracy, "FIRST_MEASUREMENTS", tmp_path / "first.json")
    (tmp_path / "first.json").write_text('{"b1": {"measured_on": "2026-12-07"}}', encoding="utf-8")
    with pytest.raises(SystemExit, match="already recorded"):
        accuracy.record_first("b1")


def test_a_field_never_read_scores_zero_and_targets_need_every_field():
    assert accuracy.Counts(tp=0, fp=0, fn=5).f1 == 0.0  # never read: 0, not "–"
    assert accuracy.Counts().f1 is None  # nothing to find and nothing found


def _new_batch(all_results, batch):
    rs = [r for r in all_results if r.folder == batch]
    if not rs:  # its documents are real ones, read in place from the shared data
        require_shared("real_documents")
    assert rs, f"{batch}: none of its documents was measured"
    return rs


@pytest.mark.parametrize("batch", sorted(NEW_BATCHES))
def test_new_batches_never_fall_below_their_first_measurement(all_results, batch):
    """The readers may not get worse than they were before any fix on a batch written without reading them."""
    first = accuracy.load_first_measurements()[batch]["files"]
    for r in _new_batch(all_results, batch):
        before = first[r.name]["task_f1"] or 0.0
        assert round(r.counts["task"].f1 or 0.0, 4) >= before, (r.name, r.counts["task"].f1, before)


# Batches that meet issue 23's acceptance today; the others are xfail(strict), so meeting it fails until listed here
ACCEPTANCE_MET = {
    *("layouts3", "real_plans2", "real_plans3", "real_plans4", "real_plans5", "real_plans6", "real_plans7"),
    *("real_plans8", "layouts5", "real_plans", "layouts6", "real_plans9", "layouts7", "layouts8"),
    *("layouts9", "real_plans10", "layouts10", "real_plans14"),
}


@pytest.mark.parametrize(
    "batch",
    [
        b
        if b in ACCEPTANCE_MET
        else pytest.param(
            b,
            marks=pytest.mark.xfail(
                strict=True, reason="issue 23 acceptance, not yet met: see docs/accuracy.md for today's figures"
            ),
        )
        for b in sorted(NEW_BATCHES)
    ],
)
def test_new_batches_meet_the_acceptance(all_results, batch):
    task_floor, lead_floor = NEW_BATCHES[batch]
    for r in _new_batch(all_results, batch):
        if not r.is_plan:  # a letter, a notice, a dispatch: no task at all
            assert r.n_extracted == 0, (r.name, r.n_extracted)
            continue
        assert (r.counts["task"].f1 or 0.0) >= task_floor, (r.name, r.counts["task"].f1)
        if lead_floor is not None:
            assert (accuracy.field_score(r.counts["lead"]) or 0.0) >= lead_floor, r.name


@pytest.mark.needs_shared("real_documents")
def test_labelled_real_documents_give_tasks_only_where_work_is_assigned():
    """The 307 real documents labelled by a helper who never read the readers: every document's type, and tasks
    only from documents that assign work (first measurement: 47 documents that assign none gave 3,922 tasks)."""
    paths = accuracy.label_files("dev")
    m = accuracy.classify_labelled(paths)
    assert m["n_documents"] == 307
    assert m["type_right"] >= 300, m["type_accuracy_by_type"]
    # not one task from a document the labels say assigns no work (web Q&A articles included: no type, number or
    # issuer, so no plan)
    assert m["tasks_from_non_assigning"] == {}, m["tasks_from_non_assigning"]
    # decisions that issue or approve a plan give their tasks (Article 1 read below its 'Điều 1.' line)
    assert {"646f0a00d4174382.md", "86367f2ddb2225cd.md"}.isdisjoint(m["assigning_without_tasks"])


@pytest.mark.needs_shared("real_documents")
def test_issuers_above_the_provinces_are_read_from_the_masthead():
    """Ministries, the Government's office and the General Department's branches issue a third of the real scrape.
    Their masthead (wrapped by the scrape: '**BỘ KHOA HỌC VÀ **' / 'CÔNG NGHỆ') names the issuer; a branch under its
    department is the lowest unit, placed in its province. Checked against the labels' issuer column."""
    import csv

    from pipelines.sources.plans.decode import decode_document
    from pipelines.sources.plans.metadata import extract_metadata

    real = SHARED / "real_documents"

    def meta(name: str):
        return extract_metadata(decode_document((real / name).read_bytes()).text)[0]

    m = meta("046d4a5b8d446144.md")
    assert (m.issuer_name, m.issuer_level, m.province_code) == ("BỘ KHOA HỌC VÀ CÔNG NGHỆ", "central", None)
    m = meta("05729ab54fc07c39.md")
    assert (m.issuer_name, m.issuer_level) == ("VĂN PHÒNG CHÍNH PHỦ", "central")
    m = meta("de1ea1a30ca1e0bc.md")  # "CỤC THUẾ" over "THUẾ TỈNH VĨNH LONG": the province's tax office
    assert (m.issuer_name, m.issuer_level, m.province_code) == ("THUẾ TỈNH VĨNH LONG", "province", "86")
    m = meta("826ed569ec2ddaa1.md")  # the Government's office writes about a province: the masthead is the issuer
    assert (m.issuer_name, m.issuer_level, m.province_code) == ("VĂN PHÒNG CHÍNH PHỦ", "central", None)
    m = meta("1662311553c66bda.md")  # a Standing Committee resolution on a province's communes
    assert (m.issuer_name, m.issuer_level, m.province_code) == ("ỦY BAN THƯỜNG VỤ QUỐC HỘI", "national", None)
    central = unknown = 0
    above = re.compile(r"(?i)(thủ tướng|chính phủ|quốc hội|(ủy|uỷ) ban thường vụ|bộ |văn phòng chính phủ|cục )")
    for path in accuracy.label_files("dev"):
        for row in csv.DictReader(path.open(encoding="utf-8")):
            got = meta(row["file"])
            if above.match(row["issuer"]) and not re.search(r"(?i)tỉnh|thành phố", row["issuer"]):
                # above the provinces, or not known where the scrape lost both masthead and number; never a province
                assert got.issuer_level in ("national", "central", None), (row["file"], row["issuer"], got)
                unknown += got.issuer_level is None
            if got.issuer_level in ("national", "central"):
                central += 1
                # the Government and the Prime Minister are national; a ministry and the Government's office central
                national = (
                    re.match(r"(?i)(thủ tướng|chính phủ|quốc hội|(ủy|uỷ) ban thường vụ quốc hội)", row["issuer"])
                    is not None
                )
                assert got.issuer_level == ("national" if national else "central"), (row["file"], got)
                # the same body as the label names (its first word: Bộ, Cục, Văn phòng, Thủ tướng, Chính phủ …)
                assert got.issuer_name.split()[0].lower() == row["issuer"].split()[0].lower(), (row["file"], got)
    assert central >= 70 and unknown <= 1
