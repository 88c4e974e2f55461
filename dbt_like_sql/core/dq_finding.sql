-- Data-quality findings an analyst can act on. Grain: finding_id.
SELECT
    md5(concat_ws('|', rule, coalesce(document_id, ''), coalesce(source_path, ''),
                  coalesce(CAST(line_start AS VARCHAR), ''), message)) AS finding_id,
    rule,
    severity,
    document_id,
    source_path,
    line_start,
    line_end,
    message,
    related_table,
    related_id
FROM (
    SELECT * FROM stg_findings
    UNION ALL BY NAME
    SELECT * FROM stg_normalise_findings
    UNION ALL BY NAME
    SELECT * FROM stg_score_findings
    UNION ALL BY NAME
    SELECT
        'score_contradicts_official' AS rule, 'error' AS severity, q.document_id, q.source_path,
        q.line AS line_start, q.line AS line_end,
        q.indicator_code || ' ' || q.year || ': ' || q.verdict_reason AS message,
        'fct_indicator_score' AS related_table, q.source_ref AS related_id
    FROM int_plan_quote_reconciliation AS q
    WHERE q.verdict = 'contradicts'
    UNION ALL BY NAME
    SELECT
        'score_layouts_disagree' AS rule, 'error' AS severity, CAST(NULL AS VARCHAR) AS document_id,
        w.source_path, CAST(NULL AS BIGINT) AS line_start, CAST(NULL AS BIGINT) AS line_end,
        w.indicator_code || ' ' || w.year || ' ' || w.province_key || ': workbook ' || coalesce(printf('%.6f', w.score), 'empty')
            || ' vs panel ' || coalesce(printf('%.6f', p.score), 'empty') AS message,
        'fct_indicator_score' AS related_table, w.source_ref AS related_id
    FROM stg_index_scores AS w
    JOIN stg_index_scores AS p
        ON p.province_key = w.province_key AND p.year = w.year AND p.indicator_code = w.indicator_code
       AND p.source = 'papi_panel'
    WHERE w.source = 'papi_official_workbook'
      AND ((w.score IS NULL) <> (p.score IS NULL) OR abs(w.score - p.score) > 1e-6)
) AS f
