"""One block model for every layout: what a plan's text is made of, before anything is called a task.

The format adapters (formats/) turn a file into text with a provenance per line; `read_blocks` turns that text, in
one pass, into blocks — headings and list items with their numbering, marker and depth, paragraphs, tables with
the role of each column — each with its line range (and, through the document's locations, its page or cell). The
table layouts of text exports (Markdown pipe rows, pandoc grid tables, a portal's one cell per line between `|`
lines, tab-separated rows) are tokenised by formats/text_tables.py into one `RawTable` (table_model.py); the lines
a table holds are never prose.
Labelling the blocks (task, attribute, agency heading, group heading, note) is the readers' one pass over them
(readers/narrative.py over the prose blocks, readers/tables.py over the tables).

    python -m pipelines.sources.plans.blocks <file>   prints a file's blocks: how the reader sees its layout
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pipelines.sources.plans.formats.assignment_grid import read_assignment_grid
from pipelines.sources.plans.formats.bar_tables import find_bar_tables
from pipelines.sources.plans.formats.column_tables import find_column_tables
from pipelines.sources.plans.formats.gantt import read_gantt
from pipelines.sources.plans.formats.text_tables import (
    find_md_tables,
    find_pipe_tables,
    find_tab_tables,
    merge_continued,
)
from pipelines.sources.plans.lines import find_repeated_blocks, never_work_lines
from pipelines.sources.plans.readers.outline import Para, classify, paragraphs
from pipelines.sources.plans.table_model import RawTable, header_roles

# numbering of a prose block -> its kind in the model
_KIND = {
    "part": "heading",
    "roman": "heading",
    "num": "item",
    "letter": "item",
    "bullet": "item",
    "plus": "item",
    "plain": "paragraph",
}


@dataclass(frozen=True)
class Block:
    kind: str  # heading | item | paragraph | table
    numbering: str | None  # part | roman | num | letter | bullet | plus; None for a paragraph or a table
    marker: str | None  # "II", "1.2", "a", "-", "+"
    level: float  # depth in the outline: part < roman < 1 < 1.1 < letter < bullet < plus; -1 for a paragraph
    text: str
    line_start: int
    line_end: int
    table: RawTable | None = None
    roles: tuple[str | None, ...] = ()  # a table's column roles (ref, task, lead, support, timeline, output …)


@dataclass
class DocumentBlocks:
    paragraphs: list[Para] = field(default_factory=list)  # the prose blocks as the outline reader takes them
    tables: list[RawTable] = field(default_factory=list)
    skipped: set[int] = field(default_factory=set)  # lines read as neither: repeated blocks, signature, recipients

    @cached_property  # built when asked (the readers take paragraphs and tables as they are)
    def blocks(self) -> list[Block]:
        """Every block in the order of the text."""
        out = []
        for p in self.paragraphs:
            numbering, marker, level, text = classify(p)
            kind = _KIND[numbering]
            out.append(
                Block(kind, None if numbering == "plain" else numbering, marker, level, text, p.line_start, p.line_end)
            )
        for t in self.tables:
            roles = tuple(header_roles(t.header) or ())
            out.append(Block("table", None, None, -1, " | ".join(t.header), t.line_start, t.line_end, t, roles))
        out.sort(key=lambda b: b.line_start)
        return out


def find_tables(lines: list[str], skip: set[int], given: list[RawTable] | None = None) -> list[RawTable]:
    """Tables in every layout: those the file's adapter gave (Word, HTML, PDF), then in the text Markdown, the
    portal's one-cell-per-line tables, pipe and tab tables outside them; a table continued after a page break is
    joined."""
    given = given or []
    adapter_lines = set(skip)
    for t in given:
        adapter_lines.update(range(t.line_start, t.line_end + 1))
    md = given + find_md_tables(lines, adapter_lines)
    md_lines = set(adapter_lines)
    for t in md:
        md_lines.update(range(t.line_start, t.line_end + 1))
    bar = find_bar_tables(lines, md_lines)
    for t in bar:
        md_lines.update(range(t.line_start, t.line_end + 1))
    spaced = find_column_tables(lines, md_lines)
    for t in spaced:
        md_lines.update(range(t.line_start, t.line_end + 1))
    found = md + bar + spaced + find_pipe_tables(lines, md_lines) + find_tab_tables(lines, md_lines)
    tables = merge_continued(found, lines)
    for t in tables:
        read_gantt(t)  # one column per month, a mark per month worked: the deadline (before the marks below)
        read_assignment_grid(t, lines)  # one column per body, a mark per role: lead and support columns
    return tables


def read_blocks(lines: list[str], skip: set[int], given: list[RawTable] | None = None) -> DocumentBlocks:
    """The blocks of a text whose lines `skip` (1-based) are not content, with the tables its file's adapter gave.
    Tables first (their lines are never prose), then the prose around them as paragraphs joined across wrapped
    lines, each classified by its numbering."""
    out = DocumentBlocks(skipped=set(skip))
    out.tables = find_tables(lines, skip, given)
    table_lines = set(skip)
    for t in out.tables:
        table_lines.update(range(t.line_start, t.line_end + 1))
    out.paragraphs = paragraphs(lines, table_lines)
    return out


def blocks_of_text(text: str) -> DocumentBlocks:
    """The blocks of a whole text, with its repeated blocks and closing lines (signature, recipients) left out."""
    lines = text.split("\n")
    skip: set[int] = set()
    for b in find_repeated_blocks(lines):
        skip.update(range(b.repeat_start, b.repeat_end + 1))
    return read_blocks(lines, skip | never_work_lines(lines))


def describe(doc: DocumentBlocks, width: int = 100) -> str:
    """One line per block: lines, kind, numbering and marker, text (a table: its header, roles and rows)."""
    out = []
    for b in doc.blocks:
        where = f"{b.line_start}-{b.line_end}" if b.line_end != b.line_start else f"{b.line_start}"
        if b.kind == "table" and b.table is not None:
            roles = ", ".join(r or "-" for r in b.roles) or "no header roles"
            out.append(f"{where:>11}  table ({b.table.reader}, {len(b.table.rows)} rows; {roles}): {b.text}"[:width])
            continue
        mark = f"{b.numbering} {b.marker}" if b.numbering else ""
        indent = "  " * max(0, int(b.level)) if b.level >= 0 else ""
        out.append(f"{where:>11}  {b.kind:<9} {mark:<12} {indent}{b.text}"[: width + 20])
    return "\n".join(out)


def main(argv: list[str]) -> int:
    from pipelines.sources.plans.formats import read_document

    if not argv:
        print(__doc__)
        return 2
    for name in argv:
        path = Path(name)
        doc = read_document(path.read_bytes(), path.name)
        print(f"# {path} ({doc.format}, {len(doc.text.splitlines())} lines)")
        print(describe(blocks_of_text(doc.text)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
