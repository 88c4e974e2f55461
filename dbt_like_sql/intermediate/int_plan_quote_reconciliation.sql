-- Each score a plan states, checked against the official PAPI panel: matches (within one unit of the printed second decimal, and the same rank when a rank is quoted), contradicts, or not_checkable (no official value for that province, year and indicator). Grain: (document_id, line, indicator_code, year).
-- @verdict: matches / contradicts / not_checkable
-- @official_score: Preferred official value (workbook where it exists, else the panel)
-- @official_rank: Official rank among provinces with a value
WITH official AS (
    SELECT province_key, year, indicator_code, score, rank, n_ranked
    FROM int_official_ranked
    WHERE is_preferred
)
SELECT
    q.document_id,
    q.line,
    q.indicator_code,
    q.year,
    q.province_key,
    q.score AS quoted_score,
    q.rank AS quoted_rank,
    q.n_ranked AS quoted_n_ranked,
    o.score AS official_score,
    o.rank AS official_rank,
    o.n_ranked AS official_n_ranked,
    CASE
        WHEN o.score IS NULL THEN 'not_checkable'
        WHEN abs(q.score - o.score) <= 0.01 + 1e-9 AND (q.rank IS NULL OR q.rank = o.rank) THEN 'matches'
        ELSE 'contradicts'
    END AS verdict,
    CASE
        WHEN o.score IS NULL THEN 'no official value for this province, year and indicator'
        WHEN abs(q.score - o.score) > 0.01 + 1e-9 THEN 'plan says ' || printf('%.2f', q.score) || ', official ' || printf('%.4f', o.score)
        WHEN q.rank IS NOT NULL AND q.rank <> o.rank THEN 'plan says rank ' || q.rank || ', official rank ' || o.rank || '/' || o.n_ranked
    END AS verdict_reason,
    q.quote,
    q.source_path,
    q.source_ref
FROM stg_plan_quoted_scores AS q
LEFT JOIN official AS o
    ON o.province_key = q.province_key AND o.year = q.year AND o.indicator_code = q.indicator_code
