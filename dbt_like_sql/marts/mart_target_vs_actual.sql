-- Every score or rank target on an index (PAPI; the PAR Index, PCI and SIPAS headlines, whose percent targets are the index value) against the official value in the target year: met, not_met, or not_evaluable with the reason (year not held yet, only partial press figures held, no value), with the plan's number, issuer and years. A target the plan states twice is one row (its first statement, the other lines listed). Grain: target_id.
WITH tg AS (
    SELECT t.*, d.issuer_level, d.issuer_name, d.doc_numbers, d.plan_year_start, d.plan_year_end,
           split_part(t.indicator_code, '.', 1) AS idx, r.restated_at_lines
    FROM fct_plan_target AS t
    JOIN dim_document AS d ON d.document_id = t.document_id
    -- a target the plan states again counts once, at its first statement; the later lines are listed
    LEFT JOIN (SELECT restates_target_id, list(line ORDER BY line) AS restated_at_lines FROM fct_plan_target
               WHERE restates_target_id IS NOT NULL GROUP BY 1) AS r ON r.restates_target_id = t.target_id
    WHERE t.is_index_target AND t.restates_target_id IS NULL  -- fct_plan_target says which targets name an index score or rank
      AND t.document_id NOT IN (SELECT x.document_id FROM dq_finding AS x WHERE x.rule = 'near_duplicate_of' AND x.document_id IS NOT NULL)  -- a near-duplicate plan counts once
),
official AS (
    SELECT province_key, year, indicator_code, score, rank, n_ranked, is_partial
    FROM fct_indicator_score WHERE is_preferred AND source <> 'plan_text'
    -- one value per cell even if two press reports print the same one
    QUALIFY row_number() OVER (PARTITION BY province_key, year, indicator_code ORDER BY is_partial, source_ref) = 1
),
latest AS (
    SELECT split_part(indicator_code, '.', 1) AS idx, max(year) AS y, bool_and(is_partial) AS only_partial
    FROM official WHERE score IS NOT NULL OR rank IS NOT NULL GROUP BY 1
),
joined AS (
    SELECT
        tg.*,
        l.y AS latest_year, coalesce(l.only_partial, false) AS only_partial,
        CASE tg.idx WHEN 'PAR' THEN 'PAR Index' ELSE tg.idx END AS index_name,
        o.score AS actual_score, o.rank AS actual_rank, o.n_ranked,
        prev.rank AS previous_rank,
        CASE tg.unit
            WHEN 'points' THEN o.score
            WHEN 'percent' THEN o.score
            WHEN 'rank' THEN CAST(o.rank AS DOUBLE)
            WHEN 'rank_change' THEN CAST(prev.rank - o.rank AS DOUBLE)
        END AS actual_value
    FROM tg
    LEFT JOIN latest AS l ON l.idx = tg.idx
    LEFT JOIN official AS o ON o.province_key = tg.province_key AND o.year = tg.target_year AND o.indicator_code = tg.indicator_code
    LEFT JOIN official AS prev ON prev.province_key = tg.province_key AND prev.year = tg.target_year - 1 AND prev.indicator_code = tg.indicator_code
)
SELECT
    j.target_id,
    j.document_id,
    array_to_string(j.doc_numbers, '; ') AS plan_number,
    j.issuer_name,
    j.plan_year_start,
    j.plan_year_end,
    j.province_key,
    j.indicator_code,
    j.target_year AS year,
    j.comparator,
    j.value AS target_value,
    j.unit,
    j.actual_value,
    j.actual_score,
    j.actual_rank,
    j.n_ranked,
    CASE
        WHEN j.issuer_level IS DISTINCT FROM 'province' OR j.province_key IS NULL OR j.target_year IS NULL
             OR j.latest_year IS NULL OR j.target_year > j.latest_year OR j.actual_value IS NULL THEN 'not_evaluable'
        WHEN (j.unit = 'rank' AND ((j.comparator = '<=' AND j.actual_value <= j.value) OR (j.comparator = '<' AND j.actual_value < j.value) OR (j.comparator = '=' AND j.actual_value = j.value)))
          OR (j.unit <> 'rank' AND ((j.comparator = '>=' AND j.actual_value >= j.value) OR (j.comparator = '>' AND j.actual_value > j.value)
               OR (j.comparator = '=' AND j.actual_value = j.value) OR (j.comparator = '<=' AND j.actual_value <= j.value) OR (j.comparator = '<' AND j.actual_value < j.value)))
            THEN 'met'
        ELSE 'not_met'
    END AS status,
    CASE
        WHEN j.issuer_level IS DISTINCT FROM 'province' THEN 'issuer is not a province: ' || j.index_name || ' ranks only provinces'
        WHEN j.province_key IS NULL THEN 'province unknown'
        WHEN j.target_year IS NULL THEN 'target year unknown'
        WHEN j.latest_year IS NULL THEN 'no ' || j.index_name || ' value is held in the warehouse'
        WHEN j.target_year > j.latest_year THEN j.index_name || ' ' || j.target_year || ' not held (latest held ' || j.latest_year || ')'
        WHEN j.actual_value IS NULL AND j.only_partial THEN 'no ' || j.index_name || ' value held for this province in ' || j.target_year
            || ': only press figures (partial) are held'
        WHEN j.actual_value IS NULL AND j.unit = 'rank_change' THEN 'no official rank for ' || (j.target_year - 1) || ' or ' || j.target_year
        WHEN j.actual_value IS NULL THEN 'no official value for ' || j.target_year
    END AS status_reason,
    j.quote,
    j.line,
    j.restated_at_lines,
    j.source_path
FROM joined AS j
