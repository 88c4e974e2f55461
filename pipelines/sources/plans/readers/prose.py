"""Work given in prose: sentences that assign ("Giao Sở X chủ trì …"), a run-on paragraph of lettered assignments
("Giao Sở X: a) …; b) …"), and paragraphs that open with the body in charge ("SỞ NỘI VỤ: …"). Each turns a heading's
paragraphs into task rows; the outline pass decides where they are tried."""

from __future__ import annotations

import re

from pipelines.model import TaskRow
from pipelines.sources.plans.agency_text import (
    _STOP_RE,
    agency_prefix,
    lead_and_partners,
    looks_like_agency,
    names_a_body,
    parse_attributes,
)
from pipelines.sources.plans.decode import collapse_ws
from pipelines.sources.plans.readers.outline import _SENTENCE_END, Node, _ref_of, _subtree_end
from pipelines.sources.plans.readers.task_row import _task_from


def _roles(agency: str) -> tuple[str, str | None]:
    return lead_and_partners(agency) or (agency, None)


# A sentence that gives work to someone: "Giao Sở X chủ trì …", "Đề nghị Ủy ban MTTQ tỉnh chủ trì …",
# "UBND các xã có trách nhiệm …"
_SENTENCE_SPLIT = re.compile(r"(?<=[.;])\s+(?=[A-ZĐÀ-Ỹ])")
_ASSIGNS = re.compile(
    r"^(?:(?:Giao|Đề nghị|Yêu cầu)\s+\S.{0,150}?\s+(?:chủ\s*trì|là cơ quan|có trách nhiệm|thực hiện)\b"
    r"|\S.{0,150}?\s+(?:có|chịu)\s+trách nhiệm\s)"
)


_ROUTINE = re.compile(r"(?i)thi hành\s+(?:chỉ thị|quyết định|kế hoạch|văn bản)\s+này")


# what a body is given starts with the verb of its work ("Sở Nội vụ rà soát, công khai …", "UBND các xã, phường
# công khai …"); not a statement about it ("Sở Nội vụ đã …", "… là cơ quan …", "… được …")
_NOT_WORK = ("là", "được", "với", "nhằm", "để", "đã", "đang")


def _body_then_work(sent: str) -> bool:
    who, rest = agency_prefix(sent)
    if who is None or not looks_like_agency(who) or len(rest.split()) < 5:
        return False
    verb = _STOP_RE.match(" " + rest)
    return verb is not None and verb.group(1) not in _NOT_WORK


def _assignment_sentences(c: Node, path: list[Node]) -> list[TaskRow]:
    """A heading over prose in which sentences give the work ("1. Giải quyết tình trạng thiếu đất ở" over "Qua rà
    soát, … Giao Sở Dân tộc và Tôn giáo chủ trì, … hoàn thành trước ngày 31/3/2026. Giao Sở …"): each such sentence
    is a task; the heading is a topic and the other sentences context."""
    if not c.intro or c.kind not in ("num", "letter", "head"):
        return []
    head = collapse_ws(c.text)
    if len(head) > 160 or _SENTENCE_END.search(head.rstrip(":")):
        return []  # an item with words of its own is a task itself, whatever prose follows it
    rows = []
    for p in c.intro:
        for sent in _SENTENCE_SPLIT.split(p.text):
            sent = sent.strip()
            m = _ASSIGNS.match(sent)
            if (
                m is None or (not sent.startswith(("Giao", "Đề nghị", "Yêu cầu")) and not looks_like_agency(sent))
            ) and not _body_then_work(sent):
                continue
            if _ROUTINE.search(sent):
                continue  # "… chịu trách nhiệm thi hành Chỉ thị này": the closing formula
            node = Node("plain", None, c.level + 1, sent.rstrip(" ."), p.line_start, p.line_end, parent=c)
            row = _task_from(node, path + [c], False)
            if not row.lead_as_written:
                who = re.match(
                    r"^(?:(?:Giao|Đề nghị|Yêu cầu)\s+)?(?P<who>.+?)\s+(?:chủ\s*trì|là cơ quan|(?:có|chịu)\s+trách nhiệm)",
                    sent,
                )
                row.lead_as_written = who["who"] if who else None
            rows.append(row)
    if (
        len(rows) == 1
        and len(c.intro) == 1
        and not _SENTENCE_SPLIT.search(c.intro[0].text.strip().rstrip("."))
        and not looks_like_agency(head)
        and not re.match(r"(?i)(?:các|những)\s", head)
    ):
        # one topic heading over the one sentence that gives it ("3. Xây dựng các văn bản …" over "Sở, ban, ngành …
        # có trách nhiệm rà soát, tham mưu …"): the heading names the task, the sentence says who does it
        row = rows[0]
        row.task_text = f"{head.rstrip(' :.')}: {row.task_text}"
        row.line_start, row.task_ref = c.line_start, _ref_of(c)
    return rows


_GIVE_TO = re.compile(r"(?:^|(?<=[.:;])\s*)Giao\s+(?P<who>[^:;.()]{3,120}?):\s*(?=[a-zđ]\)\s)")
_LETTERED = re.compile(r"(?:^|(?<=[;.])\s*)(?P<m>[a-zđ])\)\s+")


def _run_on_assignments(c: Node, path: list[Node]) -> list[TaskRow]:
    """An item written as one run-on paragraph of assignments ("1. Chỉ số …: Giao Sở Tài chính: a) rà soát …; b) công
    khai …. Giao Trung tâm …: a) bố trí …"): one task per lettered clause, for the body the clause follows."""
    if "Giao" not in c.text and not any("Giao" in p.text for p in c.intro):
        return []  # every _GIVE_TO match holds "Giao" (joining and collapsing white space makes none)
    text = collapse_ws(" ".join([c.text] + [p.text for p in c.intro]))
    gives = list(_GIVE_TO.finditer(text))
    if not gives:
        return []
    rows = []
    for g, nxt in zip(gives, gives[1:] + [None]):
        part = text[g.end() : nxt.start() if nxt else len(text)]
        marks = list(_LETTERED.finditer(part))
        for m, after in zip(marks, marks[1:] + [None]):
            clause = part[m.end() : after.start() if after else len(part)].strip(" ;.")
            node = Node("letter", m["m"], c.level + 1, clause, c.line_start, _subtree_end(c), parent=c)
            node.attrs, node.text = parse_attributes(clause)
            row = _task_from(node, path + [c], False)
            row.lead_as_written = g["who"].strip()
            rows.append(row)
    return rows


_PARTY_OPENS = re.compile(r"^(?P<who>[^:;.()]{3,120}?):\s*\S")


def _party_paragraphs(c: Node, path: list[Node]) -> list[TaskRow]:
    """A heading over paragraphs that each open with the body in charge and a colon ("SỞ NỘI VỤ: Hướng dẫn … .
    Phối hợp: … Thời hạn: …"): each paragraph is that body's task, its labelled fields its own. A line that goes on
    right under one (a wrap the export broke before a capital) is part of it."""
    groups: list[list] = []  # [text, line_start, line_end]: the paragraphs on lines that follow one another
    for p in c.intro:
        if groups and p.line_start == groups[-1][2] + 1:
            groups[-1][0], groups[-1][2] = f"{groups[-1][0]} {p.text}", p.line_end
        else:
            groups.append([p.text, p.line_start, p.line_end])
    if not groups or not all((m := _PARTY_OPENS.match(g[0])) and names_a_body(m["who"]) for g in groups):
        return []
    rows = []
    for text, start, end in groups:
        node = Node("plain", None, c.level + 1, text, start, end, parent=c)
        node.attrs, node.text = parse_attributes(text)
        row = _task_from(node, path + [c], False)
        if row.lead_as_written:  # "SỞ TƯ PHÁP CHỦ TRÌ, PHỐI HỢP VỚI CÔNG AN THÀNH PHỐ: …"
            row.lead_as_written, partners = _roles(row.lead_as_written)
            row.support_as_written = row.support_as_written or partners
        rows.append(row)
    return rows
