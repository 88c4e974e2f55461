-- One row per plan file that was read. Grain: document_id (a hash of the normalised text, stable across re-encodings).
SELECT
    d.document_id,
    d.source_path,
    d.raw_root,
    d.sha256,
    d.size_bytes,
    d.encoding,
    d.format,
    d.page_count,
    d.text_source,
    d.issuer_name,
    d.issuer_level,
    CASE WHEN d.province_code IS NOT NULL THEN coalesce(d.province_vintage, 2004) || '-' || d.province_code END AS province_key,
    d.doc_type,
    d.doc_numbers,
    d.issue_date,
    d.signer,
    d.title,
    d.plan_year_start,
    d.plan_year_end,
    d.indices,
    d.n_tasks,
    d.no_task_reason,
    d.readers,
    d.n_lines,
    coalesce(f.n_error, 0) AS n_findings_error,
    coalesce(f.n_warning, 0) AS n_findings_warning,
    coalesce(f.n_info, 0) AS n_findings_info
FROM stg_documents AS d
LEFT JOIN (
    SELECT
        document_id,
        count(*) FILTER (WHERE severity = 'error') AS n_error,
        count(*) FILTER (WHERE severity = 'warning') AS n_warning,
        count(*) FILTER (WHERE severity = 'info') AS n_info
    FROM dq_finding
    GROUP BY document_id
) AS f ON f.document_id = d.document_id
