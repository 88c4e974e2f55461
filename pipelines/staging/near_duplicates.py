"""Near-duplicate plans: two documents that share most of their rare lines (a re-typed or lightly edited copy) are one plan, the later marked near_duplicate_of the earlier. Apart from incremental.py, which stages the lines (DOC_LINES) and runs it after every sync."""

from __future__ import annotations

from pathlib import Path

from pipelines.settings import PROJECT_DIR
from pipelines.sources.plans.damage import NEAR_DUPLICATE_SHARE
from pipelines.warehouse.db import run_sql

# the query, with the other SQL of the warehouse (dbt_like_sql/steps/: SQL a stage runs itself, not the runner)
_SQL: Path = PROJECT_DIR / "dbt_like_sql" / "steps" / "near_duplicate_findings.sql"
DOC_LINES = "_doc_lines"  # (document_id, source_path, line_hash): each document's distinct lines, for near-duplicates


# A line shared by at most this many documents makes them candidates. Versions of one plan share its own lines
# (few documents); at 50, lines shared by a few dozen plans (a province's header, dates) made 20,000 documents tens
# of millions of candidate pairs and the stage spilled 10 GB (make bench); at 5 a line gives at most 10 pairs.
MAX_DOCS_PER_RARE_LINE = 5


def mark_near_duplicates(
    con, share: float = NEAR_DUPLICATE_SHARE, max_docs_per_line: int = MAX_DOCS_PER_RARE_LINE
) -> int:
    """Findings `near_duplicate_of` for every pair of documents with at least `share` of their distinct lines
    equal (one character changed, a line added). The rule that says which one counts: the newer by issue date,
    then the longer (more distinct lines), then the first in discovery order (raw/ first, then the extra roots in
    order, then path), as for exact copies; the other gets the finding and the marts leave it out.
    Recomputed over all documents each run (a new version makes an old one a near-duplicate). Candidates are pairs
    sharing a line few documents have, so a national archive is not compared pair by pair."""
    sql = _SQL.read_text()
    for name, value in (("doc_lines", DOC_LINES), ("share", share), ("max_docs_per_line", max_docs_per_line)):
        sql = sql.replace("{{ " + name + " }}", str(value))
    run_sql(con, "DELETE FROM stg_findings WHERE rule = 'near_duplicate_of'")
    run_sql(
        con,
        "INSERT INTO stg_findings (rule, severity, document_id, source_path, line_start, line_end, message, "
        "related_table, related_id)\n" + sql,
    )
    return con.execute("SELECT count(*) FROM stg_findings WHERE rule = 'near_duplicate_of'").fetchall()[0][0]
