"""Damaged plan texts are recognised (issue 18.5): cut inside a UTF-8 character, cut mid-word, cut inside a table
row, every line doubled. The four real plans get none of these findings."""
from __future__ import annotations

import pytest

from pipelines.domain.ingest import RawFile, process_document

from .conftest import HANOI_PAPI, HCMC_PAPI, HCMC_PAR, PLANS, QUANG_NGAI

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
    assert "inside a multi-byte UTF-8 character" in f["message"]


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name[:3])
def test_a_file_cut_mid_word_gets_a_truncated_finding(path):
    text = path.read_bytes().decode("utf-8-sig")
    k = int(len(text) * 0.6)
    while not (text[k - 2: k + 1].isalpha() and text[k - 2: k + 1].isascii()):
        k += 1
    r = _run(path, text[:k].encode())
    (f,) = _rules(r, "truncated")
    assert "mid-word" in f["message"]


def test_the_issue_case_a_table_cut_mid_task():
    """"…Tăng cườn": the last task of a pipe table cut off mid-syllable."""
    text = HCMC_PAR.read_bytes().decode("utf-8-sig")
    k = text.index("Tăng cường", len(text) // 2) + len("Tăng cườn")
    r = _run(HCMC_PAR, text[:k].encode())
    assert r.document is not None and len(_rules(r, "truncated")) == 1


def test_a_table_cut_at_a_word_boundary_inside_a_row():
    lines = HCMC_PAR.read_bytes().decode("utf-8-sig").split("\n")
    # a long cell after three closed cells, cut after its sixth word (at a word boundary, before its " |")
    i = next(i for i in range(len(lines) // 2, len(lines))
             if all(lines[j].rstrip().endswith("|") for j in (i - 3, i - 2, i - 1, i)) and len(lines[i].split()) > 10)
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
    assert sorted(x["rule"] for x in once.findings) == sorted(x["rule"] for x in twice.findings if x["rule"] != "doubled_lines")
