"""Merged cells come out of an export blank, their text on one row of the block: the rows of a table's drafts
take the value of the merged cell they were part of (each fill a `merged_cell_inherited` finding)."""

from __future__ import annotations

from pipelines.model import Finding


def fill_merged(drafts: list[dict], has_section_col: bool, findings: list[Finding], outer: set[str]) -> None:
    """Merged cells come out of an export blank, their text on one row of the block (the first, or the middle when
    the cell was centred). Inside one section a blank lead or timeline is the nearest value above; rows before the
    first value take the first value below; a column left of the section column (`outer`) across sections. Each
    fill is a finding."""

    def flat(d: dict) -> bool:  # numbered 1, 2, 3 …: the number is the row's own, not a section's
        return bool(d["task_ref"]) and d["task_ref"].isdigit() and d["section_ref"] == d["task_ref"]

    def same(a: dict, b: dict) -> bool:
        return a["section_key"] == b["section_key"] and (
            has_section_col or a["section_ref"] == b["section_ref"] or (flat(a) and flat(b))
        )

    for k in ("lead", "support", "timeline"):
        if k in outer:
            _fill_down(drafts, k, findings)
            continue
        for i, d in enumerate(drafts):
            if d[k] is not None:
                continue
            if k == "support" and d["lead"] is not None and not d.get("_lead_filled"):
                continue  # a row that names its own lead and no coordinator has none
            src = None
            for j in range(i - 1, -1, -1):
                if not same(drafts[j], d):
                    break
                if drafts[j][k] is not None and not drafts[j].get(f"_{k}_filled_up"):
                    src = drafts[j]
                    break
            up = False
            if src is None:
                for j in range(i + 1, len(drafts)):
                    if not same(drafts[j], d):
                        break
                    if drafts[j][k] is not None:
                        src, up = drafts[j], True
                        break
            if src is None:
                continue
            d[k] = src[k]
            d[f"_{k}_filled_up"] = up
            d[f"_{k}_filled"] = True
            findings.append(
                Finding(
                    "merged_cell_inherited",
                    "info",
                    f"Blank {k} cell at line {d['line_start']} read as the merged cell "
                    f"{'below' if up else 'above'}: '{src[k][:50]}'.",
                    d["line_start"],
                    d["line_end"],
                )
            )


def _fill_down(drafts: list[dict], k: str, findings: list[Finding]) -> None:
    """A merged cell of a column that stands before the section column: each blank takes the value above."""
    above = None
    for d in drafts:
        if d[k] is not None:
            above = d[k]
            continue
        if above is None:
            continue
        d[k], d[f"_{k}_filled"] = above, True
        findings.append(
            Finding(
                "merged_cell_inherited",
                "info",
                f"Blank {k} cell at line {d['line_start']} read as the merged cell above: '{above[:50]}'.",
                d["line_start"],
                d["line_end"],
            )
        )
