-- Data-quality findings an analyst can act on. Grain: finding_id.
-- confidence: here, once for every source of findings: low when the document's text was read by OCR.
-- DISTINCT: a reader that states the same finding twice about the same row (one agency text read for two roles)
-- gives one finding, so the key holds whatever a document says.
SELECT DISTINCT
    md5(concat_ws('|', f.rule, coalesce(f.document_id, ''), coalesce(f.source_path, ''),
                  coalesce(CAST(f.line_start AS VARCHAR), ''), f.message, coalesce(f.related_id, ''))) AS finding_id,
    f.rule,
    f.severity,
    f.document_id,
    f.source_path,
    f.line_start,
    f.line_end,
    f.message,
    f.related_table,
    f.related_id,
    f.source_location,
    CASE WHEN d.text_source = 'ocr' THEN 'low' ELSE 'normal' END AS confidence
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
    UNION ALL BY NAME
    -- PCI: the official VCCI workbook against the Wikipedia table, which prints two decimals; the workbook is kept
    SELECT
        'score_layouts_disagree' AS rule, 'error' AS severity, CAST(NULL AS VARCHAR) AS document_id,
        k.source_path, CAST(NULL AS BIGINT) AS line_start, CAST(NULL AS BIGINT) AS line_end,
        k.indicator_code || ' ' || k.year || ' ' || k.province_key || ': pci_workbook '
            || coalesce(printf('%.4f', w.score), 'absent') || ' (' || coalesce(w.source_ref, 'no row') || ') vs pci_wikipedia '
            || coalesce(printf('%.2f', k.score), 'empty') || ' (' || k.source_ref || '); the official workbook is kept' AS message,
        'fct_indicator_score' AS related_table, k.source_ref AS related_id
    FROM stg_index_scores AS k
    LEFT JOIN stg_index_scores AS w
        ON w.province_key = k.province_key AND w.year = k.year AND w.indicator_code = k.indicator_code
       AND w.source = 'pci_workbook'
    WHERE k.source = 'pci_wikipedia'
      AND (w.score IS NULL OR k.score IS NULL OR abs(w.score - k.score) > 0.005)
) AS f
LEFT JOIN (SELECT document_id, text_source FROM stg_documents) AS d ON d.document_id = f.document_id
