-- Index scores by province, year and indicator, from every source: the official PAPI workbook and panel (with derived dimension sums and totals), scores stated in plans (with their reconciliation verdict), PCI from the VCCI workbooks (and the Wikipedia table, not preferred), and PAR Index and SIPAS figures printed in the press (partial). Missing values stay NULL. Grain: (province_key, year, indicator_code, source, source_ref).
SELECT
    r.province_key, r.year, r.indicator_code, r.source, r.source_ref,
    r.level, r.score, r.rank, r.n_ranked, r.derivation,
    CAST(NULL AS VARCHAR) AS document_id,
    false AS is_partial,
    r.is_preferred,
    CAST(NULL AS VARCHAR) AS reconciliation,
    CAST(NULL AS DOUBLE) AS official_score
FROM int_official_ranked AS r
UNION ALL
SELECT
    q.province_key, q.year, q.indicator_code, 'plan_text' AS source, q.source_ref,
    CASE WHEN q.indicator_code = 'PAPI.TOTAL' THEN 'total' ELSE 'dimension' END AS level,
    q.quoted_score AS score, q.quoted_rank AS rank, q.quoted_n_ranked AS n_ranked, 'stated_in_plan' AS derivation,
    q.document_id,
    false AS is_partial,
    false AS is_preferred,
    q.verdict AS reconciliation,
    q.official_score
FROM int_plan_quote_reconciliation AS q
UNION ALL
SELECT
    p.province_key, p.year, 'PAR.TOTAL' AS indicator_code, 'par_published' AS source, p.source_ref,
    'total' AS level, p.score, p.rank, CASE WHEN p.rank IS NOT NULL THEN 63 END AS n_ranked, 'published' AS derivation,
    CAST(NULL AS VARCHAR) AS document_id,
    true AS is_partial,
    -- a full PAR table, when a user supplies one, wins over press figures for the same cell
    NOT EXISTS (SELECT 1 FROM int_official_ranked AS t
                WHERE t.province_key = p.province_key AND t.year = p.year AND t.indicator_code = 'PAR.TOTAL') AS is_preferred,
    CAST(NULL AS VARCHAR) AS reconciliation,
    CAST(NULL AS DOUBLE) AS official_score
FROM stg_par_published AS p
WHERE p.province_key IS NOT NULL
UNION ALL
SELECT
    p.province_key, p.year, 'SIPAS.TOTAL' AS indicator_code, 'sipas_published' AS source, p.source_ref,
    'total' AS level, p.score, p.rank, CASE WHEN p.rank IS NOT NULL THEN 63 END AS n_ranked, 'published' AS derivation,
    CAST(NULL AS VARCHAR) AS document_id,
    true AS is_partial,
    true AS is_preferred,
    CAST(NULL AS VARCHAR) AS reconciliation,
    CAST(NULL AS DOUBLE) AS official_score
FROM stg_sipas_published AS p
WHERE p.province_key IS NOT NULL
