"""The whole graph, with every check, over raw/ (+ ../shared/data) plus a root of hostile files: it publishes,
and every raw file is a document or a quarantine row with its reason (issue 18, acceptance)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from tests.conftest import HANOI_PAPI, HCMC_PAR, NO_WORK, QUANG_NGAI, SHARED, build_in_subprocess


def _hostile(root: Path) -> int:
    plans, scores = root / "plans", root / "scores"
    plans.mkdir(parents=True)
    scores.mkdir()
    os.symlink("b.txt", plans / "a.txt")
    os.symlink("a.txt", plans / "b.txt")
    os.symlink("missing.txt", plans / "dangling.txt")
    os.mkfifo(plans / "fifo.txt")
    os.symlink(root, plans / "dir_link")
    with open(os.path.join(os.fsencode(plans), b"t\xeanh.txt"), "wb") as fh:
        fh.write(QUANG_NGAI.read_bytes())
    (plans / "huge.txt").write_bytes(b"a" * 1_000_001)
    (plans / "empty.txt").write_bytes(b"")
    (plans / "binary.txt").write_bytes(bytes(range(256)) * 10)
    data = HCMC_PAR.read_bytes()
    cut = int(len(data) * 0.8)
    while data[cut] < 0xC0:
        cut += 1
    (plans / "cut_in_char.txt").write_bytes(data[: cut + 1])
    text = HANOI_PAPI.read_bytes().decode("utf-8-sig")
    (plans / "doubled.txt").write_text("\n".join(x for ln in text.split("\n") for x in (ln, ln)), encoding="utf-8")
    qn = QUANG_NGAI.read_bytes().decode("utf-8-sig")
    i = qn.index("cải cách", len(qn) // 2)
    (plans / "near_dup.txt").write_text(qn[:i] + "Cải cách" + qn[i + 8 :], encoding="utf-8")
    shutil.copy(QUANG_NGAI, plans / "exact_copy.txt")
    (plans / "name\nwith a newline.txt").write_bytes(HCMC_PAR.read_bytes())  # a copy of a raw/ plan
    (plans / ".~lock.plan.txt#").write_text(",admin,host,24.11.2026 10:00,file:///C:/Users/admin;", encoding="utf-8")
    (plans / "page.html").write_text(
        "<html><body><h1>Trang chủ</h1><p>Đăng nhập để tiếp tục.</p></body></html>" * 5, encoding="utf-8"
    )
    (plans / "utf16_cut.txt").write_bytes(text.encode("utf-16")[:-1])  # the Hà Nội plan, one byte short
    (plans / "bom_only.txt").write_bytes(b"\xef\xbb\xbf")
    (plans / "nul_inside.txt").write_bytes(data[:500] + b"\x00" * 40 + data[500:])
    (plans / "deep" / "er" / "and" / "deeper").mkdir(parents=True)
    shutil.copy(QUANG_NGAI, plans / "deep" / "er" / "and" / "deeper" / "qn.txt")
    (plans / "zero_width.txt").write_text("\u200b\u200c\ufeff" * 100, encoding="utf-8")
    (plans / "latin1.txt").write_bytes(
        ("Le plan d'action régional pour améliorer l'indice, année 2020. " * 60).encode("latin-1")
    )
    os.mkfifo(scores / "fifo.csv")
    os.symlink("loop.csv", scores / "loop.csv")
    os.symlink("gone.csv", scores / "dangling.csv")
    (scores / "huge.csv").write_bytes(b"year,province_code,indicator_code,score\n" + b"2020,01,PAR.TOTAL,80\n" * 60_000)
    with open(os.path.join(os.fsencode(scores), b"b\xe1o_c\xe1o.csv"), "wb") as fh:
        fh.write(b"year,province_code,indicator_code,score\n2020,01,PAR.TOTAL,80\n")
    # a ward's plan whose header names no province (a 2025 ward, the province line lost): it loads, its bodies keyed
    # UNRESOLVED, and blocks nothing
    (plans / "ward_no_province.txt").write_text(WARD_PLAN, encoding="utf-8")
    (scores / "par_1999.csv").write_text(
        "year,province_code,indicator_code,score\n1999,79,PAR.TOTAL,70.1\n", encoding="utf-8"
    )
    (scores / "par_over.csv").write_text(
        "year,province_code,indicator_code,score\n2019,01,PAR.TOTAL,101.2\n", encoding="utf-8"
    )
    return 23  # plan files (and 7 score files: 30 hostile files)


WARD_PLAN = """ỦY BAN NHÂN DÂN
PHƯỜNG AN KHÁNH

Số: 07/KH-UBND

An Khánh, ngày 20 tháng 01 năm 2026

KẾ HOẠCH
Nâng cao Chỉ số hiệu quả quản trị và hành chính công (PAPI) năm 2026

I. NHIỆM VỤ, GIẢI PHÁP

1. Công khai, minh bạch

a) Niêm yết công khai danh sách hộ nghèo tại nhà văn hóa các khu phố.
- Cơ quan chủ trì: Phòng Văn hóa - Xã hội
- Cơ quan phối hợp: Ủy ban Mặt trận Tổ quốc Việt Nam phường
- Thời gian thực hiện: Quý I/2026

b) Công khai dự toán, quyết toán ngân sách phường tại trụ sở và trên loa truyền thanh.
- Cơ quan chủ trì: Phòng Kinh tế
- Thời gian thực hiện: Quý II/2026
"""


def test_a_run_over_hostile_files_publishes_and_accounts_for_every_file(tmp_path):
    root = tmp_path / "hostile"
    n_hostile = _hostile(root)
    extra = os.pathsep.join([str(SHARED), str(root)] if SHARED.is_dir() else [str(root)])
    wh = tmp_path / "wh"
    build_in_subprocess(wh, GOVDATA_RAW_EXTRA=extra, GOVDATA_MAX_FILE_BYTES="1000000")
    label = "extra2" if SHARED.is_dir() else "extra1"
    con = duckdb.connect(str(wh / "governance.duckdb"), read_only=True)
    try:
        docs = dict(
            con.execute("SELECT source_path, document_id FROM dim_document WHERE raw_root = ?", [label]).fetchall()
        )
        quarantined = dict(
            con.execute(
                "SELECT source_path, reason FROM quarantine WHERE raw_root = ? AND source_path LIKE 'plans/%'", [label]
            ).fetchall()
        )
        assert len(docs) + len(quarantined) == n_hostile and not set(docs) & set(quarantined)
        assert set(docs) == {
            "plans/cut_in_char.txt",
            "plans/doubled.txt",
            "plans/near_dup.txt",
            "plans/utf16_cut.txt",
            "plans/ward_no_province.txt",
            # texts that decode and assign no work: documents with 0 tasks and the reason, not quarantines
            "plans/.~lock.plan.txt#",
            "plans/page.html",
            "plans/latin1.txt",
        }
        for path in ("plans/.~lock.plan.txt#", "plans/page.html", "plans/latin1.txt"):
            n, reason = con.execute(
                "SELECT n_tasks, no_task_reason FROM dim_document WHERE document_id = ?", [docs[path]]
            ).fetchall()[0]
            assert n == 0 and reason.startswith(NO_WORK), (path, n, reason)
        # the ward's plan: loaded, no province, its bodies UNRESOLVED, a finding says so; nothing else blocked
        ward = docs["plans/ward_no_province.txt"]
        assert con.execute(
            "SELECT province_key, n_tasks FROM dim_document WHERE document_id = ?", [ward]
        ).fetchall() == [(None, 2)]
        assert {
            r[0]
            for r in con.execute(
                "SELECT b.agency_id FROM bridge_task_agency b JOIN fct_plan_task t "
                "USING (task_id) WHERE t.document_id = ?",
                [ward],
            ).fetchall()
        } == {"UNRESOLVED:PHONG_VH_XH", "UNRESOLVED:MTTQ", "UNRESOLVED:PHONG_KINH_TE"}
        assert (
            con.execute(
                "SELECT count(*) FROM dq_finding WHERE document_id = ? AND rule = 'province_unresolved'", [ward]
            ).fetchall()[0][0]
            >= 1
        )
        assert all(len(reason) > 10 for reason in quarantined.values())
        for path, words in {
            "plans/a.txt": "link loop",
            "plans/dangling.txt": "dangling",
            "plans/fifo.txt": "FIFO",
            "plans/dir_link": "folder",
            "plans/t\\xeanh.txt": "not valid UTF-8",
            "plans/huge.txt": "size limit",
            "plans/empty.txt": "empty",
            "plans/binary.txt": "binary",
            "plans/exact_copy.txt": "duplicate of",
        }.items():
            assert words in quarantined[path], (path, quarantined[path])
        rules = {
            (p, rule)
            for p, rule in con.execute(
                "SELECT d.source_path, f.rule FROM dq_finding f JOIN dim_document d USING (document_id) "
                "WHERE d.raw_root = ?",
                [label],
            ).fetchall()
        }
        assert {("plans/cut_in_char.txt", "truncated"), ("plans/doubled.txt", "doubled_lines")} <= rules
        nd = con.execute("SELECT document_id, related_id FROM dq_finding WHERE rule = 'near_duplicate_of'").fetchall()
        # the Quảng Ngãi plan with one word changed, the doubled and the cut UTF-16 copies of the Hà Nội plan: same
        # dates, as many distinct lines (a line with a cut character is not counted), so raw/'s copy is kept
        assert sorted(nd) == sorted(
            [
                ("72dca83ca7d9a3ab", "b4b9dfe0cf6bfabe"),
                ("84dba92a4d49014d", "14f81197b396b4ee"),
                ("c85781f2ba03356d", "14f81197b396b4ee"),
                ("c85781f2ba03356d", "84dba92a4d49014d"),
            ]
        )
        # each plan counted once: the five real plans, the damaged one cut inside a character, the ward's plan
        # and the three documents without tasks, each with its one coverage row of 0 tasks
        assert con.execute(
            "SELECT count(DISTINCT document_id) FILTER (WHERE n_tasks > 0), "
            "count(DISTINCT document_id) FILTER (WHERE no_task_reason IS NOT NULL) FROM mart_plan_coverage"
        ).fetchall()[0] == (7, 3)
        score_q = dict(
            con.execute(
                "SELECT source_path, reason FROM quarantine WHERE raw_root = ? AND source_path LIKE 'scores/%'", [label]
            ).fetchall()
        )
        assert "FIFO" in score_q["scores/fifo.csv"] and "loop" in score_q["scores/loop.csv"]
        assert "dangling" in score_q["scores/dangling.csv"] and "size limit" in score_q["scores/huge.csv"]
        assert "not valid UTF-8" in score_q["scores/b\\xe1o_c\\xe1o.csv"]
        # bad score rows: quarantined with their reason, and the run published (the real scores with them)
        assert "1999" in score_q["scores/par_1999.csv"] and "101.2" in score_q["scores/par_over.csv"]
    finally:
        con.close()
