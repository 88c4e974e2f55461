"""A table a PDF sets without ruling lines: its columns are only white space. Found by a header line whose runs of
words (parted by a gap wider than any word space) name the columns of a task table ("TT | Nhiệm vụ | Chủ trì |
Phối hợp | Thời hạn"); each later line's runs go to the column they start in, a row opening where the number column
holds a number, wrapped cells joined; the table ends at a line whose words run across a column's edge (prose again).
Rows come out as the table items ruled tables give (pdf.py), so one reader reads both."""

from __future__ import annotations

import re

from pipelines.sources.plans.table_model import _is_header

_GAP = 8.0  # points: wider than a word space in body text, narrower than a column's gutter
_TOL = 4.0  # a run may start this far left of its column's edge
_REF = re.compile(r"^(?:[IVX]{1,5}|\d{1,3}(?:\.\d{1,2})*)\.?$")
_GROUP = re.compile(r"^(?P<ref>[IVX]{1,5}\.?)\s+(?P<title>\S.*)$")  # a group row whose title runs across the table


def _lines(rows: list[tuple]) -> list[list[tuple]]:
    rows = sorted(rows, key=lambda r: (r[0], r[1]))
    out: list[list[tuple]] = []
    for r in rows:
        if out and abs(r[0] - out[-1][0][0]) <= 3:
            out[-1].append(r)
        else:
            out.append([r])
    for ln in out:
        ln.sort(key=lambda r: r[1])
    return out


def _runs(ln: list[tuple]) -> list[tuple[float, float, str]]:
    """(x0, x1, text) of the line's runs of words, parted by gaps wider than _GAP."""
    runs: list[list] = []
    last = None
    for _top, x0, x1, _bottom, t in ln:
        if runs and last is not None and x0 - last <= _GAP:
            if x0 - last > 1.5 and not runs[-1][2].endswith(" ") and t != " ":
                runs[-1][2] += " "
            runs[-1][2] += t
            runs[-1][1] = x1
        elif t.strip():
            runs.append([x0, x1, t])
        last = x1
    return [(a, b, " ".join(t.split())) for a, b, t in runs if t.strip()]


def borderless_tables(rows: list[tuple]) -> tuple[list[tuple[float, str, list[list[str]]]], list[tuple[float, float]]]:
    """The page's borderless task tables as (top, "table", cells) items, and the (top, bottom) band each covers."""
    lines = _lines(rows)
    items, bands = [], []
    i = 0
    while i < len(lines):
        head = _runs(lines[i])
        if len(head) < 3 or not _is_header([t for _, _, t in head]):
            i += 1
            continue
        starts = [x0 for x0, _, _ in head]
        cells: list[list[list[str]]] = [[[t] for _, _, t in head]]
        j = i + 1
        while j < len(lines):
            runs = _runs(lines[j])
            placed: dict[int, str] = {}
            for x0, x1, t in runs:
                k = max((n for n, s in enumerate(starts) if x0 >= s - _TOL), default=-1)
                crosses = k + 1 < len(starts) and x1 > starts[k + 1] + _TOL
                if crosses and k == 0 and (m := _GROUP.match(t)):
                    placed[0], k, t, crosses = m["ref"], 1, m["title"], False  # "VII CHÍNH QUYỀN ĐIỆN TỬ …"
                if k < 0 or crosses and not (k == 1 and _REF.match(placed.get(0, ""))):
                    placed = {}
                    break  # words across a column's edge (not a group row's title): prose again
                placed[k] = f"{placed[k]} {t}" if k in placed else t
            if not placed:
                break
            if 0 in placed and _REF.match(placed[0]):
                cells.append([[] for _ in starts])
            elif len(cells) == 1:
                break  # no numbered row under the header: not a table of tasks
            for k, t in placed.items():
                cells[-1][k].append(t)
            j += 1
        if len(cells) > 2:
            items.append((lines[i][0][0], "table", [["\n".join(c) for c in r] for r in cells]))
            bands.append((lines[i][0][0], max(r[3] for r in lines[j - 1])))
        i = max(j, i + 1)
    return items, bands
