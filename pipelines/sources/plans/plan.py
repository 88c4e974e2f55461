"""Parse one plan text into tasks: runs every reader over the text and reconciles their output."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from itertools import accumulate, chain, islice

import numpy as np

from pipelines.model import Finding, ParsedPlan
from pipelines.sources.plans.agency_text import (
    WHEN,
    abbreviation_legend,
    body_names,
    expand_abbreviations,
    field_label_legend,
    looks_like_agency,
    write_out_field_labels,
)
from pipelines.sources.plans.assignment_lines import FIRST_LISTED_LEADS, FIRST_LISTED_OPENING
from pipelines.sources.plans.blocks import read_blocks
from pipelines.sources.plans.formats.text_tables import tables_from_spans
from pipelines.sources.plans.lines import find_repeated_blocks, lowered_text, never_work_lines, strip_markup
from pipelines.sources.plans.metadata import indices_named
from pipelines.sources.plans.readers.keyed_tables import join_keyed_tables
from pipelines.sources.plans.readers.narrative import NarrativeSection, read_narrative
from pipelines.sources.plans.readers.numbered_assignments import (
    assign_by_task_number,
    assign_in_prose,
    gives_tasks_by_number,
)
from pipelines.sources.plans.readers.tables import table_to_tasks
from pipelines.sources.plans.readers.which_rows import assignments_or_solutions, sections_naming_no_one
from pipelines.sources.plans.table_model import KEYED

# A table group and a narrative section are "the same tasks" above this similarity.
ALIGN_THRESHOLD = 0.2


class PlanParseError(Exception):
    """The text decoded but no reader found tasks in it: the quarantine reason."""


_WORDS = re.compile(r"\w+")


@lru_cache(maxsize=1 << 14)  # each section's items are compared with every table group
def _bigrams(text: str) -> frozenset[str]:
    """A text's word pairs, each as "word word" (a word holds no space, so one string per pair: its hash is kept,
    where a tuple's is worked out again at every set or dict look-up)."""
    words = _WORDS.findall(text.lower())
    return frozenset(map(" ".join, zip(words, words[1:])))


def _jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def group_similarity(table_texts: list[str], section: NarrativeSection) -> float:
    """Mean over the table texts of the best Jaccard similarity (word bigrams) with an item of the section.
    The reference definition; SectionMatcher computes the same for all sections at once."""
    if not table_texts or not section.item_texts:
        return 0.0
    items = [_bigrams(t) for t in section.item_texts]
    scores = [max(_jaccard(_bigrams(t), i) for i in items) for t in table_texts]
    return sum(scores) / len(scores)


class SectionMatcher:
    """group_similarity of some table texts against every section at once, with arrays (intersection sizes of
    every text with every item) instead of a set intersection per pair: comparing each table group with each
    section was a fifth of the parse time."""

    def __init__(self, sections: list[NarrativeSection]):
        self.sections = sections
        rows, self.spans, k = [], [], 0
        for s in sections:
            grams = [_bigrams(t) for t in s.item_texts]
            rows += grams
            self.spans.append((k, k + len(grams)))
            k += len(grams)
        grams_all = frozenset().union(*rows)
        self.vocab = vocab = dict(zip(grams_all, range(len(grams_all))))
        # bigram -> items that have it, as integer rows: a text's intersection with every item is the sum of
        # the rows of its bigrams (integers: no multithreaded BLAS, which spun against the other pool worker)
        self.by_gram = np.zeros((max(len(vocab), 1), len(rows)), dtype=np.int32)
        self.item_sizes = np.array([len(g) for g in rows], dtype=np.int32)
        # every (bigram, item) pair set in one assignment
        at_gram = list(map(vocab.__getitem__, chain.from_iterable(rows)))
        self.by_gram[at_gram, np.repeat(np.arange(len(rows)), self.item_sizes)] = 1

    def scores(self, table_texts: list[str]) -> list[float]:
        """group_similarity(table_texts, s) for every section s, in order (the same floats)."""
        if not table_texts or not len(self.item_sizes):
            return [0.0] * len(self.sections)
        grams = [_bigrams(t) for t in table_texts]
        inter = self._intersections(grams)
        sizes = np.array([len(g) for g in grams], dtype=np.int32)
        union = sizes[:, None] + self.item_sizes[None, :] - inter
        with np.errstate(divide="ignore", invalid="ignore"):
            jac = np.where((sizes[:, None] > 0) & (self.item_sizes[None, :] > 0), inter / union, 0.0)
        starts = [lo for lo, hi in self.spans if hi > lo]  # non-empty spans tile the columns
        best = np.maximum.reduceat(jac, starts, axis=1).T.tolist()  # per section: each text's best item
        it = iter(best)
        # Python's left-to-right sum, as group_similarity, so the floats are the same
        return [
            sum(b) / len(b) if hi > lo and b is not None else 0.0
            for lo, hi in self.spans
            for b in [next(it) if hi > lo else None]
        ]

    def _intersections(self, grams: list[frozenset[str]]) -> np.ndarray:
        """The number of bigrams each text shares with each item: the sum of its bigrams' rows, for many texts in
        one gather and one segmented sum (integers: the same counts in any order), a bounded block at a time."""
        n_items = len(self.item_sizes)
        inter = np.zeros((len(grams), n_items), dtype=np.int32)
        vocab = self.vocab
        budget = max(1, (1 << 21) // max(n_items, 1))  # rows gathered at once: about 8 MB of int32
        r = 0
        while r < len(grams):
            texts: list[int] = []  # the texts of this block that share a pair with some item, and where each starts
            starts: list[int] = []
            flat: list[int] = []
            while r < len(grams) and (not flat or len(flat) < budget):
                cols = [vocab[b] for b in vocab.keys() & grams[r]]  # in any order: a sum
                if cols:
                    texts.append(r)
                    starts.append(len(flat))
                    flat += cols
                r += 1
            if flat:
                inter[texts] = np.add.reduceat(self.by_gram[flat], starts, axis=0)
        return inter


def parse_plan(
    text: str,
    lines: list[str] | None = None,
    blocks: list | None = None,
    index_plan: bool | None = None,
    file_tables: tuple[str, list] | None = None,
) -> ParsedPlan:
    """`lines` and `blocks` (find_repeated_blocks of them) when the caller has them already. `index_plan`: the plan
    names an index (PAPI, PAR Index, SIPAS, PCI), so its solutions under the index's dimensions are its tasks
    (assignments_or_solutions); None: as metadata finds it in the text. `file_tables`: the file's format and the
    tables its adapter read (formats.TableSpan), taken as they are instead of from their pipe rows."""
    if index_plan is None:
        index_plan = bool(indices_named(None, text))
    lines = text.split("\n") if lines is None else lines
    out = ParsedPlan()
    blocks = find_repeated_blocks(lines) if blocks is None else blocks
    skip: set[int] = set()
    for b in blocks:
        skip.update(range(b.repeat_start, b.repeat_end + 1))
        out.findings.append(
            Finding(
                "repeated_block",
                "warning",
                f"Lines {b.repeat_start}-{b.repeat_end} repeat lines {b.first_start}-{b.first_end} verbatim "
                f"({b.n_lines} lines); read once.",
                b.repeat_start,
                b.repeat_end,
            )
        )
    skip |= never_work_lines(lines)  # recipients, signature, closing formula, the portal's own lines
    abbreviations, legend = abbreviation_legend(lines)  # "- SNV: Sở Nội vụ": the short names the cells use
    skip |= legend
    # "[CT: Sở Tư pháp; PH: …; TG: Quý II/2026]" under a legend "CT – cơ quan chủ trì; PH – …": labels written out
    lines = write_out_field_labels(lines, field_label_legend(lines))
    # one pass into the block model (tables with their column roles, prose blocks with their numbering); the
    # readers label its blocks
    given = tables_from_spans(file_tables[1], lines, skip, f"{file_tables[0]}_table") if file_tables else None
    doc = read_blocks(lines, skip, given)
    tables = doc.tables
    table_lines = set(skip)
    for t in tables:
        table_lines.update(range(t.line_start, t.line_end + 1))
    n_tasks, n_sections, n_findings, by_agency, spans = read_narrative(lines, table_lines, doc.paragraphs)
    out.findings.extend(n_findings)
    # tasks given out by number (a table, a paragraph), before any choice of which rows are tasks rests on leads
    n_tasks = assign_in_prose(assign_by_task_number(tables, n_tasks, out.findings), out.findings)
    aligner = _SectionAligner(n_sections, SectionMatcher(n_sections) if tables and n_sections else None, out.findings)
    table_tasks, headings_over_tables = _read_tables(tables, lines, table_lines, n_sections, aligner, out)
    _first_listed_leads(text, table_tasks)
    # a heading whose table holds its tasks is not one itself
    n_tasks = [x for x in n_tasks if x.line_start not in headings_over_tables]
    if table_tasks:
        n_tasks = _drop_restated(n_tasks, table_tasks, n_sections, aligner, out.findings)
        n_tasks = _appendix_is_the_record(n_tasks, table_tasks, out.findings)
    by_agency = _restated_items(by_agency, table_tasks, out.findings)
    if not index_plan:
        n_tasks = assignments_or_solutions(n_tasks, table_tasks, by_agency, out.findings)
        n_tasks = _restated_items(n_tasks, table_tasks, out.findings)
    # an index plan's parts under a dimension name no one and are its tasks: only whole sections there
    n_tasks = sections_naming_no_one(
        n_tasks, [(lo, hi) for lo, hi, level in spans if level == 0 or not index_plan], out.findings
    )
    # a clause that only makes bodies answer for the plan ("Các sở, ngành … chịu trách nhiệm thực hiện Kế hoạch
    # này.") gives no work
    n_tasks = _repeated_in_list([x for x in n_tasks if not _generic_duty(x.task_text)], out.findings)
    if n_tasks:
        out.readers_used.insert(0, "narrative")
    out.tasks = sorted(n_tasks + table_tasks, key=lambda t: t.line_start)
    if abbreviations:
        for row in out.tasks:
            row.lead_as_written = expand_abbreviations(row.lead_as_written, abbreviations)
            row.support_as_written = expand_abbreviations(row.support_as_written, abbreviations)
    if not out.tasks:
        raise PlanParseError(
            "no tasks found; tried: tables in every layout (Markdown/grid pipe rows, one cell per line, tab cells and "
            "rows) with a header naming a task column ('Nhiệm vụ', 'Nội dung', 'Giải pháp') and a lead or number "
            "column, or headerless with numbers and agencies; and a narrative section of tasks ('NHIỆM VỤ', "
            "'GIẢI PHÁP', 'NỘI DUNG') with numbered, lettered or bulleted items"
        )
    return out


def _first_listed_leads(text: str, table_tasks: list) -> None:
    """A note that the body named first in a "Cơ quan thực hiện" cell leads and the others are its partners."""
    if not table_tasks or "chủ trì" not in text or not FIRST_LISTED_OPENING.search(text.lower()):
        return
    if not FIRST_LISTED_LEADS.search(text):  # the opening's gate above is cheap; this search is case-ignoring
        return
    for row in table_tasks:
        if row.lead_as_written and not row.support_as_written and len(names := body_names(row.lead_as_written)) > 1:
            row.lead_as_written, row.support_as_written = names[0], ", ".join(names[1:])


def _repeated_in_list(n_tasks: list, findings: list[Finding]) -> list:
    """An item a list says again a few lines on, for the same body in the same section ("Phối hợp … thu thập, biên
    tập, chuẩn hóa dữ liệu quy hoạch thuộc phạm vi quản lý." then "Phối hợp thu thập, biên tập, chuẩn hóa dữ liệu
    quy hoạch."): the shorter is the same work, once."""
    drop: set[int] = set()
    pairs: dict[int, frozenset] = {}  # each text's word pairs, made once and only when a neighbour could repeat it
    for i in range(1, len(n_tasks)):
        t = n_tasks[i]
        key = (t.lead_as_written, t.section_as_written)
        for j in range(i - 1, max(-1, i - 5), -1):
            u = n_tasks[j]
            if t.line_start - u.line_end > 15:
                break
            if id(u) in drop or (u.lead_as_written, u.section_as_written) != key:
                continue
            for x in (t, u):
                if id(x) not in pairs:
                    pairs[id(x)] = _bigrams(x.task_text)
            a, b = pairs[id(t)], pairs[id(u)]
            if len(a) < 3 or len(b) < 3 or len(a & b) < 0.8 * min(len(a), len(b)):
                continue
            short, other = (t, u) if len(a) <= len(b) else (u, t)
            drop.add(id(short))
            findings.append(
                Finding(
                    "item_repeated",
                    "info",
                    f"The item at line {short.line_start} says again what the item at line {other.line_start} "
                    "says for the same body: counted once.",
                    short.line_start,
                    short.line_end,
                )
            )
    return [t for t in n_tasks if id(t) not in drop]


_DUTY_OBJECT = r"(?:(?:các\s+)?nhiệm vụ được (?:giao|phân công)(?:\s+(?:tại|theo) kế hoạch này)?|kế hoạch này|chỉ thị này|quyết định này)"
_DUTY = (
    r"(?:có|chịu)\s+trách nhiệm\s+(?:tổ chức\s+|triển khai\s+|hoàn thành\s+|thực hiện\s+|thi hành\s+|"
    r"phối hợp với [^.;,]{0,40}?\s+(?=thực hiện|triển khai))+(?:nghiêm túc\s*,?\s*)?(?:có hiệu quả\s+|hiệu quả\s+)?"
    + _DUTY_OBJECT
    + "?"
)
_DUTY_QUALITY = (
    r"(?:bảo đảm|đảm bảo|theo đúng)\s+(?:tiến độ|chất lượng|yêu cầu|nội dung công việc)"
    r"(?:\s*(?:,|và)\s*(?:tiến độ|chất lượng|yêu cầu|nội dung công việc))*"
)
# answering for the plan, the work given or its pace, and nothing more (partners included); or carrying the plan out
# "within one's remit" ("Trong phạm vi chức năng, nhiệm vụ của mình, tham gia phối hợp triển khai thực hiện Kế hoạch
# này.")
_GENERIC_DUTY = re.compile(
    rf"(?i)^(?:[^.;:]{{0,200}}?{_DUTY}(?:\s*,?\s*(?:{_DUTY_QUALITY}|[^.;:,]{{0,80}}?{_DUTY}))*"
    r"|(?:trong phạm vi[^.;:]{0,60}?của mình|căn cứ (?:vào\s+|theo\s+)?chức năng[^.;:]{0,40}?được giao)\s*,?\s*"
    r"(?:chủ động\s+)?(?:tham gia\s+)?(?:phối hợp(?:\s+với\s+[^.;:]{0,80}?)?\s+)?(?:tổ chức\s+)?(?:triển khai\s+)?"
    r"(?:thực hiện\s+)?(?:" + _DUTY_OBJECT + r"|kế hoạch)(?:\s+theo quy định)?)\s*[.;]?\s*$"
)


@lru_cache(maxsize=1 << 14)  # a long pattern, and the same stock sentences end many plans
def _generic_duty(text: str) -> bool:
    return bool(_GENERIC_DUTY.match(text))


_STATUS_COLUMN = re.compile(r"(?i)kết quả (?:thực hiện|đạt được)|tình hình thực hiện|mức độ hoàn thành|đã thực hiện")
_REPORT_TITLE = re.compile(r"(?i)kết quả thực hiện|tình hình thực hiện|báo cáo kết quả|kết quả triển khai")


def _reports_past_work(table, lines: list[str]) -> bool:
    """A table of work done, not work to do: a column for each row's status ("Kết quả thực hiện") and a title
    above that calls it a report ("KẾT QUẢ THỰC HIỆN NHIỆM VỤ NĂM 2025")."""
    if not any(_STATUS_COLUMN.search(h) for h in table.header):
        return False
    above = [ln for ln in lines[max(0, table.line_start - 6) : table.line_start - 1] if ln.strip()][-3:]
    return any(_REPORT_TITLE.search(ln) for ln in above)


_HEADING_WORDS = re.compile(r"^(?:\S+\s+){0,19}\S+$(?<![.;])")  # a name: at most 20 words, no full stop


def _heading_over_table(
    rows: list, start: int, sections: list[NarrativeSection], lines: list[str], table_lines: set[int]
) -> int | None:
    """A table with no group rows and no section column, right under a numbered heading of the narrative ("1. Chỉ
    số Chi phí gia nhập thị trường" over its task table, or over several one-task tables): its rows are that
    heading's. Returns the heading's line, or None."""
    if not rows or any(r.section_as_written for r in rows):
        return None
    above = max((s for s in sections if s.line_end < start and s.heading), key=lambda s: s.line_start, default=None)
    if (
        above is None
        or not _HEADING_WORDS.match(above.heading or "")
        or lines[above.line_end - 1].rstrip(" *_").endswith((".", ";"))
        or looks_like_agency(above.heading or "")
    ):
        return None  # "2. Sở Nội vụ chủ trì … rà soát thủ tục hành chính.": a task of its own, not a heading
    if any(lines[k - 1].strip() and k not in table_lines for k in range(above.line_end + 1, start)):
        return None
    for r in rows:
        r.section_ref, r.section_as_written, r.section_heading = above.ref, above.heading, above.heading
    return above.line_start


def _read_tables(
    tables: list, lines: list[str], table_lines: set[int], n_sections: list[NarrativeSection], aligner, out: ParsedPlan
) -> tuple[list, set[int]]:
    """The tasks of every table that lists work to do, and the lines of the headings the tables sit under."""
    table_tasks: list = []
    headings: set[int] = set()
    for t in tables:
        if t.reader == KEYED or gives_tasks_by_number(t):
            continue  # read below, once the tasks it adds to are known
        if _reports_past_work(t, lines):
            out.findings.append(
                Finding(
                    "report_table_not_tasks",
                    "info",
                    f"The table at lines {t.line_start}-{t.line_end} reports on work done (its title and its "
                    "status column say so); its rows are not tasks.",
                    t.line_start,
                    t.line_end,
                )
            )
            continue
        tt, tf = table_to_tasks(t, aligner)
        if (when := _caption_time(t, lines)) is not None:
            for row in tt:  # "Bảng 2. Nhiệm vụ hoàn thành trong Quý II/2026" over a table with no deadline column
                row.timeline_text = row.timeline_text or when
        if (who := _caption_lead(t, lines)) is not None:
            for row in tt:  # "Bảng 3. Nhiệm vụ do Sở Tư pháp chủ trì" over a table with no lead column
                row.lead_as_written = row.lead_as_written or who
        if (above := _heading_over_table(tt, t.line_start, n_sections, lines, table_lines)) is not None:
            headings.add(above)
        table_tasks.extend(tt)
        out.findings.extend(tf)
        if tt:
            out.readers_used.append(t.reader)
    if keyed := [t for t in tables if t.reader == KEYED]:
        join_keyed_tables(table_tasks, keyed, out.findings)
    return table_tasks, headings


_CAPTION_TIME = re.compile(rf"(?i)(?:hoàn thành|thực hiện|triển khai)\s+(?:trong|trước|vào)\s+(?P<when>{WHEN})\W*$")


_CAPTION_LEAD = re.compile(
    r"(?i)^(?:bảng|biểu|phụ lục)\s*[\dIVX]*[.:]?\s*(?:danh mục\s+)?(?:các\s+)?nhiệm vụ\s+(?:do\s+(?P<a>.+?)\s+chủ\s*trì"
    r"|(?:giao\s+)?(?:cho\s+|của\s+)(?P<b>.+?))\s*[.:]?$"
)


def _caption_lead(table, lines: list[str]) -> str | None:
    """The body a table's caption gives all its rows ("Bảng 3. Nhiệm vụ do Sở Tư pháp chủ trì")."""
    above = [ln for ln in lines[max(0, table.line_start - 4) : table.line_start - 1] if ln.strip()][-1:]
    m = _CAPTION_LEAD.match(strip_markup(above[0]).strip()) if above else None
    who = (m["a"] or m["b"]) if m else None
    return who if who and looks_like_agency(who) else None


def _caption_time(table, lines: list[str]) -> str | None:
    """The deadline a table's caption gives all its rows ("Bảng 1. Nhiệm vụ hoàn thành trong Quý I/2026")."""
    above = [ln for ln in lines[max(0, table.line_start - 4) : table.line_start - 1] if ln.strip()][-1:]
    m = _CAPTION_TIME.search(strip_markup(above[0]).strip()) if above else None
    return m["when"] if m else None


class _SectionAligner:
    """section_lookup for table_to_tasks: a table group whose heading was lost gets the narrative section it
    matches by content (a finding when its number differs), once per group."""

    def __init__(self, sections: list[NarrativeSection], matcher: SectionMatcher | None, findings: list[Finding]):
        self.sections, self.matcher, self.findings = sections, matcher, findings
        self.aligned: dict[str, NarrativeSection] = {}

    def __call__(self, group: str, texts: list[str]) -> tuple[str | None, bool]:
        if group not in self.aligned:
            best, best_score = None, 0.0
            for s, sim in zip(self.sections, self.matcher.scores(texts) if self.matcher else []):
                sc = sim + (0.01 if s.ref == group else 0.0)
                if sc > best_score:
                    best, best_score = s, sc
            if best is not None and best_score >= ALIGN_THRESHOLD:
                self.aligned[group] = best
                if best.ref != group:
                    self.findings.append(
                        Finding(
                            "table_numbering_mismatch",
                            "info",
                            f"Table group {group} matches narrative section {best.ref} "
                            f"('{(best.heading or '?')[:50]}') by content, not by number.",
                            best.line_start,
                            best.line_end,
                        )
                    )
            else:
                self.aligned[group] = NarrativeSection(group, None, [], 0, 0)
        s = self.aligned[group]
        return s.heading, s.heading is None


def _drop_restated(
    n_tasks: list,
    table_tasks: list,
    n_sections: list[NarrativeSection],
    aligner: _SectionAligner,
    findings: list[Finding],
) -> list:
    """The table is the record: narrative sections that restate its groups are not counted again."""
    superseded = [s for s in aligner.aligned.values() if s.line_start]
    if not superseded and n_sections and aligner.matcher is not None:
        # no numbered groups to align (tables with a section column): compare whole sections
        texts = [x.task_text for x in table_tasks]
        superseded = [s for s, sim in zip(n_sections, aligner.matcher.scores(texts)) if sim >= ALIGN_THRESHOLD * 1.5]
    # narrative sections between two superseded ones belong to the same restatement
    if superseded:
        lo = min(s.line_start for s in superseded)
        hi = max(s.line_end for s in superseded)
        superseded = [s for s in n_sections if s.line_start >= lo and s.line_end <= hi]
    drop = set()
    for s in superseded:
        for i, task in enumerate(n_tasks):
            if s.line_start <= task.line_start <= s.line_end:
                drop.add(i)
    if drop:
        findings.append(
            Finding(
                "narrative_superseded_by_table",
                "info",
                f"{len(drop)} narrative items restate the task table and are not counted again "
                f"(sections {', '.join(s.ref for s in superseded)}).",
                min(n_tasks[i].line_start for i in drop),
                max(n_tasks[i].line_end for i in drop),
            )
        )
    return [t for i, t in enumerate(n_tasks) if i not in drop]


RESTATED = 0.5  # share of the shorter text's word pairs found in a table row: the same work, written twice
RESTATED_BOTH = 0.3  # ... and of the pairs of both texts


def _restated_items(n_tasks: list, table_tasks: list, findings: list[Finding]) -> list:
    """A narrative item that restates a row of the assignment table (most of its word pairs are the row's) is
    context, never a second copy of the task: the table row is the record."""
    if not n_tasks or not table_tasks:
        return n_tasks
    rows = [b for b in (_bigrams(t.task_text) for t in table_tasks) if len(b) >= 4]
    having: dict[str, list[int]] = {}  # pair -> the rows that have it: a row sharing no pair with an item is not it
    for r, b in enumerate(rows):
        for g in b:
            having.setdefault(g, []).append(r)
    drop = []
    for t in n_tasks:
        a = _bigrams(t.task_text)
        if len(a) < 4:
            continue
        shared = Counter(chain.from_iterable(having.get(g, ()) for g in a))  # row -> len(a & row)
        # most of the shorter text's pairs, and a good share of both (a short duty inside a long row is not it)
        if any(
            n >= RESTATED * min(len(a), len(rows[r])) and _jaccard(a, rows[r]) >= RESTATED_BOTH
            for r, n in shared.items()
        ):
            drop.append(t)
    if not drop:
        return n_tasks
    findings.append(
        Finding(
            "narrative_superseded_by_table",
            "info",
            f"{len(drop)} narrative items restate rows of the assignment table: the table rows are the tasks.",
            min(t.line_start for t in drop),
            max(t.line_end for t in drop),
        )
    )
    gone = {id(t) for t in drop}
    return [t for t in n_tasks if id(t) not in gone]


def _appendix_is_the_record(n_tasks: list, table_tasks: list, findings: list[Finding]) -> list:
    """A plan whose assignment table ("Biểu phân công / tổng hợp nhiệm vụ", after the narrative) gives each task its
    lead, while the narrative items before it name none: the narrative states directions, the table is the record."""
    if not n_tasks or len(table_tasks) < 8:
        return n_tasks
    with_lead = [t for t in table_tasks if t.lead_as_written]
    first_table = min(t.line_start for t in table_tasks)
    before = [t for t in n_tasks if t.line_start < first_table]
    if len(with_lead) < 0.8 * len(table_tasks) or not before:
        return n_tasks
    assigned = [t for t in before if t.lead_as_written or t.timeline_text]
    if len(assigned) > 0.3 * len(before):
        return n_tasks
    findings.append(
        Finding(
            "narrative_superseded_by_table",
            "info",
            f"{len(before)} narrative items before the assignment table name no lead agency: read as the plan's "
            f"directions; the table's {len(table_tasks)} rows are the tasks.",
            min(t.line_start for t in before),
            max(t.line_end for t in before),
        )
    )
    return [t for t in n_tasks if t.line_start >= first_table]


_WORD = re.compile(r"\w+")


def task_text_in_lines(task_text: str, lines: list[str], start: int, end: int, text: LineText | None = None) -> bool:
    """Provenance check: the words of the task occur within its line range. (A word holds no whitespace, so
    the window needs no whitespace collapsing.) `text`: the same lines lowered once, for a document's many tasks."""
    window = text.window(start, end) if text is not None else None
    if window is None:
        window = " ".join(lines[start - 1 : end]).lower()
    return all(w in window for w in _first_words(task_text))


@lru_cache(maxsize=1 << 14)
def _first_words(text: str) -> tuple[str, ...]:
    """The first eight words of a text in lower case (found one by one: findall of a long text found them all)."""
    return tuple(m.group() for m in islice(_WORD.finditer(text.lower()), 8))


class LineText:
    """A document's lines joined and lowered once, cut into windows of lines: a word (never across a line break or
    a space) is in a window exactly when it is in those lines joined by spaces and lowered."""

    def __init__(self, lines: list[str]):
        self.low = lowered_text(lines)  # the text the word rules lowered already (lines.py)
        self.starts = list(accumulate((len(ln) + 1 for ln in lines), initial=0))
        self.exact = len(self.low) == self.starts[-1] - 1 if lines else True  # lower() kept every length

    def window(self, start: int, end: int) -> str | None:
        if not self.exact or start < 1 or end >= len(self.starts):
            return None
        return self.low[self.starts[start - 1] : self.starts[end]]
