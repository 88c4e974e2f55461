"""Damaged plan texts are recognised (issue 18.5): cut inside a UTF-8 character, cut mid-word, cut inside a table
row, every line doubled. The four real plans get none of these findings."""

from __future__ import annotations

import pytest

from pipelines.sources.plans.ingest import RawFile, process_document
from tests.conftest import HANOI_PAPI, HCMC_PAPI, HCMC_PAR, PLANS, QUANG_NGAI

REAL = [HCMC_PAPI, QUANG_NGAI, HCMC_PAR, HANOI_PAPI]


def _run(path, data=None):
    return process_document(RawFile(PLANS.parent, path), data)


def _rules(r, *rules):
    return [f for f in r.findings if f["rule"] in rules]


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name[:3])
def test_real_plans_are_not_called_damaged(path):
    r = _run(path)
    assert r.document is not None and not _rules(r, "truncated", "doubled_lines")


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name[:3])
def test_a_file_cut_inside_a_character_is_read_with_a_truncated_finding(path):
    data = path.read_bytes()
    cut = int(len(data) * 0.7)
    while data[cut] < 0xC0:  # the lead byte of a multi-byte character
        cut += 1
    r = _run(path, data[: cut + 1])
    assert r.quarantine is None, r.quarantine
    (f,) = _rules(r, "truncated")
    assert "ends inside a character" in f["message"]


@pytest.mark.parametrize("bom", [True, False])
def test_a_utf16_file_cut_off_is_read_with_a_truncated_finding(bom):
    """An odd number of bytes, or half a surrogate pair, at the end: no crash, the text read, a truncated finding."""
    text = HCMC_PAPI.read_bytes().decode("utf-8-sig")
    data = text.encode("utf-16") if bom else text.encode("utf-16-le")
    for cut in (data[:-1], data[: len(data) // 2 * 2 - 3], (data + "😀".encode("utf-16-le"))[:-2]):
        r = _run(HCMC_PAPI, cut)
        assert r.quarantine is None and len(_rules(r, "truncated")) == 1, r.quarantine
    bad = data[:2000] + b"\x00\xdc" + data[2000:]  # a lone low surrogate inside: not a cut, not text
    if bom:
        r = _run(HCMC_PAPI, bad)
        assert r.document is None and "invalid utf-16-le" in r.quarantine["reason"]


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name[:3])
def test_a_file_cut_mid_word_gets_a_truncated_finding(path):
    text = path.read_bytes().decode("utf-8-sig")
    k = int(len(text) * 0.6)
    while not (text[k - 2 : k + 1].isalpha() and text[k - 2 : k + 1].isascii()):
        k += 1
    r = _run(path, text[:k].encode())
    (f,) = _rules(r, "truncated")
    assert "mid-word" in f["message"]


def test_the_issue_case_a_table_cut_mid_task():
    """ "…Tăng cườn": the last task of a pipe table cut off mid-syllable."""
    text = HCMC_PAR.read_bytes().decode("utf-8-sig")
    k = text.index("Tăng cường", len(text) // 2) + len("Tăng cườn")
    r = _run(HCMC_PAR, text[:k].encode())
    assert r.document is not None and len(_rules(r, "truncated")) == 1


def test_a_table_cut_at_a_word_boundary_inside_a_row():
    lines = HCMC_PAR.read_bytes().decode("utf-8-sig").split("\n")
    # a long cell after three closed cells, cut after its sixth word (at a word boundary, before its " |")
    i = next(
        i
        for i in range(len(lines) // 2, len(lines))
        if all(lines[j].rstrip().endswith("|") for j in (i - 3, i - 2, i - 1, i)) and len(lines[i].split()) > 10
    )
    cut = "\n".join(lines[:i] + [" ".join(lines[i].split()[:6])])
    r = _run(HCMC_PAR, cut.encode())
    (f,) = _rules(r, "truncated")
    assert "inside a table row" in f["message"]


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name[:3])
def test_every_line_doubled_is_read_once_with_a_finding(path):
    text = path.read_bytes().decode("utf-8-sig")
    doubled = "\n".join(x for ln in text.split("\n") for x in (ln, ln))
    once, twice = _run(path), _run(path, doubled.encode())
    assert [t["task_text"] for t in twice.tasks] == [t["task_text"] for t in once.tasks]
    (f,) = _rules(twice, "doubled_lines")
    assert "appear twice in a row" in f["message"]
    assert sorted(x["rule"] for x in once.findings) == sorted(
        x["rule"] for x in twice.findings if x["rule"] != "doubled_lines"
    )


def test_a_near_duplicate_is_reported_with_the_other_document(tmp_path):
    """One character changed and a line added: 99 % of the lines are equal. The longer (same issue date) counts;
    the other gets near_duplicate_of naming it. The real plans are no near-duplicates of each other."""
    import shutil

    from pipelines.sources.plans.ingest import discover
    from tests.conftest import stage_files

    root = tmp_path / "root"
    (root / "plans").mkdir(parents=True)
    for p in REAL:
        shutil.copy(p, root / "plans" / p.name)
    text = HCMC_PAPI.read_bytes().decode("utf-8-sig")
    i = text.index("cải cách", len(text) // 2)
    edited = text[:i] + "Cải cách" + text[i + len("cải cách") :] + "\nNơi nhận: như trên.\n"
    (root / "plans" / "zz_edited.txt").write_text(edited, encoding="utf-8")
    _, _, staged, _ = stage_files(discover("plans", [root]), tmp_path)
    assert staged.documents.height == 5 and staged.quarantine.height == 0
    nd = staged.findings.filter(staged.findings["rule"] == "near_duplicate_of")
    assert nd.height == 1
    row = nd.row(0, named=True)
    assert row["source_path"] == f"plans/{HCMC_PAPI.name}"
    kept = staged.documents.filter(staged.documents["source_path"] == "plans/zz_edited.txt")["document_id"].item()
    assert (
        row["related_id"] == kept
        and "plans/zz_edited.txt" in row["message"]
        and "% of its distinct lines" in row["message"]
    )


def test_the_marts_count_a_near_duplicate_plan_once(built, tmp_path):
    """On a copy of the build: a near_duplicate_of finding on the HCMC PAR plan takes it out of the three plan
    marts, and the marts' expectations (computed the same way) still hold."""
    import shutil

    import duckdb

    from pipelines.quality.expectations import expected_facts
    from pipelines.settings import Settings
    from pipelines.warehouse.sql_models import load_models, run_model

    BUILD_DB = Settings.from_env().build_db

    copy = tmp_path / "build.duckdb"
    shutil.copy(BUILD_DB, copy)
    con = duckdb.connect(str(copy))
    try:
        con.execute("""INSERT INTO stg_findings (rule, severity, document_id, source_path, message, related_table,
                       related_id) VALUES ('near_duplicate_of', 'warning', 'b87cb0caa1fc84d8', 'plans/x.txt',
                       'Near-duplicate of document fb5d00c12cc86914 (plans/y.txt)', 'dim_document',
                       'fb5d00c12cc86914')""").fetchall()
        models = {m.name: m for m in load_models()}
        for name in ("dq_finding", "mart_plan_coverage", "mart_agency_workload", "mart_target_vs_actual"):
            run_model(con, models[name])
        assert con.execute(
            "SELECT count(*) FROM mart_plan_coverage WHERE document_id = 'b87cb0caa1fc84d8'"
        ).fetchall() == [(0,)]
        n_tasks = con.execute("SELECT sum(n_tasks) FROM mart_plan_coverage").fetchall()[0][0]
        assert n_tasks == 324 - 85 == expected_facts(con, "mart_plan_coverage")["n_tasks"]
        assert (
            con.execute("SELECT sum(n_tasks) FROM mart_agency_workload").fetchall()[0][0]
            == expected_facts(con, "mart_agency_workload")["n_task_mentions"]
        )
        assert (
            con.execute("SELECT count(*) FROM mart_target_vs_actual").fetchall()[0][0]
            == expected_facts(con, "mart_target_vs_actual")["row_count"]
        )
    finally:
        con.close()


def test_the_newer_near_duplicate_is_counted_even_when_shorter(tmp_path):
    import shutil

    from pipelines.sources.plans.ingest import discover
    from tests.conftest import stage_files

    root = tmp_path / "root"
    (root / "plans").mkdir(parents=True)
    text = QUANG_NGAI.read_bytes().decode("utf-8-sig")
    (root / "plans" / "older_longer.txt").write_text(text + "\nBản lưu.\n", encoding="utf-8")
    newer = text.replace("Quảng Ngãi, ngày 12 tháng 5 năm 2017", "Quảng Ngãi, ngày 19 tháng 5 năm 2017")
    (root / "plans" / "newer.txt").write_text(newer, encoding="utf-8")
    shutil.copy(HCMC_PAPI, root / "plans" / "other.txt")
    _, _, staged, _ = stage_files(discover("plans", [root]), tmp_path)
    nd = staged.findings.filter(staged.findings["rule"] == "near_duplicate_of")
    assert nd["source_path"].to_list() == ["plans/older_longer.txt"]
    assert "plans/newer.txt" in nd["message"].item()


def test_a_long_sentence_cut_at_a_word_boundary_gets_a_truncated_warning():
    lines = QUANG_NGAI.read_bytes().decode("utf-8-sig").split("\n")
    i = next(i for i in range(len(lines) // 2, len(lines)) if len(lines[i].split()) > 30)
    cut = "\n".join(lines[:i] + [" ".join(lines[i].split()[:25])])
    r = _run(QUANG_NGAI, cut.encode())
    (f,) = _rules(r, "truncated")
    assert "mid-sentence" in f["message"] and f["severity"] == "warning"


def test_near_duplicates_in_an_archive_of_look_alike_plans_stay_within_the_writer_memory(tmp_path):
    """SYNTHETIC line hashes (generated here): 4,000 documents from 4 templates, so each template line is held by
    1,000 documents, plus 10 lines of their own; every 500th document reuses the own lines of the document 4 after it
    (same template), so it is a 94 % near-duplicate of that one. Under a 150 MB memory limit the 8 planted pairs and no
    other are found: pairing the template lines of all documents (4 million pairs per line) would run out of memory."""
    import duckdb

    from pipelines.staging.incremental import DOC_LINES, mark_near_duplicates

    con = duckdb.connect(str(tmp_path / "nd.duckdb"), config={"memory_limit": "150MB", "threads": "2"})
    con.execute(f"""CREATE TABLE "{DOC_LINES}" AS
        SELECT 'd' || lpad(i::VARCHAR, 5, '0') AS document_id, 'plans/' || i || '.txt' AS source_path,
               CASE WHEN j < 140 THEN hash('template', i % 4, j)
                    WHEN i % 500 = 0 THEN hash('own', i + 4, j) ELSE hash('own', i, j) END AS line_hash
        FROM range(4000) d(i), range(150) r(j)""")
    con.execute(f"""CREATE TABLE stg_documents AS SELECT DISTINCT document_id, source_path, 'raw' AS raw_root,
                    NULL::DATE AS issue_date FROM "{DOC_LINES}" """)
    con.execute("""CREATE TABLE stg_findings (rule VARCHAR, severity VARCHAR, document_id VARCHAR, source_path VARCHAR,
                   line_start INT, line_end INT, message VARCHAR, related_table VARCHAR, related_id VARCHAR)""")
    assert mark_near_duplicates(con) == 8
    pairs = sorted(con.execute("SELECT document_id, related_id FROM stg_findings").fetchall())
    # equal length and date: the one first in discovery order (by path, as text) is kept
    expect = sorted(
        tuple(sorted([f"d{i:05d}", f"d{i + 4:05d}"], key=lambda d: f"plans/{int(d[1:])}.txt", reverse=True))
        for i in range(0, 4000, 500)
    )
    assert pairs == expect
