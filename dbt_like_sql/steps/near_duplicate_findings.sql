-- Near-duplicate plans: the finding rows `near_duplicate_of` for every pair of documents with at least {{ share }} of
-- their distinct lines equal. Run by pipelines/staging/near_duplicates.py after every sync, over the staging tables
-- (stg_documents and the lines table {{ doc_lines }}), its rows inserted into stg_findings: a staging step, not a
-- model of the SQL runner. Candidates are pairs sharing a line at most {{ max_docs_per_line }} documents have, so a
-- national archive is not compared pair by pair.
WITH n AS (SELECT document_id, count(*) AS n FROM "{{ doc_lines }}" GROUP BY 1),
found AS (  -- discovery order as text: raw/ first, then extra1, extra2 ... extra10 by number, then path
    SELECT document_id, CASE WHEN raw_root = 'raw' THEN '0' ELSE '1' END
           || lpad(CAST(length(raw_root) AS VARCHAR), 4, '0') || raw_root || '/' || source_path AS k
    FROM stg_documents
),
rare AS (SELECT line_hash FROM "{{ doc_lines }}" GROUP BY 1 HAVING count(*) BETWEEN 2 AND {{ max_docs_per_line }}),
rl AS (SELECT l.document_id, l.line_hash FROM "{{ doc_lines }}" l JOIN rare USING (line_hash)),
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
    WHERE s.k >= greatest(ra.n_rare, rb.n_rare) - (1 - {{ share }}) * greatest(na.n, nb.n)
      AND least(na.n, nb.n) >= {{ share }} * greatest(na.n, nb.n)
),
lists AS (  -- each candidate's distinct lines as one sorted list: pairs are compared by key joins only, so no
            -- join order the optimizer picks can pair up the common lines of thousands of documents
    SELECT document_id, list_sort(list(line_hash)) AS lines
    FROM "{{ doc_lines }}" WHERE document_id IN (SELECT a FROM cand UNION SELECT b FROM cand) GROUP BY 1
),
pairs AS (
    SELECT c.a, c.b, len(la.lines) AS na, len(lb.lines) AS nb,
           len(list_intersect(la.lines, lb.lines)) / greatest(len(la.lines), len(lb.lines)) AS share
    FROM cand c JOIN lists la ON la.document_id = c.a JOIN lists lb ON lb.document_id = c.b
    WHERE len(list_intersect(la.lines, lb.lines)) >= {{ share }} * greatest(len(la.lines), len(lb.lines))
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
ORDER BY r.dropped, r.kept
