"""The 307 real documents of a portal scrape (../shared/data/real_documents, read in place) go through the whole
build with the shared scores and publish: every file ends as a document with its type (and the reason when it gives
no task) or as a quarantine row, and tasks come only from documents that assign work (issue 23)."""

from __future__ import annotations

import csv
import os
import shutil

import duckdb
import pytest

from tests.conftest import SHARED, build_in_subprocess
from tools.accuracy import label_files

REAL = SHARED / "real_documents"


@pytest.mark.needs_shared("real_documents")
def test_a_portal_scrape_of_real_documents_publishes_with_every_file_accounted_for(tmp_path):
    root = tmp_path / "scrape"
    (root / "plans").mkdir(parents=True)
    files = sorted(p for p in REAL.glob("*.md") if p.name != "README.md")
    for p in files:  # the copy is the test's own: the shared folder is read-only
        shutil.copy(p, root / "plans" / p.name)
    wh = tmp_path / "wh"
    build_in_subprocess(wh, timeout=1800, GOVDATA_RAW_EXTRA=os.pathsep.join([str(SHARED), str(root)]))
    con = duckdb.connect(str(wh / "governance.duckdb"), read_only=True)
    try:
        docs = {
            row[0]: row[1:]
            for row in con.execute(
                "SELECT source_path, doc_type, n_tasks, no_task_reason FROM dim_document WHERE raw_root = 'extra2'"
            ).fetchall()
        }
        quarantined = dict(
            con.execute("SELECT source_path, reason FROM quarantine WHERE raw_root = 'extra2'").fetchall()
        )
        assert len(files) == 307 and len(docs) + len(quarantined) == len(files)
        # a document without tasks says why, and has its row in the coverage mart (0 tasks, not an absence)
        assert all(reason for _t, n, reason in docs.values() if n == 0)
        no_task_docs = {p for p, (_t, n, _r) in docs.items() if n == 0}
        covered = {
            row[0]
            for row in con.execute(
                "SELECT d.source_path FROM mart_plan_coverage m JOIN dim_document d USING (document_id) "
                "WHERE d.raw_root = 'extra2' AND m.n_tasks = 0"
            ).fetchall()
        }
        near_dups = {
            row[0]
            for row in con.execute(
                "SELECT source_path FROM dq_finding WHERE rule = 'near_duplicate_of' AND source_path IS NOT NULL"
            ).fetchall()
        }
        assert no_task_docs - near_dups <= covered
        # the labels (written without reading the readers): the README's six plans give tasks, letters none
        labels = {row["file"]: row for p in label_files("dev") for row in csv.DictReader(open(p, encoding="utf-8"))}
        for name in ("001c610b2efdcf0c", "192068354fd1ffe5", "0a97eb9c3c536047", "5d99697f14bcf68a",
                     "24c7124ec6b2bf61", "f069c23c942c1ec6"):  # fmt: skip
            assert docs[f"plans/{name}.md"][1] > 0, name
        letters = [p for p, (t, _n, _r) in docs.items() if labels[p.split("/")[1]]["doc_type"] == "Công văn"]
        assert len(letters) == 47 and all(docs[p][1] == 0 for p in letters)  # 24 + 23 in the two label files
        assert all(docs[p][0] == "Công văn" for p in letters)
    finally:
        con.close()
