"""Decoding, quarantine and metadata on the real plans."""

from __future__ import annotations

import datetime as dt
import shutil
import unicodedata

import polars as pl
import pytest

from pipelines.sources.plans.decode import decode_document
from pipelines.sources.plans.ingest import discover, process_document, raw_roots
from pipelines.sources.plans.metadata import extract_metadata
from pipelines.sources.plans.plan import parse_plan
from tests.conftest import HANOI_PAPI, HCMC_PAPI, HCMC_PAR, NO_WORK, PLANS, QUANG_NGAI, stage_files


def _to_cp1258(text: str) -> bytes:
    """Windows-1258 writes some tone marks as combining characters: encode char by char."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            marks = list(d[1:])
            base = d[0]
            for m in marks:  # fold the mark cp1258 has a precomposed letter for (â, ê, ô, ơ, ư, ă)
                comp = unicodedata.normalize("NFC", d[0] + m)
                if len(comp) == 1 and comp.encode("cp1258", errors="ignore"):
                    base, marks = comp, [x for x in marks if x != m]
                    break
            out += base.encode("cp1258") + "".join(marks).encode("cp1258")
    return bytes(out)


def _tasks(data: bytes):
    return [t.as_dict() for t in parse_plan(decode_document(data).text).tasks]


@pytest.mark.parametrize("path", [HCMC_PAR, HANOI_PAPI, QUANG_NGAI])
def test_same_plan_in_other_encodings_gives_identical_tasks(path):
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    expected = _tasks(raw)
    variants = {
        "utf-16-le": b"\xff\xfe" + text.encode("utf-16-le"),
        "utf-16-be": b"\xfe\xff" + text.encode("utf-16-be"),
        "cp1258": _to_cp1258(text),
        "utf-8-sig": b"\xef\xbb\xbf" + text.encode("utf-8"),
    }
    for name, data in variants.items():
        assert decode_document(data).encoding == name
        assert _tasks(data) == expected, name
    nfd = unicodedata.normalize("NFD", text).replace("\n", "\r\n").encode("utf-8")
    assert _tasks(nfd) == expected
    assert decode_document(nfd).text == decode_document(raw).text


def test_bad_files_are_quarantined_and_the_rest_loads(tmp_path):
    root = tmp_path / "root"
    (root / "plans" / "deep" / "er").mkdir(parents=True)
    for p in PLANS.glob("*.txt"):
        shutil.copy(p, root / "plans" / "deep" / "er" / p.name)
    (root / "plans" / "empty.txt").write_bytes(b"")
    (root / "plans" / "scan.pdf").write_bytes(b"%PDF-1.4\x00\x01\x02" + bytes(range(256)) * 4)
    (root / "plans" / "memo.txt").write_text(
        "Kính gửi các sở, ngành.\nĐề nghị báo cáo kết quả trước ngày 15/12.\n" * 3, encoding="utf-8"
    )
    (root / "plans" / "zz_copy_of_000.txt").write_bytes(HCMC_PAPI.read_bytes().decode().encode("utf-16"))
    files = discover("plans", [root])
    report, _, staged, _ = stage_files(files, tmp_path)
    assert report.files_seen == 9
    assert staged.documents.height + staged.quarantine.height == 9
    assert sorted(staged.documents["source_path"].to_list()) == sorted(
        [f"plans/deep/er/{p.name}" for p in PLANS.glob("*.txt")] + ["plans/memo.txt"]
    )
    reasons = dict(zip(staged.quarantine["source_path"], staged.quarantine["reason"]))
    assert reasons["plans/empty.txt"].startswith("empty file")
    assert reasons["plans/scan.pdf"].startswith("corrupt PDF")  # a .pdf is read as a PDF now (tests/test_formats.py)
    # a text in which nothing assigns work is a document with 0 tasks and the reason, not a quarantine
    assert "plans/memo.txt" not in reasons
    memo = staged.documents.filter(pl.col("source_path") == "plans/memo.txt").row(0, named=True)
    assert memo["n_tasks"] == 0 and memo["no_task_reason"].startswith(NO_WORK)
    assert (
        reasons["plans/zz_copy_of_000.txt"]
        == "duplicate of plans/deep/er/000_fc9f8ecdecbcee10.txt (same normalised text)"
    )
    assert staged.tasks.height == 50 + 67 + 85 + 51 + 71


def test_raw_roots_include_extra_folders(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVDATA_RAW_EXTRA", str(tmp_path))
    roots = raw_roots()
    assert roots[0].name == "raw" and roots[1] == tmp_path and len(roots) == 2


@pytest.mark.parametrize(
    "path,expected",
    [
        (
            HCMC_PAPI,
            dict(
                issuer_name="Ủy ban nhân dân Thành phố Hồ Chí Minh",
                issuer_level="province",
                province_code="79",
                doc_type="Quyết định",
                doc_numbers=["3897/QĐ-UBND"],
                issue_date=dt.date(2018, 9, 10),
                signer="Trần Vĩnh Tuyền",
                plan_year_start=2018,
                plan_year_end=2019,
                indices=["PAPI"],
            ),
        ),
        (
            QUANG_NGAI,
            dict(
                issuer_name="Ủy ban nhân dân Tỉnh Quảng Ngãi",
                issuer_level="province",
                province_code="51",
                doc_type="Quyết định",
                doc_numbers=["881/QĐ-UBND"],
                issue_date=dt.date(2017, 5, 12),
                signer="Trần Ngọc Căng",
                plan_year_start=2017,
                plan_year_end=None,
                indices=["PAPI", "PAR_INDEX"],
            ),
        ),
        (
            HCMC_PAR,
            dict(
                issuer_name="Ủy ban nhân dân Thành phố Hồ Chí Minh",
                issuer_level="province",
                province_code="79",
                doc_type="Quyết định",
                doc_numbers=["552/QĐ-UBND"],
                issue_date=dt.date(2020, 2, 18),
                signer="Trần Vĩnh Tuyến",
                plan_year_start=2020,
                plan_year_end=2020,
                indices=["PAR_INDEX"],
            ),
        ),
        (
            HANOI_PAPI,
            dict(
                issuer_name="Ủy ban nhân dân Thành phố Hà Nội",
                issuer_level="province",
                province_code="01",
                doc_type="Kế hoạch",
                doc_numbers=["24/KH-UBND"],
                issue_date=dt.date(2021, 1, 22),
                signer=None,
                plan_year_start=2021,
                plan_year_end=2021,
                indices=["PAPI"],
            ),
        ),
    ],
)
def test_document_metadata(path, expected):
    meta, _ = extract_metadata(decode_document(path.read_bytes()).text)
    got = meta.as_dict()
    assert {k: got[k] for k in expected} == expected


def test_findings_seen_by_a_careful_reader():
    def findings(path):
        r = process_document(next(f for f in discover("plans") if f.path.name == path.name))
        return r.findings

    qn = findings(QUANG_NGAI)
    conflict = [f for f in qn if f["rule"] == "date_conflict"]
    assert len(conflict) == 1 and "2017-05-12" in conflict[0]["message"] and "2017-12-12" in conflict[0]["message"]
    assert (conflict[0]["line_start"], conflict[0]["line_end"]) == (11, 70)
    dups = sorted((f["line_start"], f["message"]) for f in qn if f["rule"] == "numbering_duplicate")
    assert [d[0] for d in dups] == [174, 268]  # "d)" used twice in the PAR list and in the PAPI list
    par = findings(HCMC_PAR)
    rep = [f for f in par if f["rule"] == "repeated_block"]
    assert [(f["line_start"], f["line_end"]) for f in rep] == [(44, 78)]
    lost = sorted(f["line_start"] for f in par if f["rule"] == "heading_missing")
    assert lost == [119, 134, 146, 172]  # headings 2, 4, 6 lost; section III heading lost before "1. Kinh phí"
    assert any(f["rule"] == "narrative_superseded_by_table" for f in par)
    assert [f for f in findings(HCMC_PAPI) if f["severity"] != "info"] == []


def test_par_index_tidy_csv_layout(tmp_path):
    """SYNTHETIC robustness input: the documented tidy PAR layout, with one bad row of each kind."""
    from pipelines.sources.plans.ingest import RawFile
    from pipelines.sources.scores.scores import load_score_file

    d = tmp_path / "scores"
    d.mkdir()
    (d / "par_2019_synthetic.csv").write_text(
        "year,province_code,indicator_code,score,rank\n"
        "2019,79,PAR.TOTAL,85.5,5\n"
        "2019,1,PAR.DIRECTION,9.25,\n"
        "2019,79,PAR.TOTAL,80.0,7\n"
        "2019,99,PAR.TOTAL,70.0,\n"
        "2019,48,PAR.TOTAL,abc,\n"
        "2019,48,PAR.UNKNOWN,50,\n",
        encoding="utf-8",
    )
    layout, res = load_score_file(RawFile(tmp_path, d / "par_2019_synthetic.csv"))
    assert layout == "par_tidy"
    assert [(r["province_key"], r["indicator_code"], r["score"], r["level"]) for r in res.scores] == [
        ("2004-79", "PAR.TOTAL", 85.5, "total"),
        ("2004-01", "PAR.DIRECTION", 9.25, "area"),
    ]
    assert [q["reason"] for q in res.quarantine] == [
        "duplicate province-year-indicator (first at line 2)",
        "unknown province code '99'",
        "PAR.TOTAL: non-numeric value 'abc'",
        "unknown PAR indicator 'PAR.UNKNOWN'",
    ]
