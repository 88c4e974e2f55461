"""Near-duplicate plans: two documents that share most of their rare lines (a re-typed or lightly edited copy) are one plan, the later marked near_duplicate_of the earlier. Apart from incremental.py, which stages the lines (DOC_LINES) and runs it after every sync."""

from __future__ import annotations

from pipelines.sources.plans.damage import NEAR_DUPLICATE_SHARE
from pipelines.warehouse.db import run_sql

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
    run_sql(con, "DELETE FROM stg_findings WHERE rule = 'near_duplicate_of'")
    run_sql(
        con,
        f"""
        INSERT INTO stg_findings (rule, severity, document_id, source_path, line_start, line_end, message,
                                  related_table, related_id)
        WITH n AS (SELECT document_id, count(*) AS n FROM "{DOC_LINES}" GROUP BY 1),
        found AS (  -- discovery order as text: raw/ first, then extra1, extra2 ... extra10 by number, then path
            SELECT document_id, CASE WHEN raw_root = 'raw' THEN '0' ELSE '1' END
                   || lpad(CAST(length(raw_root) AS VARCHAR), 4, '0') || raw_root || '/' || source_path AS k
            FROM stg_documents
        ),
        rare AS (SELECT line_hash FROM "{DOC_LINES}" GROUP BY 1 HAVING count(*) BETWEEN 2 AND {max_docs_per_line}),
        rl AS (SELECT l.document_id, l.line_hash FROM "{DOC_LINES}" l JOIN rare USING (line_hash)),
        nr AS (SELECT document_id, count(*) AS n_rare FROM rl GROUP BY 1),
        shared AS (  -- rare lines each pair shares: a linear number of rows (a rare line gives at most 10 pairs)
            SELECT a.document_id AS a, b.document_id AS b, count(*) AS k
            FROM rl a JOIN rl b ON b.line_hash = a.line_hash AND a.document_id < b.document_id
            GROUP BY 1, 2
        ),
        cand AS (  -- a necessary condition before comparing whole documents: each rare line one has and the other
                   -- lacks is a differing line, and at most (1 - share) of the longer one's lines differ
            SELECT s.a, s.b
            FROM shared s JOIN nr ra ON ra.document_id = s.a JOIN nr rb ON rb.document_id = s.b
            JOIN n na ON na.document_id = s.a JOIN n nb ON nb.document_id = s.b
            WHERE s.k >= greatest(ra.n_rare, rb.n_rare) - (1 - {share}) * greatest(na.n, nb.n)
              AND least(na.n, nb.n) >= {share} * greatest(na.n, nb.n)
        ),
        lists AS (  -- each candidate's distinct lines as one sorted list: pairs are compared by key joins only, so no
                    -- join order the optimizer picks can pair up the common lines of thousands of documents
            SELECT document_id, list_sort(list(line_hash)) AS lines
            FROM "{DOC_LINES}" WHERE document_id IN (SELECT a FROM cand UNION SELECT b FROM cand) GROUP BY 1
        ),
        pairs AS (
            SELECT c.a, c.b, len(la.lines) AS na, len(lb.lines) AS nb,
                   len(list_intersect(la.lines, lb.lines)) / greatest(len(la.lines), len(lb.lines)) AS share
            FROM cand c JOIN lists la ON la.document_id = c.a JOIN lists lb ON lb.document_id = c.b
            WHERE len(list_intersect(la.lines, lb.lines)) >= {share} * greatest(len(la.lines), len(lb.lines))
        ),
        decided AS (  -- a is kept when newer (an unknown date is older), else when longer (more distinct lines), else
                      -- when it comes first in discovery order (raw/, then extra1, extra2 ...; then path)
            SELECT p.a, p.b, p.share,
                   coalesce(da.issue_date > db.issue_date, da.issue_date IS NOT NULL AND db.issue_date IS NULL)
                   OR (da.issue_date IS NOT DISTINCT FROM db.issue_date
                       AND (p.na > p.nb OR (p.na = p.nb AND ka.k < kb.k))) AS a_kept
            FROM pairs p JOIN stg_documents da ON da.document_id = p.a JOIN stg_documents db ON db.document_id = p.b
            JOIN found ka ON ka.document_id = p.a JOIN found kb ON kb.document_id = p.b
        ),
        ranked AS (
            SELECT share, CASE WHEN a_kept THEN a ELSE b END AS kept, CASE WHEN a_kept THEN b ELSE a END AS dropped
            FROM decided
        )
        SELECT 'near_duplicate_of', 'warning', r.dropped, d.source_path, NULL, NULL,
               printf('Near-duplicate of document %s (%s): %.1f%% of its distinct lines are equal. That one is '
                      'counted in the marts (the newer by issue date, then the longer), this one is not.',
                      r.kept, k.source_path, 100 * r.share),
               'dim_document', r.kept
        FROM ranked r JOIN stg_documents d ON d.document_id = r.dropped JOIN stg_documents k ON k.document_id = r.kept
        ORDER BY r.dropped, r.kept""",
    )
    return con.execute("SELECT count(*) FROM stg_findings WHERE rule = 'near_duplicate_of'").fetchall()[0][0]
