"""PAR Index and SIPAS figures printed in news reports (raw/reference/*_published_figures.csv): partial by nature."""

from __future__ import annotations

import csv

from pipelines.normalise.provinces import REFERENCE_DIR


def _press_figure_rows(file: str, score_column: str, note) -> list[dict]:
    """One row per press figure in a reference file: the unit as written, its province, rank, score, source."""
    from pipelines.normalise.provinces import find_province

    out = []
    with open(REFERENCE_DIR / file, encoding="utf-8") as fh:
        for line_no, r in enumerate(csv.DictReader(fh), start=2):
            p = find_province(r["unit"])
            out.append(
                {
                    "year": int(r["year"]),
                    "unit_as_written": r["unit"],
                    "province_key": p.key if p else None,
                    "province_code": p.code if p else None,
                    "rank": int(r["rank"]) if r["rank"].strip() else None,
                    "score": float(r[score_column]) if r[score_column].strip() else None,
                    "source_ref": f"raw/reference/{file}:{line_no}",
                    "source_url": r["source_url"],
                    "note": note(r),
                }
            )
    return out


def sipas_published_rows() -> list[dict]:
    """SIPAS figures printed in news reports (raw/reference/sipas_published_figures.csv): partial by nature."""
    return _press_figure_rows(
        "sipas_published_figures.csv",
        "sipas_pct",
        lambda r: (r["what"] + ("; " + r["source_note"] if r["source_note"] else "")) or None,
    )


def par_published_rows() -> list[dict]:
    """PAR Index figures printed in news reports (raw/reference): partial, flagged as such."""
    return _press_figure_rows("par_index_published_figures.csv", "par_index_pct", lambda r: r["source_note"] or None)
